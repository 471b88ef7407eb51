package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
)

func newImageRemoveCommand(g *globalFlags) *cobra.Command {
	var opt image.RemoveOptions
	cmd := &cobra.Command{
		Use:     "rm [OPTIONS] IMAGE [IMAGE...]",
		Aliases: []string{"remove", "rmi"},
		Short:   "Remove one or more images",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.images()
			if err != nil {
				return err
			}
			// TODO(engine): opt.InUse from the containers that use an image.
			var errs []error
			for _, ref := range args {
				out, err := s.Remove(cmd.Context(), ref, opt)
				for _, t := range out.Untagged {
					fmt.Fprintln(cmd.OutOrStdout(), "Untagged:", image.FamiliarName(t))
				}
				for _, id := range out.Deleted {
					fmt.Fprintln(cmd.OutOrStdout(), "Deleted:", id)
				}
				errs = append(errs, err)
			}
			return errors.Join(errs...)
		},
	}
	// No -f: the global -f is --file, as in docker compose.
	cmd.Flags().BoolVar(&opt.Force, "force", false, "Force removal of the image")
	return cmd
}
