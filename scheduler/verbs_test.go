package scheduler_test

import (
	"testing"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/runtimetest"
	"github.com/stackorch/stack/scheduler"
)

func TestVerbPlans(t *testing.T) {
	g := newGraph(t, stackDeps)
	exited := state("worker", 1, "h1", runtime.StatusExited)
	observed := join(running("cache", 1, "h1"), running("db", 1, "h1"), running("web", 2, "h1"), []runtime.State{exited, oneoffState("web")})
	cases := []struct {
		name string
		plan scheduler.Plan
		want string
	}{
		{"start starts only the stopped", scheduler.PlanStart(observed, g, nil), "start worker p-worker-1\n"},
		{"stop goes dependents first", scheduler.PlanStop(observed, g, nil),
			"stop web p-web-1\nstop web p-web-2\nstop db p-db-1\nstop cache p-cache-1\n"},
		{"stop of one service", scheduler.PlanStop(observed, g, []string{"db"}), "stop db p-db-1\n"},
		{"restart goes dependencies first", scheduler.PlanRestart(observed, g, []string{"db", "worker"}),
			"restart db p-db-1\nstart worker p-worker-1\n"},
		{"rm removes the stopped", scheduler.PlanRemove(observed, g, nil, false), "remove worker p-worker-1\n"},
		{"rm -s stops first", scheduler.PlanRemove(observed, g, []string{"web"}, true),
			"stop web p-web-1\nremove web p-web-1\nstop web p-web-2\nremove web p-web-2\n"},
	}
	for _, c := range cases {
		if got := c.plan.String(); got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	if p := scheduler.PlanStop(observed, g, nil); !p.Down {
		t.Error("a stop plan walks the graph forwards")
	}
}

func TestStartWaitsForHealthyDependency(t *testing.T) {
	w := newWorld(t, map[string][]dep{"db": nil, "web": {{on: "db", cond: "healthy"}}})
	ctx := guarded(t)
	if err := scheduler.Execute(ctx, w.f, w.plan(scheduler.Options{NoStart: true}), w.g, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	w.f.Script("p-db-1", runtimetest.Script{Health: &runtimetest.Health{Status: runtime.HealthHealthy}})
	observed, _ := w.f.List(ctx, nil)
	if err := scheduler.Execute(ctx, w.f, scheduler.PlanStart(observed, w.g, nil), w.g, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	w.before("start", "p-db-1", "start", "p-web-1")
	w.before("wait", "p-db-1", "start", "p-web-1")
}
