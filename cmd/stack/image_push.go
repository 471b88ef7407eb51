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
			opt := image.PushOptions{RegistryOptions: registryOptions()}
			var bars *layerProgress
			if !quiet {
				if named, err := reference.ParseNormalizedNamed(args[0]); err == nil {
					fmt.Fprintf(out, "The push refers to repository [%s]\n", named.Name())
				}
				bars = g.newLayerProgress(out, map[string]string{image.StatusWaiting: "Preparing"})
				opt.Progress = bars.report
			}
			p, err := s.Push(cmd.Context(), args[0], opt)
			if bars != nil {
				bars.close()
			}
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
