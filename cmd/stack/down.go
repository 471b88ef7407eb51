package main

import (
	"context"
	"fmt"
	"slices"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/scheduler"
)

type downFlags struct {
	volumes, removeOrphans bool
	rmi                    string
	timeout                int
}

func newDownCommand(g *globalFlags) *cobra.Command {
	var f downFlags
	cmd := &cobra.Command{
		Use:   "down [OPTIONS] [SERVICES]",
		Short: "Stop and remove containers, networks",
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.rmi != "" && f.rmi != "local" && f.rmi != "all" {
				return fmt.Errorf("down: --rmi %q: use local or all", f.rmi)
			}
			ctx := cmd.Context()
			s, services, err := g.openServices(ctx, changing, args)
			if err != nil {
				return err
			}
			defer s.close()
			return s.down(ctx, services, f, timeoutFlag(cmd, f.timeout))
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&f.volumes, "volumes", "v", false, "Remove named volumes declared in the \"volumes\" section of the Compose file and anonymous volumes attached to containers")
	fl.BoolVar(&f.removeOrphans, "remove-orphans", false, "Remove containers for services not defined in the Compose file")
	fl.StringVar(&f.rmi, "rmi", "", `Remove images used by services. "local" remove only images that don't have a custom tag ("local"|"all")`)
	fl.IntVarP(&f.timeout, "timeout", "t", 0, "Specify a shutdown timeout in seconds")
	return cmd
}

// down removes the project's containers, then with -v its volumes, with
// --rmi its images.
func (s *session) down(ctx context.Context, services []string, f downFlags, timeout *int) error {
	observed, err := s.containers(ctx, listOptions{stopped: true, oneoff: true})
	if err != nil {
		return err
	}
	graph := s.p.Graph
	if s.nameOnly {
		graph = nil // no compose file: every container of the project goes
	}
	plan := scheduler.PlanDown(observed, graph, scheduler.DownOptions{Services: services, RemoveOrphans: f.removeOrphans})
	if len(plan.Orphans) > 0 && !f.removeOrphans {
		s.g.logger().Warn(fmt.Sprintf("Found %d orphan containers for this project: remove them with --remove-orphans", len(plan.Orphans)))
	}
	if s.dryRun(plan) {
		return nil
	}
	pr := s.g.newProgress("Running")
	defer pr.close()
	if err := s.executeWith(ctx, plan, graph, pr, timeout); err != nil {
		return err
	}
	if len(services) == 0 {
		nets, err := s.networks(pr)
		if err != nil {
			return err
		}
		if err := nets.Remove(ctx); err != nil {
			return err
		}
	}
	if f.volumes && len(services) == 0 {
		names, err := scheduler.ProjectVolumes(s.vols, s.p.Name)
		if err != nil {
			return err
		}
		removed, err := scheduler.RemoveVolumes(ctx, s.engine, s.vols, names)
		for _, v := range removed {
			pr.resource("Volume", v, scheduler.Removed)
		}
		if err != nil {
			return err
		}
	}
	if f.rmi != "" {
		return s.removeImages(ctx, f.rmi == "all", pr)
	}
	return nil
}

// removeImages removes the images of the project's services: all of them,
// or only those named after the project (the ones it builds).
func (s *session) removeImages(ctx context.Context, all bool, pr *progress) error {
	var refs []string
	for _, name := range s.p.ServiceNames() {
		ref := project.ImageName(s.p.Project, name)
		local := s.p.Services[name].Image == ""
		if (all || local) && !slices.Contains(refs, ref) {
			refs = append(refs, ref)
		}
	}
	for _, ref := range refs {
		if _, err := s.images.Get(ref); err != nil {
			continue
		}
		if _, err := s.images.Remove(ctx, ref, image.RemoveOptions{InUse: s.imageInUse(ctx)}); err != nil {
			return err
		}
		pr.resource("Image", ref, scheduler.Removed)
	}
	return nil
}

// imageInUse reports whether any container runs the image with that ID;
// if the containers cannot be listed, it may be.
func (s *session) imageInUse(ctx context.Context) func(id string) bool {
	return func(id string) bool {
		used, err := usedImages(ctx, s.engine, s.images)
		return err != nil || used[id]
	}
}
