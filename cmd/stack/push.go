package main

import (
	"errors"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/project"
)

func newPushCommand(g *globalFlags) *cobra.Command {
	var quiet, ignoreFailures bool
	cmd := &cobra.Command{
		Use:   "push [OPTIONS] [SERVICE...]",
		Short: "Push service images",
		RunE: func(cmd *cobra.Command, args []string) error {
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
				names = p.ServicesWithBuild()
			}
			slices.Sort(names)
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
					opt := image.PushOptions{RegistryOptions: registryOptions()}
					var bars *layerProgress
					if !quiet {
						fmt.Fprintf(w, "Pushing %s (%s)\n", name, ref)
						bars = g.newLayerProgress(w, map[string]string{image.StatusWaiting: "Preparing"})
						opt.Progress = bars.report
					}
					_, err := s.Push(cmd.Context(), ref, opt)
					if bars != nil {
						bars.close()
					}
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
