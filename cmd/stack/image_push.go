package main

import (
	"fmt"

	"github.com/distribution/reference"
	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
)

func newImagePushCommand(g *globalFlags) *cobra.Command {
	var quiet bool
	cmd := &cobra.Command{
		Use:   "push [OPTIONS] NAME[:TAG]",
		Short: "Upload an image to a registry",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.images()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			p, err := g.pushImage(cmd.Context(), s, args[0], out, quiet, pushRefersTo(args[0]))
			if err != nil {
				return err
			}
			if quiet {
				fmt.Fprintln(out, p.Name)
				return nil
			}
			_, tag := image.SplitName(p.Name)
			fmt.Fprintf(out, "%s: digest: %s size: %d\n", tag, p.Digest, p.Size)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Suppress verbose output")
	return cmd
}

// pushRefersTo is docker's first line: "The push refers to repository
// [docker.io/library/busybox]"; "" for a name that is not an image name.
func pushRefersTo(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("The push refers to repository [%s]", named.Name())
}
