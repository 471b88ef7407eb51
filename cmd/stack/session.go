package main

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/spf13/cobra"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
	"github.com/stackorch/stack/scheduler"
	"github.com/stackorch/stack/service"
	"github.com/stackorch/stack/volume"
)

// session is what a verb on a project works with: the project, the engine
// and the stores, and the project's lock when the verb changes things.
type session struct {
	g      *globalFlags
	p      *project.Project
	engine *linux.Engine
	rt     runtime.Runtime // the engine, making volumes before containers
	images *image.Store
	vols   *volume.Store
	nets   *network.Manager // opened on first use
	unlock func()
	// nameOnly: no compose file, the project is known by -p alone; its
	// containers are all it is.
	nameOnly bool
}

// openOptions say what a verb needs of its session.
type openOptions struct {
	lock bool // take the project's lock: the verb changes containers
	// nameOnly lets the verb run on a project known by -p alone, with no
	// compose file, as down, ps and logs do.
	nameOnly bool
}

// open loads the project and opens the engine, taking the project's lock
// if o.lock.
func (g *globalFlags) open(ctx context.Context, o openOptions) (*session, error) {
	if err := g.ui.check(); err != nil {
		return nil, err
	}
	p, err := project.Open(ctx, g.options())
	if err != nil {
		if !o.nameOnly || g.name == "" {
			return nil, err
		}
		tp := &types.Project{Name: g.name, Services: types.Services{}}
		g, gerr := project.NewGraph(tp)
		if gerr != nil {
			return nil, err
		}
		p = &project.Project{Project: tp, Graph: g}
	}
	s := &session{g: g, p: p, unlock: func() {}, nameOnly: len(p.ComposeFiles) == 0}
	if s.images, err = g.images(); err != nil {
		return nil, err
	}
	if s.vols, err = g.volumes(); err != nil {
		return nil, err
	}
	if s.engine, err = g.engine(); err != nil {
		return nil, err
	}
	s.setVolumes(false)
	if o.lock {
		if s.unlock, err = scheduler.Lock(ctx, filepath.Join(g.paths().Run, "locks"), p.Name); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func (s *session) close() {
	s.release()
	if s.nets != nil {
		s.nets.Close()
		s.nets = nil
	}
}

// ensureNetworks makes the project's networks if they are missing.
func (s *session) ensureNetworks(ctx context.Context) error {
	if s.g.ui.dryRun {
		return nil
	}
	pr := s.g.newProgress("Running")
	defer pr.close()
	nets, err := s.networks(pr)
	if err != nil {
		return err
	}
	return nets.Ensure(ctx)
}

// release lets go of the project's lock, if held: a foreground up lets
// other commands (stop, down) act on the project while it shows the logs.
func (s *session) release() {
	s.unlock()
	s.unlock = func() {}
}

// networks is the project's networks, reporting to pr if not nil.
func (s *session) networks(pr *progress) (scheduler.Networks, error) {
	if s.nets == nil {
		m, err := s.g.networks()
		if err != nil {
			return scheduler.Networks{}, err
		}
		s.nets = m
	}
	n := scheduler.Networks{Manager: s.nets, Project: s.p, Version: versionString()}
	if pr != nil {
		n.Event = func(name string, st scheduler.Status) { pr.resource("Network", name, st) }
	}
	return n, nil
}

// setVolumes makes s.rt prepare volumes; renew makes anonymous ones afresh.
func (s *session) setVolumes(renew bool) {
	s.rt = scheduler.Volumes{Store: s.vols, Image: storeImages{s.images}.content, Project: s.p,
		Version: versionString(), RenewAnonymous: renew}.Runtime(s.engine)
}

// services checks that each name is a service of the project (or a glob
// matching one) and returns the names, expanded. A named service that its
// profiles disable is enabled, as Docker Compose enables it.
func (s *session) services(names []string) ([]string, error) {
	var out []string
	for _, n := range names {
		found := false
		for _, svc := range slices.Sorted(maps.Keys(s.p.AllServices())) {
			if ok, _ := filepath.Match(n, svc); ok || n == svc {
				found = true
				if !slices.Contains(out, svc) {
					out = append(out, svc)
				}
			}
		}
		if !found {
			return nil, fmt.Errorf("select service %q: %w", n, project.ErrNoService)
		}
	}
	var disabled []string
	for _, n := range out {
		if _, ok := s.p.Services[n]; !ok {
			disabled = append(disabled, n)
		}
	}
	if len(disabled) > 0 {
		tp, err := s.p.WithServicesEnabled(disabled...)
		if err != nil {
			return nil, err
		}
		g, err := project.NewGraph(tp)
		if err != nil {
			return nil, err
		}
		s.p = &project.Project{Project: tp, Graph: g}
		s.setVolumes(false)
	}
	return out, nil
}

// known reports whether c's service is in the project (else an orphan).
func (s *session) known(c runtime.State) bool {
	_, ok := s.p.Services[c.Labels[service.LabelService]]
	return ok
}

// listOptions choose which of the project's containers to list.
type listOptions struct {
	services []string // empty: all
	stopped  bool     // include containers not running
	oneoff   bool     // include one-off (run) containers
}

// containers lists the project's containers, by name.
func (s *session) containers(ctx context.Context, o listOptions) ([]runtime.State, error) {
	all, err := s.engine.List(ctx, map[string]string{service.LabelProject: s.p.Name})
	if err != nil {
		return nil, err
	}
	var out []runtime.State
	for _, c := range all {
		switch {
		case len(o.services) > 0 && !slices.Contains(o.services, c.Labels[service.LabelService]):
		case !o.stopped && !c.Running():
		case !o.oneoff && c.Labels[service.LabelOneOff] == "True":
		default:
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b runtime.State) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// openServices opens a locked session for a verb on services args.
func (g *globalFlags) openServices(cmd *cobra.Command, args []string) (*session, []string, error) {
	s, err := g.open(cmd.Context(), openOptions{lock: true, nameOnly: true})
	if err != nil {
		return nil, nil, err
	}
	services, err := s.services(args)
	if err != nil {
		s.close()
		return nil, nil, err
	}
	return s, services, nil
}

// run executes plan with a progress display titled title, or with
// --dry-run prints it.
func (s *session) run(ctx context.Context, plan scheduler.Plan, title string, timeout *int) error {
	if s.g.ui.dryRun {
		fmt.Print(plan.String())
		return nil
	}
	return s.execute(ctx, plan, title, timeout)
}

// execute runs plan with a progress display titled title.
func (s *session) execute(ctx context.Context, plan scheduler.Plan, title string, timeout *int) error {
	pr := s.g.newProgress(title)
	defer pr.close()
	return s.executeWith(ctx, plan, s.p.Graph, pr, timeout)
}

// executeWith runs plan on graph, its events shown by pr.
func (s *session) executeWith(ctx context.Context, plan scheduler.Plan, graph *project.Graph, pr *progress, timeout *int) error {
	opts := scheduler.ExecOptions{Logger: s.g.logger(), Events: pr.event}
	if timeout != nil {
		d := seconds(*timeout)
		opts.Timeout = &d
	}
	return scheduler.Execute(ctx, s.rt, plan, graph, opts)
}
