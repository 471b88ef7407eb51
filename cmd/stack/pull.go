package main

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/project"
)

func newPullCommand(g *globalFlags) *cobra.Command {
	var quiet, ignoreFailures, ignoreBuildable bool
	var policy string
	cmd := &cobra.Command{
		Use:   "pull [OPTIONS] [SERVICE...]",
		Short: "Pull service images",
		RunE: func(cmd *cobra.Command, args []string) error {
			if policy != "" && policy != "missing" && policy != "always" {
				return fmt.Errorf("pull: unsupported --policy %q (missing or always)", policy)
			}
			p, err := g.load(cmd.Context(), args...)
			if err != nil {
				return err
			}
			s, err := g.images()
			if err != nil {
				return err
			}
			names := args
			if len(names) == 0 {
				names = slices.Sorted(maps.Keys(p.Services))
			}
			w := cmd.ErrOrStderr()
			done := map[string]bool{}
			var errs []error
			for _, name := range names {
				svc := p.Services[name]
				ref := project.ImageName(p.Project, name)
				if svc.Image == "" || (ignoreBuildable && svc.Build != nil) || done[ref] {
					continue // a service with only build: has nothing to pull
				}
				done[ref] = true
				if _, err := s.Get(ref); err == nil && policy == "missing" {
					continue
				}
				_, err := g.pullImage(cmd.Context(), s, ref, w, quiet, fmt.Sprintf("Pulling %s (%s)", name, image.FamiliarName(ref)))
				switch {
				case err == nil:
					if !quiet {
						fmt.Fprintf(w, "Pulled %s\n", name)
					}
				case svc.Build != nil || ignoreFailures:
					fmt.Fprintf(w, "stack: warning: %v\n", err)
				default:
					errs = append(errs, err)
				}
			}
			return errors.Join(errs...)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&quiet, "quiet", "q", false, "Pull without printing progress information")
	fl.BoolVar(&ignoreFailures, "ignore-pull-failures", false, "Pull what it can and ignores images with pull failures")
	fl.BoolVar(&ignoreBuildable, "ignore-buildable", false, "Ignore images that can be built")
	fl.StringVar(&policy, "policy", "", `Apply pull policy ("missing"|"always")`)
	return cmd
}
