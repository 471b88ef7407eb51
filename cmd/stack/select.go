package main

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/service"
)

// What verbs open: one that only reads takes no lock, one that changes
// containers takes the project's; both work on a project known by -p alone.
var (
	reading  = openOptions{nameOnly: true}
	changing = openOptions{lock: true, nameOnly: true}
)

// openServices opens a session as o says and selects the services args
// names (expanded; none: all).
func (g *globalFlags) openServices(ctx context.Context, o openOptions, args []string) (*session, []string, error) {
	s, err := g.open(ctx, o)
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

// onContainers opens a session as o says, lists the containers of the
// services args names as l says, and calls fn with them.
func (g *globalFlags) onContainers(ctx context.Context, o openOptions, args []string, l listOptions,
	fn func(s *session, services []string, cs []runtime.State) error) error {
	s, services, err := g.openServices(ctx, o, args)
	if err != nil {
		return err
	}
	defer s.close()
	l.services = services
	cs, err := s.containers(ctx, l)
	if err != nil {
		return err
	}
	return fn(s, services, cs)
}

// onReplica opens a session for reading and calls fn with the running
// container number index (0: the first) of svc.
func (g *globalFlags) onReplica(ctx context.Context, svc string, index int, fn func(s *session, c runtime.State) error) error {
	s, err := g.open(ctx, reading)
	if err != nil {
		return err
	}
	defer s.close()
	c, err := s.replica(ctx, svc, index)
	if err != nil {
		return err
	}
	return fn(s, c)
}

// replica finds the running container number index (0: the first) of svc.
func (s *session) replica(ctx context.Context, svc string, index int) (runtime.State, error) {
	if _, err := s.services([]string{svc}); err != nil {
		return runtime.State{}, err
	}
	cs, err := s.containers(ctx, listOptions{services: []string{svc}, index: index})
	if err != nil {
		return runtime.State{}, err
	}
	if len(cs) > 0 {
		return cs[0], nil
	}
	if index > 0 {
		return runtime.State{}, fmt.Errorf("service %q has no running container number %d", svc, index)
	}
	return runtime.State{}, fmt.Errorf("service %q is not running", svc)
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
	index    int      // only those numbered index, if not 0
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
		case o.index > 0 && c.Labels[service.LabelContainerNumber] != strconv.Itoa(o.index):
		default:
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b runtime.State) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}
