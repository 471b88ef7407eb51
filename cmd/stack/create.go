package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/scheduler"
)

// createFlags are the flags create and up share: how containers are made.
type createFlags struct {
	forceRecreate, noRecreate, removeOrphans, build, noBuild bool
	scale                                                    []string
	pull                                                     string
}

func (f *createFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.BoolVar(&f.forceRecreate, "force-recreate", false, "Recreate containers even if their configuration and image haven't changed")
	fl.BoolVar(&f.noRecreate, "no-recreate", false, "If containers already exist, don't recreate them. Incompatible with --force-recreate.")
	fl.BoolVar(&f.removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	fl.BoolVar(&f.build, "build", false, "Build images before starting containers")
	fl.BoolVar(&f.noBuild, "no-build", false, "Don't build an image, even if it's policy")
	fl.StringVar(&f.pull, "pull", "policy", `Pull image before running ("always"|"missing"|"never"|"policy")`)
	fl.StringArrayVar(&f.scale, "scale", nil, "Scale SERVICE to NUM instances. Overrides the scale setting in the Compose file if present.")
}

// images is what the flags say to do about the services' images.
func (f *createFlags) images() imagePolicy {
	return imagePolicy{build: f.build, noBuild: f.noBuild, pull: f.pull}
}

func newCreateCommand(g *globalFlags) *cobra.Command {
	var f createFlags
	cmd := &cobra.Command{
		Use:   "create [OPTIONS] [SERVICE...]",
		Short: "Creates containers for a service",
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.forceRecreate && f.noRecreate {
				return errors.New("create: --force-recreate and --no-recreate are incompatible")
			}
			ctx := cmd.Context()
			s, services, err := g.openServices(ctx, changing, args)
			if err != nil {
				return err
			}
			defer s.close()
			counts, err := parseScale(f.scale)
			if err != nil {
				return err
			}
			_, err = s.converge(ctx, convergeOptions{title: "Running", scale: counts, images: f.images(),
				plan: scheduler.Options{Services: services, ForceRecreate: f.forceRecreate, NoRecreate: f.noRecreate, RemoveOrphans: f.removeOrphans, NoStart: true}})
			return err
		},
	}
	f.register(cmd)
	return cmd
}

func newScaleCommand(g *globalFlags) *cobra.Command {
	var noDeps bool
	cmd := &cobra.Command{
		Use:   "scale [SERVICE=REPLICAS...]",
		Short: "Scale services ",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			counts, err := parseScale(args)
			if err != nil {
				return err
			}
			var names []string
			for _, a := range args {
				name, _, _ := strings.Cut(a, "=")
				names = append(names, name)
			}
			ctx := cmd.Context()
			s, services, err := g.openServices(ctx, changing, names)
			if err != nil {
				return fmt.Errorf("scale: %w", err)
			}
			defer s.close()
			_, err = s.converge(ctx, convergeOptions{title: "Running", scale: counts,
				plan: scheduler.Options{Services: services, NoDeps: noDeps}})
			return err
		},
	}
	cmd.Flags().BoolVar(&noDeps, "no-deps", false, "Don't start linked services")
	return cmd
}
