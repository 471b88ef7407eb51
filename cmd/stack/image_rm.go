package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/runtime/linux"
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
			if opt.InUse, err = g.imagesInUse(cmd.Context(), s); err != nil {
				return err
			}
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

// imagesInUse tells which images containers use, as usedImages sees them.
func (g *globalFlags) imagesInUse(ctx context.Context, s *image.Store) (func(id string) bool, error) {
	eng, err := g.engine()
	if err != nil {
		return nil, err
	}
	used, err := usedImages(ctx, eng, s)
	if err != nil {
		return nil, err
	}
	return func(id string) bool { return used[id] }, nil
}

// usedImages is the IDs of the images containers use, by the image
// reference each container was created with. (The engine's state does not
// carry the image ID: an image whose name moved since is not seen.)
func usedImages(ctx context.Context, eng *linux.Engine, s *image.Store) (map[string]bool, error) {
	containers, err := eng.List(ctx, nil)
	if err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, c := range containers {
		if img, err := s.Get(c.Image); err == nil {
			used[img.ID] = true
		}
	}
	return used, nil
}
