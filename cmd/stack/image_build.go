package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
)

// buildFlags are the flags `stack build` and `stack image build` share.
type buildFlags struct {
	args    []string
	noCache bool
	pull    bool
	quiet   bool
}

func (f *buildFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringArrayVar(&f.args, "build-arg", nil, "Set build-time variables (KEY=VALUE, or KEY to take it from the environment)")
	fl.BoolVar(&f.noCache, "no-cache", false, "Do not use cache when building the image")
	fl.BoolVar(&f.pull, "pull", false, "Always attempt to pull a newer version of the base images")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "Suppress the build output")
}

// buildArgs parses --build-arg: KEY=VALUE, or KEY for the environment's
// value (left out when the environment has none), as docker does.
func (f *buildFlags) buildArgs(into map[string]string) map[string]string {
	if into == nil {
		into = map[string]string{}
	}
	for _, a := range f.args {
		if k, v, ok := strings.Cut(a, "="); ok {
			into[k] = v
		} else if v, ok := os.LookupEnv(a); ok {
			into[a] = v
		}
	}
	return into
}

// build runs one build with the engine for RUN, printing its steps to w.
func (g *globalFlags) build(ctx context.Context, spec image.BuildSpec, f *buildFlags, w io.Writer) (image.Image, error) {
	s, err := g.images()
	if err != nil {
		return image.Image{}, err
	}
	spec.NoCache = spec.NoCache || f.noCache
	spec.Pull = spec.Pull || f.pull
	opt := image.BuildOptions{Runner: g.buildRunner(), Pull: image.PullOptions{RegistryOptions: registryOptions()}}
	if !f.quiet {
		p := newBuildPrinter(w)
		opt.Progress, opt.Output = p.event, p
	}
	return s.Build(ctx, spec, opt)
}

func newImageBuildCommand(g *globalFlags) *cobra.Command {
	var f buildFlags
	var spec image.BuildSpec
	var labels []string
	cmd := &cobra.Command{
		Use:   "build [OPTIONS] PATH",
		Short: "Build an image from a Dockerfile",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			spec.Context = args[0]
			spec.Args = f.buildArgs(nil)
			for _, l := range labels {
				k, v, _ := strings.Cut(l, "=")
				if spec.Labels == nil {
					spec.Labels = map[string]string{}
				}
				spec.Labels[k] = v
			}
			if spec.Dockerfile == "-" {
				data, err := io.ReadAll(cmd.InOrStdin())
				if err != nil {
					return fmt.Errorf("read dockerfile: %w", err)
				}
				spec.Dockerfile, spec.DockerfileInline = "", string(data)
			}
			img, err := g.build(cmd.Context(), spec, &f, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			if f.quiet {
				fmt.Fprintln(cmd.OutOrStdout(), img.ID)
				return nil
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "writing image %s\n", img.ID)
			for _, t := range img.RepoTags {
				if containsName(spec.Tags, t) {
					fmt.Fprintf(cmd.ErrOrStderr(), "naming to %s\n", t)
				}
			}
			return nil
		},
	}
	f.register(cmd)
	fl := cmd.Flags()
	fl.StringArrayVarP(&spec.Tags, "tag", "t", nil, "Name and optionally a tag in the name:tag format")
	fl.StringVarP(&spec.Dockerfile, "file", "f", "", "Name of the Dockerfile (default: PATH/Dockerfile; - reads it from STDIN)")
	fl.StringVar(&spec.Target, "target", "", "Set the target build stage to build")
	fl.StringArrayVar(&labels, "label", nil, "Set metadata for an image")
	return cmd
}

// containsName tells whether one of names normalises to normalized.
func containsName(names []string, normalized string) bool {
	for _, n := range names {
		if m, err := image.NormalizeName(n); err == nil && m == normalized {
			return true
		}
	}
	return false
}
