package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime/linux"
	"github.com/stackorch/stack/scheduler"
)

func newKillCommand(g *globalFlags) *cobra.Command {
	var signal string
	var removeOrphans bool
	cmd := &cobra.Command{
		Use:   "kill [OPTIONS] [SERVICE...]",
		Short: "Force stop service containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			sig, ok := linux.ParseSignal(signal)
			if !ok {
				return fmt.Errorf("kill: unknown signal %q", signal)
			}
			ctx := cmd.Context()
			s, services, err := g.openServices(cmd, args)
			if err != nil {
				return err
			}
			defer s.close()
			cs, err := s.containers(ctx, listOptions{services: services})
			if err != nil {
				return err
			}
			pr := s.g.newProgress("Killing")
			defer pr.close()
			var errs []error
			for _, c := range cs {
				if !removeOrphans && !s.known(c) && len(services) == 0 {
					continue
				}
				pr.resource("Container", c.Name, "Killing")
				if err := s.engine.Kill(ctx, c.ID, sig); err != nil {
					pr.resource("Container", c.Name, scheduler.Failed)
					errs = append(errs, err)
					continue
				}
				pr.resource("Container", c.Name, "Killed")
			}
			return errors.Join(errs...)
		},
	}
	cmd.Flags().StringVarP(&signal, "signal", "s", "SIGKILL", "SIGNAL to send to the container")
	cmd.Flags().BoolVar(&removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	return cmd
}
