package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/scheduler"
)

func newRmCommand(g *globalFlags) *cobra.Command {
	var force, stop, volumes bool
	cmd := &cobra.Command{
		Use:   "rm [OPTIONS] [SERVICE...]",
		Short: "Removes stopped service containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return g.onContainers(ctx, changing, args, listOptions{stopped: true}, func(s *session, services []string, cs []runtime.State) error {
				plan := scheduler.PlanRemove(cs, s.p.Graph, services, stop)
				names := removed(plan)
				if len(names) == 0 {
					fmt.Fprintln(os.Stderr, "No stopped containers")
					return nil
				}
				if !force && !g.ui.dryRun && !confirm("Going to remove "+strings.Join(names, ", ")) {
					return nil
				}
				if err := s.run(ctx, plan, "Removing", nil); err != nil || !volumes || g.ui.dryRun {
					return err
				}
				return s.removeAnonymous(ctx, names...)
			})
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Don't ask to confirm removal")
	cmd.Flags().BoolVarP(&stop, "stop", "s", false, "Stop the containers, if required, before removing")
	cmd.Flags().BoolVarP(&volumes, "volumes", "v", false, "Remove any anonymous volumes attached to containers")
	return cmd
}

// removed names the containers plan removes.
func removed(plan scheduler.Plan) []string {
	var names []string
	for _, o := range plan.Ops {
		if o.Kind == scheduler.OpRemove {
			names = append(names, o.Name)
		}
	}
	return names
}

// confirm asks what on the terminal and reports whether the answer is
// yes; without a terminal to ask on it does not ask, and says yes.
func confirm(what string) bool {
	if !isTerminal(os.Stdin) {
		return true
	}
	fmt.Fprintf(os.Stderr, "%s\n? Are you sure? (y/N) ", what)
	answer, _ := bufio.NewReader(os.Stdin).ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(answer))
	return a == "y" || a == "yes"
}

// removeAnonymous removes the anonymous volumes of the containers named.
func (s *session) removeAnonymous(ctx context.Context, containers ...string) error {
	anon, err := scheduler.AnonymousVolumes(s.vols, containers...)
	if err != nil {
		return err
	}
	_, err = scheduler.RemoveVolumes(ctx, s.engine, s.vols, anon)
	return err
}
