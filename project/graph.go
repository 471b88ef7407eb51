package project

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Sentinel errors of the dependency graph.
var (
	ErrCycle          = errors.New("dependency cycle")
	ErrUnknownService = errors.New("depends on undefined service")
)

// DependencyError is a problem in a service's dependencies that NewGraph
// finds: it names the service, and unwraps to ErrCycle or ErrUnknownService.
type DependencyError struct {
	Service string
	Err     error
}

func (e *DependencyError) Error() string { return e.Err.Error() }
func (e *DependencyError) Unwrap() error { return e.Err }

// Conditions a dependency can wait for, as the Compose Specification names them.
const (
	ConditionStarted   = types.ServiceConditionStarted
	ConditionHealthy   = types.ServiceConditionHealthy
	ConditionCompleted = types.ServiceConditionCompletedSuccessfully
)

// Edge is one dependency of a service.
type Edge struct {
	Service   string // the service depended on
	Condition string // ConditionStarted, ConditionHealthy or ConditionCompleted
	Required  bool   // a missing or failed optional dependency only warns
	Restart   bool   // restart the dependent when this one is recreated
}

// Graph is the dependency graph of a project's services. Edges come from
// depends_on; compose-go adds links, network_mode/ipc/pid: service:X and
// volumes_from to depends_on while normalising, so every kind is here.
type Graph struct {
	names []string          // sorted
	deps  map[string][]Edge // sorted by Service
	users map[string][]string
}

// NewGraph builds the graph of p's services and checks it: every dependency
// names a defined service (unless it is optional) and there is no cycle.
func NewGraph(p *types.Project) (*Graph, error) {
	g := &Graph{deps: map[string][]Edge{}, users: map[string][]string{}}
	for name := range p.Services {
		g.names = append(g.names, name)
	}
	sort.Strings(g.names)
	for _, name := range g.names {
		svc := p.Services[name]
		for dep, d := range svc.DependsOn {
			if _, ok := p.Services[dep]; !ok {
				if !d.Required {
					continue
				}
				if _, disabled := p.DisabledServices[dep]; disabled {
					return nil, &DependencyError{Service: name, Err: fmt.Errorf("service %q depends on service %q, which is disabled by its profiles: enable it with --profile", name, dep)}
				}
				return nil, &DependencyError{Service: name, Err: fmt.Errorf("service %q %w %q", name, ErrUnknownService, dep)}
			}
			cond := d.Condition
			if cond == "" {
				cond = ConditionStarted
			}
			g.deps[name] = append(g.deps[name], Edge{Service: dep, Condition: cond, Required: d.Required, Restart: d.Restart})
			g.users[dep] = append(g.users[dep], name)
		}
		slices.SortFunc(g.deps[name], func(a, b Edge) int { return strings.Compare(a.Service, b.Service) })
	}
	for _, u := range g.users {
		sort.Strings(u)
	}
	if cycle := g.findCycle(); cycle != nil {
		return nil, &DependencyError{Service: cycle[0], Err: fmt.Errorf("%w: %s", ErrCycle, strings.Join(cycle, " -> "))}
	}
	return g, nil
}

// Services returns every service name, sorted.
func (g *Graph) Services() []string { return slices.Clone(g.names) }

// Dependencies returns the edges from name to the services it depends on.
func (g *Graph) Dependencies(name string) []Edge { return slices.Clone(g.deps[name]) }

// Dependents returns the services that depend on name, sorted.
func (g *Graph) Dependents(name string) []string { return slices.Clone(g.users[name]) }

// Order returns the services with every dependency before its dependents;
// among services free to go at the same time, by name.
func (g *Graph) Order() []string {
	pending := map[string]int{}
	for _, n := range g.names {
		pending[n] = len(g.deps[n])
	}
	var order, ready []string
	for _, n := range g.names {
		if pending[n] == 0 {
			ready = append(ready, n)
		}
	}
	for len(ready) > 0 {
		sort.Strings(ready)
		n := ready[0]
		ready = ready[1:]
		order = append(order, n)
		for _, u := range g.users[n] {
			if pending[u]--; pending[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	return order
}

// Closure returns names and every service they depend on, transitively, in
// Order.
func (g *Graph) Closure(names ...string) []string {
	want := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if want[n] {
			return
		}
		want[n] = true
		for _, e := range g.deps[n] {
			visit(e.Service)
		}
	}
	for _, n := range names {
		visit(n)
	}
	var out []string
	for _, n := range g.Order() {
		if want[n] {
			out = append(out, n)
		}
	}
	return out
}

// findCycle returns the first cycle found walking services by name, as a
// path that starts and ends with the same service, or nil.
func (g *Graph) findCycle() []string {
	const (
		unseen = iota
		onPath
		done
	)
	mark := map[string]int{}
	var path []string
	var walk func(string) []string
	walk = func(n string) []string {
		mark[n] = onPath
		path = append(path, n)
		for _, e := range g.deps[n] {
			switch mark[e.Service] {
			case onPath:
				i := slices.Index(path, e.Service)
				return append(slices.Clone(path[i:]), e.Service)
			case unseen:
				if c := walk(e.Service); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		mark[n] = done
		return nil
	}
	for _, n := range g.names {
		if mark[n] == unseen {
			if c := walk(n); c != nil {
				return c
			}
		}
	}
	return nil
}
