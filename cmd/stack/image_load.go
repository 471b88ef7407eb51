package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
)

func newImageLoadCommand(g *globalFlags) *cobra.Command {
	var input string
	var quiet bool
	cmd := &cobra.Command{
		Use:   "load [OPTIONS]",
		Short: "Load an image from a tar archive (docker save or OCI layout) or STDIN",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.images()
			if err != nil {
				return err
			}
			var in io.Reader = cmd.InOrStdin()
			if input != "" && input != "-" {
				f, err := os.Open(input)
				if err != nil {
					return fmt.Errorf("load archive: %w", err)
				}
				defer f.Close()
				in = f
			}
			images, err := s.Load(cmd.Context(), in)
			if err != nil {
				return err
			}
			if !quiet {
				printLoaded(cmd.OutOrStdout(), images)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&input, "input", "i", "", "Read from tar archive file, instead of STDIN")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Suppress the load output")
	return cmd
}

// printLoaded reports loaded images as `docker load` does.
func printLoaded(w io.Writer, images []image.Image) {
	for _, img := range images {
		if len(img.RepoTags) == 0 {
			fmt.Fprintln(w, "Loaded image ID:", img.ID)
		}
		for _, t := range img.RepoTags {
			fmt.Fprintln(w, "Loaded image:", image.FamiliarName(t))
		}
	}
}
