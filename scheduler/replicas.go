package scheduler

import (
	"slices"

	"github.com/stackorch/stack/runtime"
)

// replicas plans one service's containers.
type replicas struct {
	service string
	policy  recreate
	noStart bool
	restart string // why running containers restart, or ""
}

// plan returns the ops that turn have into specs, and the names of the
// service's containers afterwards. Replicas keep their numbers: a missing
// number is created, an unwanted one removed (highest first).
func (r replicas) plan(specs []runtime.Spec, have []runtime.State) ([]Op, []string) {
	want := map[int]runtime.Spec{}
	var numbers []int
	for i, spec := range specs {
		n, ok := number(spec.Labels)
		if !ok {
			n = i + 1
		}
		if _, dup := want[n]; !dup {
			numbers = append(numbers, n)
		}
		want[n] = spec
	}
	slices.Sort(numbers)

	have = slices.Clone(have)
	byNumber(have)
	current := map[int]runtime.State{}
	var extra []runtime.State
	for _, s := range have {
		n, ok := number(s.Labels)
		_, taken := current[n]
		if _, wanted := want[n]; !ok || taken || !wanted {
			extra = append(extra, s)
			continue
		}
		current[n] = s
	}

	var ops []Op
	slices.Reverse(extra)
	for _, s := range extra {
		ops = append(ops, teardown(s, "scale down")...)
	}
	var names []string
	for _, n := range numbers {
		spec := want[n]
		s, exists := current[n]
		more := r.replica(spec, s, exists)
		ops = append(ops, more...)
		name := spec.Name
		if exists && !slices.ContainsFunc(more, func(o Op) bool { return o.Kind == OpRecreate }) {
			name = s.Name // kept as it is, under its own name
		}
		names = append(names, name)
	}
	return ops, names
}

// replica plans one numbered replica, existing or not.
func (r replicas) replica(spec runtime.Spec, s runtime.State, exists bool) []Op {
	start := Op{Kind: OpStart, Service: r.service, Name: spec.Name}
	if !exists {
		return r.withStart(Op{Kind: OpCreate, Service: r.service, Name: spec.Name, Spec: spec}, start)
	}
	re := Op{Kind: OpRecreate, Service: r.service, Name: spec.Name, ID: s.ID, Spec: spec}
	switch {
	case r.policy == recreateForce:
		re.Reason = "forced"
		return r.withStart(re, start)
	case r.policy == recreateNever:
	case s.Labels[labelHash] != spec.Labels[labelHash]:
		re.Reason = "config changed"
		return r.withStart(re, start)
	case spec.Labels[labelImage] != "" && s.Labels[labelImage] != spec.Labels[labelImage]:
		re.Reason = "image changed"
		return r.withStart(re, start)
	case s.Name != spec.Name:
		re.Reason = "name changed"
		return r.withStart(re, start)
	}
	start.ID = s.ID
	switch {
	case r.noStart:
		return nil
	case !s.Running():
		start.Reason = string(s.Status)
		return []Op{start}
	case r.restart != "" && s.Status == runtime.StatusRunning:
		return []Op{{Kind: OpRestart, Service: r.service, Name: s.Name, ID: s.ID, Reason: r.restart}}
	}
	return nil
}

func (r replicas) withStart(o, start Op) []Op {
	if r.noStart {
		return []Op{o}
	}
	return []Op{o, start}
}
