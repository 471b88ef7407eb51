package main

import (
	"sync"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
)

func newWaitCommand(g *globalFlags) *cobra.Command {
	var downProject bool
	cmd := &cobra.Command{
		Use:   "wait SERVICE [SERVICE...] [OPTIONS]",
		Short: "Block until containers of all (or specified) services stop.",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			s, services, err := g.openServices(ctx, reading, args)
			if err != nil {
				return err
			}
			cs, err := s.containers(ctx, listOptions{services: services, stopped: true})
			s.close()
			if err != nil {
				return err
			}
			// The first container to stop gives the exit code.
			first := make(chan runtime.State, len(cs))
			var wg sync.WaitGroup
			for _, c := range cs {
				wg.Go(func() {
					if st, err := s.engine.Wait(ctx, c.ID, runtime.UntilExited); err == nil {
						first <- st
					}
				})
			}
			code := 0
			if len(cs) > 0 {
				code = (<-first).ExitCode
			}
			if downProject {
				d, err := g.open(ctx, changing)
				if err != nil {
					return err
				}
				defer d.close()
				if err := d.down(ctx, nil, downFlags{}, nil); err != nil {
					return err
				}
			}
			wg.Wait()
			if code != 0 {
				return exitStatus(code)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&downProject, "down-project", false, "Drops project when the first container stops")
	return cmd
}
