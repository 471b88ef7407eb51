package main

import (
	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
)

func newImageInspectCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "inspect IMAGE [IMAGE...]",
		Short: "Display detailed information on one or more images",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.images()
			if err != nil {
				return err
			}
			return printInspect(cmd.OutOrStdout(), args, func(ref string) (image.Inspect, error) {
				img, err := s.Get(ref)
				if err != nil {
					return image.Inspect{}, err
				}
				return img.Inspect(), nil
			})
		},
	}
}
