package scheduler

import (
	"strings"

	"github.com/stackorch/stack/runtime"
)

// Kind is what an Op does to one container.
type Kind int

const (
	// OpCreate makes a missing replica from Op.Spec.
	OpCreate Kind = iota + 1
	// OpRecreate replaces the container Op.ID by one made from Op.Spec.
	OpRecreate
	// OpStart starts a created or exited container.
	OpStart
	// OpRestart stops and starts a running container.
	OpRestart
	// OpStop stops a running container.
	OpStop
	// OpRemove removes a container, killing it if it still runs.
	OpRemove
)

func (k Kind) String() string {
	switch k {
	case OpCreate:
		return "create"
	case OpRecreate:
		return "recreate"
	case OpStart:
		return "start"
	case OpRestart:
		return "restart"
	case OpStop:
		return "stop"
	case OpRemove:
		return "remove"
	}
	return "unknown"
}

// Op is one operation on one container.
type Op struct {
	Kind    Kind
	Service string
	Name    string       // the container's name
	ID      string       // the existing container's ID; empty for OpCreate
	Spec    runtime.Spec // OpCreate and OpRecreate: what to make
	Reason  string       // why, when it is not plain: "config changed", "scale down", ...
}

// String is "kind service name", with " (reason)" when there is one.
func (o Op) String() string {
	s := o.Kind.String() + " " + o.Service + " " + o.Name
	if o.Reason != "" {
		s += " (" + o.Reason + ")"
	}
	return s
}

// Plan is what to do to bring a project's containers where they should be.
// Build one with PlanUp or PlanDown, run it with Execute.
type Plan struct {
	Project string
	// Down walks the graph in reverse: a service's ops run once every
	// dependent's have.
	Down bool
	// NoStart: nothing is started, so no dependency condition is awaited.
	NoStart bool
	// Ops in a deterministic order: by service in dependency order (reverse
	// for Down), then by replica number.
	Ops []Op
	// Orphans are the project's containers whose service is not in the
	// project; they are removed only when Ops say so.
	Orphans []runtime.State
	// Replicas names, per service taking part, its containers once the plan
	// has run, in number order: the containers dependents wait for.
	Replicas map[string][]string
}

// Empty reports whether the plan changes nothing.
func (p Plan) Empty() bool { return len(p.Ops) == 0 }

// String is one line per op, after one "orphan service name" line per
// orphan left in place. An empty plan is "".
func (p Plan) String() string {
	var b strings.Builder
	removed := map[string]bool{}
	for _, o := range p.Ops {
		if o.Kind == OpRemove {
			removed[o.Name] = true
		}
	}
	for _, s := range p.Orphans {
		if !removed[s.Name] {
			b.WriteString("orphan " + s.Labels[labelService] + " " + s.Name + "\n")
		}
	}
	for _, o := range p.Ops {
		b.WriteString(o.String() + "\n")
	}
	return b.String()
}
