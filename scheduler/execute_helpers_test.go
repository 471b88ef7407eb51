package scheduler_test

import (
	"context"
	"testing"
	"time"

	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/runtimetest"
	"github.com/stackorch/stack/scheduler"
)

// guard bounds a test that waits for something the code under test must
// make happen; reaching it means the behaviour is missing, not slow.
const guard = 20 * time.Second

func guarded(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), guard)
	t.Cleanup(cancel)
	return ctx
}

// world is a fake engine and a project graph to converge on it.
type world struct {
	t     *testing.T
	f     *runtimetest.Fake
	g     *project.Graph
	specs map[string][]runtime.Spec
}

func newWorld(t *testing.T, deps map[string][]dep) *world {
	w := &world{t: t, f: runtimetest.New(), g: newGraph(t, deps), specs: map[string][]runtime.Spec{}}
	for svc := range deps {
		w.specs[svc] = specs(svc, 1, "h1")
	}
	return w
}

// plan is the up plan for the fake's current containers.
func (w *world) plan(opts scheduler.Options) scheduler.Plan {
	w.t.Helper()
	observed, err := w.f.List(w.t.Context(), map[string]string{"com.docker.compose.project": proj})
	if err != nil {
		w.t.Fatal(err)
	}
	return scheduler.PlanUp(scheduler.Desired{Project: proj, Graph: w.g, Services: w.specs}, observed, opts)
}

// up plans and executes; it returns Execute's error.
func (w *world) up(ctx context.Context, opts scheduler.ExecOptions) error {
	return scheduler.Execute(ctx, w.f, w.plan(scheduler.Options{}), w.g, opts)
}

// upAsync runs up in the background; read its error from the channel.
func (w *world) upAsync(ctx context.Context, opts scheduler.ExecOptions) <-chan error {
	errc := make(chan error, 1)
	go func() { errc <- w.up(ctx, opts) }()
	return errc
}

func (w *world) down(ctx context.Context) error {
	w.t.Helper()
	observed, err := w.f.List(ctx, map[string]string{"com.docker.compose.project": proj})
	if err != nil {
		w.t.Fatal(err)
	}
	return scheduler.Execute(ctx, w.f, scheduler.PlanDown(observed, w.g, scheduler.DownOptions{}), w.g, scheduler.ExecOptions{})
}

// call returns the first recorded op on name, failing if there is none.
func (w *world) call(op, name string) runtimetest.Call {
	w.t.Helper()
	c, ok := w.f.Find(op, name)
	if !ok {
		w.t.Fatalf("no %s of %s; calls: %v", op, name, w.f.Ops())
	}
	return c
}

// before fails unless op1 on name1 ended before op2 on name2 began.
func (w *world) before(op1, name1, op2, name2 string) {
	w.t.Helper()
	a, b := w.call(op1, name1), w.call(op2, name2)
	if !a.Before(b) {
		w.t.Errorf("%s %s (%d..%d) did not end before %s %s (%d..%d) began; calls: %v",
			op1, name1, a.Begin, a.End, op2, name2, b.Begin, b.End, w.f.Ops())
	}
}

// never fails if op on name was called.
func (w *world) never(op, name string) {
	w.t.Helper()
	if c, ok := w.f.Find(op, name); ok {
		w.t.Errorf("%s %s was called (%+v); calls: %v", op, name, c, w.f.Ops())
	}
}

// inFlight is an Await condition: every one of names has a start (or op)
// call begun and not ended.
func inFlight(op string, names ...string) func([]runtimetest.Call) bool {
	return func(calls []runtimetest.Call) bool {
		open := map[string]bool{}
		for _, c := range calls {
			if c.Op == op && c.End == 0 {
				open[c.Name] = true
			}
		}
		for _, n := range names {
			if !open[n] {
				return false
			}
		}
		return true
	}
}
