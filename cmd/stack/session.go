package main

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/stackorch/stack/image"
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
	unlock func()
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
	s := &session{g: g, p: p, unlock: func() {}}
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

func (s *session) close() { s.unlock() }

// setVolumes makes s.rt prepare volumes; renew makes anonymous ones afresh.
func (s *session) setVolumes(renew bool) {
	s.rt = scheduler.Volumes{Store: s.vols, Image: storeImages{s.images}.content, Project: s.p,
		Version: versionString(), RenewAnonymous: renew}.Runtime(s.engine)
}

// services checks that each name is a service of the project (or a glob
// matching one) and returns the names, expanded.
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
	return out, nil
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

// execute runs plan with a progress display titled title.
func (s *session) execute(ctx context.Context, plan scheduler.Plan, title string, timeout *int) error {
	pr := s.g.newProgress(title)
	opts := scheduler.ExecOptions{Logger: s.g.logger(), Events: pr.event}
	if timeout != nil && *timeout >= 0 {
		d := seconds(*timeout)
		opts.Timeout = &d
	}
	err := scheduler.Execute(ctx, s.rt, plan, s.p.Graph, opts)
	pr.close()
	return err
}
