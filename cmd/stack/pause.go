package main

import (
	"context"
	"slices"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
	"github.com/stackorch/stack/scheduler"
)

func newPauseCommand(g *globalFlags) *cobra.Command {
	return freezeCommand(g, "pause", "Pause services", "Paused", (*linux.Engine).Pause, runtime.StatusRunning)
}

func newUnpauseCommand(g *globalFlags) *cobra.Command {
	return freezeCommand(g, "unpause", "Unpause services", "Unpaused", (*linux.Engine).Unpause, runtime.StatusPaused)
}

// freezeCommand is pause or unpause: op on each container that is from.
func freezeCommand(g *globalFlags, use, short, done string, op func(*linux.Engine, context.Context, string) error, from runtime.Status) *cobra.Command {
	return &cobra.Command{
		Use:   use + " [SERVICE...]",
		Short: short,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			return g.onContainers(ctx, changing, args, listOptions{}, func(s *session, _ []string, cs []runtime.State) error {
				cs = slices.DeleteFunc(cs, func(c runtime.State) bool { return c.Status != from })
				return s.each(ctx, done, cs, "", scheduler.Status(done), func(ctx context.Context, id string) error {
					return op(s.engine, ctx, id)
				})
			})
		},
	}
}
