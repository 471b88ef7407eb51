package main

import (
	"fmt"
	"io"

	"github.com/distribution/reference"
	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
)

func newImagePullCommand(g *globalFlags) *cobra.Command {
	var quiet bool
	cmd := &cobra.Command{
		Use:   "pull [OPTIONS] NAME[:TAG|@DIGEST]",
		Short: "Download an image from a registry",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := g.images()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			p, err := g.pullImage(cmd.Context(), s, args[0], out, quiet, pullingFrom(args[0]))
			if err != nil {
				return err
			}
			printPulled(out, p, quiet)
			return nil
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Suppress verbose output")
	return cmd
}

// pullingFrom is docker's first line: "latest: Pulling from library/busybox";
// "" for a name that is not an image name.
func pullingFrom(ref string) string {
	normalized, err := image.NormalizeName(ref)
	if err != nil {
		return ""
	}
	named, err := reference.ParseNormalizedNamed(normalized)
	if err != nil {
		return "Pulling " + normalized
	}
	what := "latest"
	switch r := named.(type) {
	case reference.Digested:
		what = r.Digest().String()
	case reference.Tagged:
		what = r.Tag()
	}
	return what + ": Pulling from " + reference.Path(named)
}

// printPulled ends a pull as docker does.
func printPulled(w io.Writer, p image.Pulled, quiet bool) {
	if quiet {
		fmt.Fprintln(w, p.Name)
		return
	}
	fmt.Fprintln(w, "Digest:", p.Digest)
	status := "Downloaded newer image for"
	if p.UpToDate {
		status = "Image is up to date for"
	}
	fmt.Fprintln(w, "Status:", status, image.FamiliarName(p.Name))
	fmt.Fprintln(w, p.Name)
}
