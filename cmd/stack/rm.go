package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/scheduler"
)

func newRmCommand(g *globalFlags) *cobra.Command {
	var force, stop, volumes bool
	cmd := &cobra.Command{
		Use:   "rm [OPTIONS] [SERVICE...]",
		Short: "Removes stopped service containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, services, err := g.openServices(cmd, args)
			if err != nil {
				return err
			}
			defer s.close()
			cs, err := s.containers(ctx, listOptions{services: services, stopped: true})
			if err != nil {
				return err
			}
			plan := scheduler.PlanRemove(cs, s.p.Graph, services, stop)
			var names []string
			for _, o := range plan.Ops {
				if o.Kind == scheduler.OpRemove {
					names = append(names, o.Name)
				}
			}
			if len(names) == 0 {
				fmt.Fprintln(os.Stderr, "No stopped containers")
				return nil
			}
			if !force && isTerminal(os.Stdin) && !g.ui.dryRun {
				fmt.Fprintf(os.Stderr, "Going to remove %s\n? Are you sure? (y/N) ", strings.Join(names, ", "))
				answer, _ := bufio.NewReader(os.Stdin).ReadString('\n')
				if a := strings.ToLower(strings.TrimSpace(answer)); a != "y" && a != "yes" {
					return nil
				}
			}
			if err := s.run(ctx, plan, "Removing", nil); err != nil || !volumes || g.ui.dryRun {
				return err
			}
			anon, err := scheduler.AnonymousVolumes(s.vols, names...)
			if err != nil {
				return err
			}
			_, err = scheduler.RemoveVolumes(ctx, s.engine, s.vols, anon)
			return err
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Don't ask to confirm removal")
	cmd.Flags().BoolVarP(&stop, "stop", "s", false, "Stop the containers, if required, before removing")
	cmd.Flags().BoolVarP(&volumes, "volumes", "v", false, "Remove any anonymous volumes attached to containers")
	return cmd
}
