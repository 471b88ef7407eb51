package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/project"
)

func newBuildCommand(g *globalFlags) *cobra.Command {
	var f buildFlags
	cmd := &cobra.Command{
		Use:   "build [OPTIONS] [SERVICE...]",
		Short: "Build or rebuild services",
		RunE: func(cmd *cobra.Command, args []string) error {
			p, names, err := g.loadBuilt(cmd.Context(), args)
			if err != nil {
				return err
			}
			for _, name := range names {
				if p.Services[name].Build == nil {
					continue
				}
				img, err := g.buildService(cmd.Context(), p, name, &f, cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				if f.quiet {
					fmt.Fprintln(cmd.OutOrStdout(), img.ID)
				}
			}
			return nil
		},
	}
	f.register(cmd)
	return cmd
}

// loadBuilt loads the project and names the services build and push act
// on: those in args, else every one with build:, sorted.
func (g *globalFlags) loadBuilt(ctx context.Context, args []string) (*project.Project, []string, error) {
	p, err := g.load(ctx, args...)
	if err != nil {
		return nil, nil, err
	}
	names := args
	if len(names) == 0 {
		names = p.ServicesWithBuild()
	}
	slices.Sort(names)
	return p, names, nil
}

// buildService builds the image of a service with build:, named as
// project.ImageName says and tagged with build.tags too; `up --build` and
// `up` with a missing image call it.
func (g *globalFlags) buildService(ctx context.Context, p *project.Project, name string, f *buildFlags, w io.Writer) (image.Image, error) {
	svc := p.Services[name]
	b := svc.Build
	if b == nil {
		return image.Image{}, fmt.Errorf("build service %q: no build section", name)
	}
	spec := image.BuildSpec{Context: b.Context, Dockerfile: b.Dockerfile, DockerfileInline: b.DockerfileInline,
		Target: b.Target, Labels: b.Labels, NoCache: b.NoCache, Pull: b.Pull,
		Tags: append([]string{project.ImageName(p.Project, name)}, b.Tags...)}
	spec.Args = map[string]string{}
	for k, v := range b.Args {
		if v != nil {
			spec.Args[k] = *v
		}
	}
	f.buildArgs(spec.Args)
	if !f.quiet {
		fmt.Fprintf(w, "[+] Building %s\n", name)
	}
	img, err := g.build(ctx, spec, f, w)
	if err != nil {
		return img, fmt.Errorf("build service %q: %w", name, err)
	}
	return img, nil
}
