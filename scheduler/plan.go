// Package scheduler decides what to do to a project's containers (Plan, pure)
// and does it (Execute: a walk of the dependency graph, as parallel as the
// dependencies allow, in reverse for teardown).
package scheduler

import (
	"maps"
	"slices"
	"strings"

	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
)

// Desired is what a project's containers should be.
type Desired struct {
	Project string
	Graph   *project.Graph // nil: the services have no dependencies
	// Services holds each service's replica specs in number order; their
	// labels carry the container number and the config hash. A service with
	// no entry is left as it is; an empty slice scales it to zero.
	Services map[string][]runtime.Spec
}

// Options are the flags of `up` that shape the plan.
type Options struct {
	// Services are the services named on the command line; empty means all.
	Services []string
	// NoDeps leaves the named services' dependencies alone; otherwise they
	// take part too.
	NoDeps bool
	// ForceRecreate recreates the named services' containers even unchanged.
	ForceRecreate bool
	// NoRecreate keeps existing containers even if their config changed.
	NoRecreate bool
	// AlwaysRecreateDeps recreates the dependencies that take part without
	// being named.
	AlwaysRecreateDeps bool
	// RemoveOrphans removes containers of services not in the project.
	RemoveOrphans bool
	// NoStart creates containers without starting any.
	NoStart bool
}

// recreate is when an existing, numbered container is replaced.
type recreate int

const (
	recreateDiverged recreate = iota // when its config hash differs
	recreateForce
	recreateNever
)

// PlanUp compares desired with observed, the project's containers, and
// returns the ops that converge them, as `up` does. It is pure.
func PlanUp(desired Desired, observed []runtime.State, opts Options) Plan {
	p := Plan{Project: desired.Project, NoStart: opts.NoStart, Replicas: map[string][]string{}}
	order := serviceOrder(desired.Graph, slices.Collect(maps.Keys(desired.Services)))
	known := map[string]bool{}
	for _, s := range order {
		known[s] = true
	}
	have := map[string][]runtime.State{}
	for _, s := range sortedByName(observed) {
		svc := s.Labels[labelService]
		switch {
		case desired.Project != "" && s.Labels[labelProject] != "" && s.Labels[labelProject] != desired.Project:
		case oneoff(s.Labels):
		case !known[svc]:
			p.Orphans = append(p.Orphans, s)
			if opts.RemoveOrphans {
				p.Ops = append(p.Ops, teardown(s, "orphan")...)
			}
		default:
			have[svc] = append(have[svc], s)
		}
	}

	named := map[string]bool{}
	for _, s := range opts.Services {
		named[s] = true
	}
	scope := named
	switch {
	case len(opts.Services) == 0:
		scope, named = known, known
	case !opts.NoDeps && desired.Graph != nil:
		scope = map[string]bool{}
		for _, s := range desired.Graph.Closure(opts.Services...) {
			scope[s] = true
		}
	}

	recreated := map[string]bool{}
	for _, svc := range order {
		specs, ok := desired.Services[svc]
		if !scope[svc] || !ok {
			continue
		}
		r := replicas{service: svc, noStart: opts.NoStart, policy: policy(named[svc], opts)}
		r.restart = restartReason(desired.Graph, svc, recreated)
		ops, names := r.plan(specs, have[svc])
		for _, o := range ops {
			recreated[svc] = recreated[svc] || o.Kind == OpRecreate
		}
		p.Ops = append(p.Ops, ops...)
		p.Replicas[svc] = names
	}
	return p
}

// policy is Compose's: the named services follow --force-recreate and
// --no-recreate, their dependencies --always-recreate-deps and --no-recreate.
func policy(named bool, opts Options) recreate {
	switch {
	case opts.NoRecreate:
		return recreateNever
	case named && opts.ForceRecreate, !named && opts.AlwaysRecreateDeps:
		return recreateForce
	}
	return recreateDiverged
}

// restartReason says why svc's running containers restart: a dependency
// with `restart: true` was recreated. It is "" when they need not.
func restartReason(g *project.Graph, svc string, recreated map[string]bool) string {
	if g == nil {
		return ""
	}
	var deps []string
	for _, e := range g.Dependencies(svc) {
		if e.Restart && recreated[e.Service] {
			deps = append(deps, e.Service)
		}
	}
	if len(deps) == 0 {
		return ""
	}
	return "dependency " + strings.Join(deps, ", ") + " recreated"
}

// serviceOrder is g's dependency order, or names sorted when g is nil.
func serviceOrder(g *project.Graph, names []string) []string {
	if g != nil {
		return g.Order()
	}
	slices.Sort(names)
	return names
}

func sortedByName(states []runtime.State) []runtime.State {
	out := slices.Clone(states)
	slices.SortFunc(out, func(a, b runtime.State) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// teardown stops s if it runs, then removes it.
func teardown(s runtime.State, reason string) []Op {
	svc := s.Labels[labelService]
	rm := Op{Kind: OpRemove, Service: svc, Name: s.Name, ID: s.ID, Reason: reason}
	if !s.Running() {
		return []Op{rm}
	}
	return []Op{{Kind: OpStop, Service: svc, Name: s.Name, ID: s.ID, Reason: reason}, rm}
}
