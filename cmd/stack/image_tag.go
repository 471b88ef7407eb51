package main

import (
	"github.com/spf13/cobra"
)

func newImageTagCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
		Short: "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.images()
			if err != nil {
				return err
			}
			return s.Tag(cmd.Context(), args[0], args[1])
		},
	}
}
