package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/internal/fault"
	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/scheduler"
	"github.com/stackorch/stack/service"
)

// convergeOptions are what up, create and scale ask of converge.
type convergeOptions struct {
	plan    scheduler.Options
	scale   map[string]int
	images  imagePolicy
	timeout *int // -t
	title   string
}

// converge plans and runs the project's up: it checks images and external
// volumes first, so that nothing is made when one is missing, warns about
// orphans, and with --dry-run prints the plan instead of running it.
func (s *session) converge(ctx context.Context, o convergeOptions) (scheduler.Plan, error) {
	if err := s.ensureImages(ctx, s.scope(o.plan), o.images); err != nil {
		return scheduler.Plan{}, err
	}
	if err := (scheduler.Volumes{Store: s.vols, Project: s.p}).Check(); err != nil {
		return scheduler.Plan{}, err
	}
	desired, err := scheduler.NewDesired(s.p, scheduler.DesiredOptions{
		Scale:   o.scale,
		Service: service.Options{Version: versionString(), EnvFiles: s.g.envFiles},
		ImageID: func(ref string) (string, error) {
			id, err := s.imageID(ref)
			if errors.Is(err, image.ErrNotFound) {
				return "", nil // a service not taking part: it keeps its containers
			}
			return id, err
		},
	})
	if err != nil {
		return scheduler.Plan{}, err
	}
	observed, err := s.containers(ctx, listOptions{stopped: true, oneoff: true})
	if err != nil {
		return scheduler.Plan{}, err
	}
	plan := scheduler.PlanUp(desired, observed, o.plan)
	if len(plan.Orphans) > 0 && !o.plan.RemoveOrphans {
		var names []string
		for _, c := range plan.Orphans {
			names = append(names, c.Name)
		}
		s.g.logger().Warn(fmt.Sprintf("Found orphan containers ([%s]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.", strings.Join(names, " ")))
	}
	if s.dryRun(plan) {
		return plan, nil
	}
	pr := s.g.newProgress(o.title)
	defer pr.close()
	nets, err := s.networks(pr)
	if err != nil {
		return plan, err
	}
	if err := nets.Ensure(ctx); err != nil {
		return plan, err
	}
	fault.Point("up.after-network")
	if err := nets.Manager.CheckPorts(ctx, plan.Ports()); err != nil {
		return plan, err
	}
	touched := map[string]bool{}
	for _, op := range plan.Ops {
		touched[op.Name] = true
	}
	for _, name := range replicaNames(plan, nil) {
		if !touched[name] && !plan.NoStart {
			pr.resource("Container", name, "Running") // kept as it is
		}
	}
	return plan, s.executeWith(ctx, plan, s.p.Graph, pr, o.timeout)
}

// scope is the services an up with opts acts on.
func (s *session) scope(opts scheduler.Options) []string {
	switch {
	case len(opts.Services) == 0:
		return s.p.Graph.Order()
	case opts.NoDeps:
		return opts.Services
	}
	return s.p.Graph.Closure(opts.Services...)
}

// imagePolicy is what up does about the images: --build, --no-build and
// --pull (always, missing, never, or "policy": each service's pull_policy).
type imagePolicy struct {
	build, noBuild bool
	pull           string
}

// ensureImages makes sure the services' images are in the store, building
// or pulling them as Docker Compose does: --build or pull_policy: build
// builds, a missing image is built if the service has build:, else pulled.
// A missing image stops up before anything is created.
func (s *session) ensureImages(ctx context.Context, services []string, o imagePolicy) error {
	var pr *progress
	defer func() {
		if pr != nil {
			pr.close()
		}
	}()
	done := map[string]bool{}
	for _, name := range services {
		svc := s.p.Services[name]
		ref := project.ImageName(s.p.Project, name)
		if done[ref] {
			continue
		}
		done[ref] = true
		policy := o.pull
		if policy == "" || policy == "policy" {
			policy = svc.PullPolicy
		}
		_, err := s.images.Get(ref)
		have := err == nil
		build := svc.Build != nil && !o.noBuild && (o.build || policy == "build" || !have)
		pull := !build && (policy == "always" || (!have && policy != "never" && policy != "build"))
		switch {
		case s.g.ui.dryRun && (build || pull):
			fmt.Printf("%s image %s\n", map[bool]string{true: "build", false: "pull"}[build], ref)
		case build:
			if _, err := s.g.buildService(ctx, s.p, name, &buildFlags{}, os.Stderr); err != nil {
				return err
			}
		case pull:
			if pr == nil {
				pr = s.g.newProgress("Pulling")
			}
			pr.resource("Image", ref, "Pulling")
			if _, err := s.images.Pull(ctx, ref, image.PullOptions{RegistryOptions: registryOptions()}); err != nil {
				pr.resource("Image", ref, scheduler.Failed)
				if have {
					return err
				}
				return fmt.Errorf("image %q: not found here, and %w", ref, err)
			}
			pr.resource("Image", ref, "Pulled")
		case !have:
			return s.missing(ref, svc.Build != nil)
		}
	}
	return nil
}

// missing is the error for an image that is not here, not built and not
// pulled.
func (s *session) missing(ref string, build bool) error {
	if build {
		return fmt.Errorf("image %q: %w: build it (stack build, or up without --no-build)", ref, image.ErrNotFound)
	}
	return fmt.Errorf("image %q: %w: pull it, or make it with stack image load or import", ref, image.ErrNotFound)
}

// imageID finds the image ref names in the store.
func (s *session) imageID(ref string) (string, error) {
	img, err := s.images.Get(ref)
	if errors.Is(err, image.ErrNotFound) {
		return "", s.missing(ref, false)
	}
	if err != nil {
		return "", err
	}
	return img.ID, nil
}

// parseScale reads --scale SERVICE=N flags.
func parseScale(flags []string) (map[string]int, error) {
	out := map[string]int{}
	for _, f := range flags {
		name, n, ok := strings.Cut(f, "=")
		var count int
		if _, err := fmt.Sscanf(n, "%d", &count); !ok || err != nil || count < 0 || name == "" {
			return nil, fmt.Errorf("scale %q: expected SERVICE=REPLICAS", f)
		}
		out[name] = count
	}
	return out, nil
}

// replicaNames lists the containers the plan leaves for services, sorted.
func replicaNames(plan scheduler.Plan, services []string) []string {
	var out []string
	for svc, names := range plan.Replicas {
		if len(services) == 0 || slices.Contains(services, svc) {
			out = append(out, names...)
		}
	}
	slices.Sort(out)
	return out
}
