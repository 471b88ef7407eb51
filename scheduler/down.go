package scheduler

import (
	"slices"

	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
)

// DownOptions are the flags of `down` that shape the plan.
type DownOptions struct {
	// Services limits the teardown to these services; empty means all.
	Services []string
	// RemoveOrphans removes containers of services not in the graph too.
	RemoveOrphans bool
}

// PlanDown returns the ops that stop and remove observed, the project's
// containers (one-off ones included), dependents before their dependencies.
// It is pure.
func PlanDown(observed []runtime.State, graph *project.Graph, opts DownOptions) Plan {
	p := Plan{Down: true}
	have := map[string][]runtime.State{}
	var names []string
	for _, s := range sortedByName(observed) {
		svc := s.Labels[labelService]
		if _, seen := have[svc]; !seen {
			names = append(names, svc)
		}
		have[svc] = append(have[svc], s)
		if p.Project == "" {
			p.Project = s.Labels[labelProject]
		}
	}
	order := serviceOrder(graph, names)
	known := map[string]bool{}
	for _, s := range order {
		known[s] = true
	}
	for _, s := range sortedByName(observed) {
		if !known[s.Labels[labelService]] {
			p.Orphans = append(p.Orphans, s)
			if opts.RemoveOrphans {
				p.Ops = append(p.Ops, teardown(s, "orphan")...)
			}
		}
	}
	slices.Reverse(order)
	for _, svc := range order {
		if len(opts.Services) > 0 && !slices.Contains(opts.Services, svc) {
			continue
		}
		states := have[svc]
		byNumber(states)
		for _, s := range states {
			p.Ops = append(p.Ops, teardown(s, "")...)
		}
	}
	return p
}
