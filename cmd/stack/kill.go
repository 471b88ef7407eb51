package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
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
			return g.onContainers(ctx, changing, args, listOptions{}, func(s *session, services []string, cs []runtime.State) error {
				cs = slices.DeleteFunc(cs, func(c runtime.State) bool { return !removeOrphans && !s.known(c) && len(services) == 0 })
				return s.each(ctx, "Killing", cs, "Killing", "Killed", func(ctx context.Context, id string) error {
					return s.engine.Kill(ctx, id, sig)
				})
			})
		},
	}
	cmd.Flags().StringVarP(&signal, "signal", "s", "SIGKILL", "SIGNAL to send to the container")
	cmd.Flags().BoolVar(&removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	return cmd
}
