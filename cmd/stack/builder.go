package main

import (
	"fmt"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"
)

// newBuilderCommand is `stack builder prune`: the build cache.
func newBuilderCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "builder", Short: "Manage the build cache"}
	var force bool
	prune := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove the build cache, and the layers only it kept",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.images()
			if err != nil {
				return err
			}
			c, err := s.PruneBuildCache(cmd.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Total reclaimed space: %s\n", units.HumanSize(float64(c.Bytes)))
			return nil
		},
	}
	// No -f: the global -f is --file, as in docker compose.
	prune.Flags().BoolVar(&force, "force", false, "Do not prompt for confirmation (stack never prompts)")
	prune.Flags().BoolP("all", "a", true, "Remove all of the build cache (stack always does)")
	cmd.AddCommand(prune)
	return cmd
}
