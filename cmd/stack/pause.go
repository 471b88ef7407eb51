package main

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/scheduler"
)

func newPauseCommand(g *globalFlags) *cobra.Command {
	return freezeCommand(g, "pause", "Pause services", "Paused", func(s *session) func(context.Context, string) error { return s.engine.Pause },
		func(c runtime.State) bool { return c.Status == runtime.StatusRunning })
}

func newUnpauseCommand(g *globalFlags) *cobra.Command {
	return freezeCommand(g, "unpause", "Unpause services", "Unpaused", func(s *session) func(context.Context, string) error { return s.engine.Unpause },
		func(c runtime.State) bool { return c.Status == runtime.StatusPaused })
}

// freezeCommand is pause or unpause: op on each container that wants it.
func freezeCommand(g *globalFlags, use, short, done string, op func(*session) func(context.Context, string) error, wants func(runtime.State) bool) *cobra.Command {
	return &cobra.Command{
		Use:   use + " [SERVICE...]",
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
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
			pr := s.g.newProgress(done)
			defer pr.close()
			var errs []error
			for _, c := range cs {
				if !wants(c) {
					continue
				}
				if err := op(s)(ctx, c.ID); err != nil {
					pr.resource("Container", c.Name, scheduler.Failed)
					errs = append(errs, err)
					continue
				}
				pr.resource("Container", c.Name, scheduler.Status(done))
			}
			return errors.Join(errs...)
		},
	}
}
