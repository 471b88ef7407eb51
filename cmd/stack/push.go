package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/project"
)

func newPushCommand(g *globalFlags) *cobra.Command {
	var quiet, ignoreFailures bool
	cmd := &cobra.Command{
		Use:   "push [OPTIONS] [SERVICE...]",
		Short: "Push service images",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, names, err := g.loadBuilt(cmd.Context(), args)
			if err != nil {
				return err
			}
			s, err := g.images()
			if err != nil {
				return err
			}
			w := cmd.ErrOrStderr()
			var errs []error
			done := map[string]bool{}
			for _, name := range names {
				b := p.Services[name].Build
				if b == nil {
					continue // compose pushes what it builds
				}
				for _, ref := range append([]string{project.ImageName(p.Project, name)}, b.Tags...) {
					if done[ref] {
						continue
					}
					done[ref] = true
					_, err := g.pushImage(cmd.Context(), s, ref, w, quiet, fmt.Sprintf("Pushing %s (%s)", name, ref))
					if err != nil && ignoreFailures {
						fmt.Fprintf(w, "stack: warning: %v\n", err)
					} else if err != nil {
						errs = append(errs, err)
					} else if !quiet {
						fmt.Fprintf(w, "Pushed %s\n", name)
					}
				}
			}
			return errors.Join(errs...)
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Push without printing progress information")
	cmd.Flags().BoolVar(&ignoreFailures, "ignore-push-failures", false, "Push what it can and ignores images with push failures")
	return cmd
}
