package main

import (
	"encoding/json"
	"errors"

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
			out := []image.Inspect{}
			var errs []error
			for _, ref := range args {
				img, err := s.Get(ref)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				out = append(out, img.Inspect())
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "    ")
			if err := enc.Encode(out); err != nil {
				return err
			}
			return errors.Join(errs...)
		},
	}
}
