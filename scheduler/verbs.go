package scheduler

import (
	"slices"

	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
)

// Plans of the verbs that act on existing containers: start, stop,
// restart and rm. Each is pure; observed are the project's containers
// (one-off ones are left alone), services limit it (empty: all).

// PlanStart starts the stopped containers, dependencies first, waiting for
// each dependency's condition as up does.
func PlanStart(observed []runtime.State, graph *project.Graph, services []string) Plan {
	return planEach(observed, graph, services, false, func(s runtime.State) []Op {
		if s.Running() {
			return nil
		}
		return []Op{op(OpStart, s, "")}
	})
}

// PlanStop stops the running containers, dependents first.
func PlanStop(observed []runtime.State, graph *project.Graph, services []string) Plan {
	return planEach(observed, graph, services, true, func(s runtime.State) []Op {
		if !s.Running() {
			return nil
		}
		return []Op{op(OpStop, s, "")}
	})
}

// PlanRestart restarts the running containers and starts the stopped ones,
// dependencies first.
func PlanRestart(observed []runtime.State, graph *project.Graph, services []string) Plan {
	return planEach(observed, graph, services, false, func(s runtime.State) []Op {
		if s.Running() {
			return []Op{op(OpRestart, s, "")}
		}
		return []Op{op(OpStart, s, "")}
	})
}

// PlanRemove removes the stopped containers; with stop, running ones are
// stopped first and removed too.
func PlanRemove(observed []runtime.State, graph *project.Graph, services []string, stop bool) Plan {
	return planEach(observed, graph, services, true, func(s runtime.State) []Op {
		if s.Running() && !stop {
			return nil
		}
		return teardown(s, "")
	})
}

func op(k Kind, s runtime.State, reason string) Op {
	return Op{Kind: k, Service: s.Labels[labelService], Name: s.Name, ID: s.ID, Reason: reason}
}

// planEach plans each chosen container with fn, by service in dependency
// order (reverse for down), then by replica number.
func planEach(observed []runtime.State, graph *project.Graph, services []string, down bool, fn func(runtime.State) []Op) Plan {
	p := Plan{Down: down, Replicas: map[string][]string{}}
	have := map[string][]runtime.State{}
	var names []string
	for _, s := range sortedByName(observed) {
		if oneoff(s.Labels) {
			continue
		}
		svc := s.Labels[labelService]
		if len(services) > 0 && !slices.Contains(services, svc) {
			continue
		}
		if _, seen := have[svc]; !seen {
			names = append(names, svc)
		}
		have[svc] = append(have[svc], s)
		p.Project = s.Labels[labelProject]
	}
	order := serviceOrder(graph, names)
	for _, n := range names { // services gone from the project: last
		if !slices.Contains(order, n) {
			order = append(order, n)
		}
	}
	if down {
		slices.Reverse(order)
	}
	for _, svc := range order {
		states, ok := have[svc]
		if !ok {
			continue
		}
		byNumber(states)
		for _, s := range states {
			p.Ops = append(p.Ops, fn(s)...)
			p.Replicas[svc] = append(p.Replicas[svc], s.Name)
		}
	}
	return p
}
