package scheduler_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/runtimetest"
	"github.com/stackorch/stack/scheduler"
)

func TestExecuteStartsDependencyBeforeDependent(t *testing.T) {
	w := newWorld(t, map[string][]dep{"db": nil, "web": {{on: "db"}}})
	if err := w.up(guarded(t), scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	w.before("start", "p-db-1", "create", "p-web-1")
	for _, name := range []string{"p-db-1", "p-web-1"} {
		if st, err := w.f.Inspect(t.Context(), name); err != nil || !st.Running() {
			t.Errorf("%s after up: %+v, %v; want running", name, st, err)
		}
	}
}

func TestExecuteStartsIndependentServicesInParallel(t *testing.T) {
	w := newWorld(t, map[string][]dep{"a": nil, "b": nil, "c": {{on: "a"}, {on: "b"}}})
	release := make(chan struct{})
	w.f.Script("p-a-1", runtimetest.Script{StartHold: release})
	w.f.Script("p-b-1", runtimetest.Script{StartHold: release})
	ctx := guarded(t)
	errc := w.upAsync(ctx, scheduler.ExecOptions{})
	// Each start is held until both are in flight: a sequential walk never
	// gets there and the guard fails the test.
	if err := w.f.Await(ctx, inFlight("start", "p-a-1", "p-b-1")); err != nil {
		t.Fatalf("starts of a and b never in flight together: %v; calls: %v", err, w.f.Ops())
	}
	w.never("create", "p-c-1")
	close(release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	if n := w.f.MaxConcurrent("start"); n < 2 {
		t.Errorf("max concurrent starts = %d, want 2", n)
	}
	w.before("start", "p-a-1", "create", "p-c-1")
	w.before("start", "p-b-1", "create", "p-c-1")
}

func TestExecuteStartsReplicasInParallel(t *testing.T) {
	w := newWorld(t, map[string][]dep{"web": nil})
	w.specs["web"] = specs("web", 3, "h1")
	release := make(chan struct{})
	for i := 1; i <= 3; i++ {
		w.f.Script(cname("web", i), runtimetest.Script{StartHold: release})
	}
	ctx := guarded(t)
	errc := w.upAsync(ctx, scheduler.ExecOptions{})
	if err := w.f.Await(ctx, inFlight("start", "p-web-1", "p-web-2", "p-web-3")); err != nil {
		t.Fatalf("replica starts never in flight together: %v; calls: %v", err, w.f.Ops())
	}
	close(release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
}

func TestExecuteWaitsForHealthyDependency(t *testing.T) {
	w := newWorld(t, map[string][]dep{"db": nil, "web": {{on: "db", cond: "healthy"}}})
	w.f.Script("p-db-1", runtimetest.Script{Health: &runtimetest.Health{Status: runtime.HealthHealthy, After: guard * 10}})
	ctx := guarded(t)
	var events []string
	errc := w.upAsync(ctx, scheduler.ExecOptions{Events: func(e scheduler.Event) {
		events = append(events, string(e.Status)+" "+e.Container)
	}})
	if err := w.f.Await(ctx, runtimetest.Began("wait", "p-db-1")); err != nil {
		t.Fatal(err)
	}
	w.never("create", "p-web-1")
	if err := w.f.SetHealth("p-db-1", runtime.HealthHealthy); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	w.before("health", "p-db-1", "create", "p-web-1")
	want := []string{"Started p-db-1", "Waiting p-db-1", "Healthy p-db-1", "Creating p-web-1"}
	for i := 1; i < len(want); i++ {
		if a, b := slices.Index(events, want[i-1]), slices.Index(events, want[i]); a < 0 || b < a {
			t.Errorf("events %v: want %q before %q", events, want[i-1], want[i])
		}
	}
}

func TestExecuteWaitsForDependencyToCompleteSuccessfully(t *testing.T) {
	w := newWorld(t, map[string][]dep{"migrate": nil, "web": {{on: "migrate", cond: "completed"}}})
	ctx := guarded(t)
	errc := w.upAsync(ctx, scheduler.ExecOptions{})
	if err := w.f.Await(ctx, runtimetest.Began("wait", "p-migrate-1")); err != nil {
		t.Fatal(err)
	}
	w.never("create", "p-web-1")
	if err := w.f.ExitNow("p-migrate-1", 0); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	w.before("exit", "p-migrate-1", "create", "p-web-1")
}

func TestExecuteDependencyUnhealthyFailsWithContainerName(t *testing.T) {
	w := newWorld(t, map[string][]dep{"db": nil, "web": {{on: "db", cond: "healthy"}}})
	w.f.Script("p-db-1", runtimetest.Script{Health: &runtimetest.Health{Status: runtime.HealthUnhealthy}})
	err := w.up(guarded(t), scheduler.ExecOptions{})
	if err == nil || err.Error() != `dependency failed to start: container "p-db-1" is unhealthy` {
		t.Fatalf("up = %v", err)
	}
	var ce *scheduler.ConditionError
	if !errors.Is(err, scheduler.ErrDependencyFailed) || !errors.As(err, &ce) || !ce.Unhealthy {
		t.Errorf("up = %#v, want ErrDependencyFailed wrapping an unhealthy ConditionError", err)
	}
	w.never("create", "p-web-1")
}

func TestExecuteDependencyExitingNonZeroFailsWithExitCode(t *testing.T) {
	for _, cond := range []string{"completed", "healthy"} {
		t.Run(cond, func(t *testing.T) {
			w := newWorld(t, map[string][]dep{"migrate": nil, "web": {{on: "migrate", cond: cond}}})
			w.f.Script("p-migrate-1", runtimetest.Script{
				Exit:   &runtimetest.Exit{Code: 1},
				Health: &runtimetest.Health{Status: runtime.HealthHealthy, After: guard * 10},
			})
			err := w.up(guarded(t), scheduler.ExecOptions{})
			if err == nil || err.Error() != `dependency failed to start: container "p-migrate-1" exited (1)` {
				t.Fatalf("up = %v", err)
			}
			w.never("create", "p-web-1")
		})
	}
}

func TestExecuteStartFailureStopsTheWalk(t *testing.T) {
	w := newWorld(t, map[string][]dep{"a": nil, "b": {{on: "a"}}, "c": {{on: "b"}}})
	w.f.Script("p-b-1", runtimetest.Script{StartErr: errors.New("boom")})
	err := w.up(guarded(t), scheduler.ExecOptions{})
	if err == nil || err.Error() != `start container "p-b-1": boom` {
		t.Fatalf("up = %v, want start container \"p-b-1\": boom", err)
	}
	w.never("create", "p-c-1")
	w.never("start", "p-c-1")
}

func TestExecuteFirstFailureCancelsOpsInFlight(t *testing.T) {
	w := newWorld(t, map[string][]dep{"slow": nil, "bad": nil, "after": {{on: "slow"}}})
	w.f.Script("p-slow-1", runtimetest.Script{StartHold: make(chan struct{})}) // never released
	ready := make(chan struct{})
	w.f.Script("p-bad-1", runtimetest.Script{StartHold: ready, StartErr: errors.New("boom")})
	ctx := guarded(t)
	errc := w.upAsync(ctx, scheduler.ExecOptions{})
	if err := w.f.Await(ctx, inFlight("start", "p-slow-1", "p-bad-1")); err != nil {
		t.Fatal(err)
	}
	close(ready)
	if err := <-errc; err == nil || err.Error() != `start container "p-bad-1": boom` {
		t.Fatalf("up = %v, want the start failure of p-bad-1", err)
	}
	slow := w.call("start", "p-slow-1")
	if slow.End == 0 || !errors.Is(slow.Err, context.Canceled) {
		t.Errorf("in-flight start of p-slow-1 = %+v, want cancelled and finished before Execute returned", slow)
	}
	w.never("create", "p-after-1")
}

func TestExecuteOptionalDependencyFailureOnlyWarns(t *testing.T) {
	w := newWorld(t, map[string][]dep{"db": nil, "web": {{on: "db", cond: "healthy", optional: true}}})
	w.f.Script("p-db-1", runtimetest.Script{Health: &runtimetest.Health{Status: runtime.HealthUnhealthy}})
	var logs bytes.Buffer
	var events []scheduler.Event
	err := w.up(guarded(t), scheduler.ExecOptions{
		Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Events: func(e scheduler.Event) { events = append(events, e) },
	})
	if err != nil {
		t.Fatalf("up = %v, want success despite the optional dependency", err)
	}
	w.before("health", "p-db-1", "start", "p-web-1")
	want := `optional dependency \"db\" failed to start: container \"p-db-1\" is unhealthy`
	if !strings.Contains(logs.String(), want) {
		t.Errorf("log = %q, want a warning containing %q", logs.String(), want)
	}
	if !slices.ContainsFunc(events, func(e scheduler.Event) bool {
		return e.Container == "p-db-1" && e.Status == scheduler.Skipped
	}) {
		t.Errorf("events %v lack Skipped for p-db-1", events)
	}
}

func TestExecuteCancelStopsWaiting(t *testing.T) {
	w := newWorld(t, map[string][]dep{"db": nil, "web": {{on: "db", cond: "healthy"}}})
	w.f.Script("p-db-1", runtimetest.Script{Health: &runtimetest.Health{Status: runtime.HealthHealthy, After: guard * 10}})
	ctx, cancel := context.WithCancel(guarded(t))
	errc := w.upAsync(ctx, scheduler.ExecOptions{})
	if err := w.f.Await(ctx, runtimetest.Began("wait", "p-db-1")); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("up after cancel = %v, want context.Canceled", err)
	}
	w.never("create", "p-web-1")
}

func TestExecuteTeardownStopsDependentsFirst(t *testing.T) {
	w := newWorld(t, map[string][]dep{"db": nil, "web": {{on: "db"}}, "worker": {{on: "web"}}})
	ctx := guarded(t)
	if err := w.up(ctx, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := w.down(ctx); err != nil {
		t.Fatal(err)
	}
	w.before("stop", "p-worker-1", "stop", "p-web-1")
	w.before("stop", "p-web-1", "stop", "p-db-1")
	if left, _ := w.f.List(ctx, nil); len(left) != 0 {
		t.Errorf("after down: %d containers left", len(left))
	}
	if err := w.down(ctx); err != nil {
		t.Errorf("second down = %v, want nothing to do", err)
	}
}

func TestExecuteTeardownStopsADependencyWhileItsDependentsAreStillBeingRemoved(t *testing.T) {
	w := newWorld(t, map[string][]dep{"db": nil, "web": {{on: "db"}}})
	ctx := guarded(t)
	if err := w.up(ctx, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	w.f.Script("p-web-1", runtimetest.Script{RemoveHold: release})
	errc := make(chan error, 1)
	go func() { errc <- w.down(ctx) }()
	if err := w.f.Await(ctx, func(calls []runtimetest.Call) bool {
		_, stopped := w.f.Find("stop", "p-db-1")
		return stopped && inFlight("remove", "p-web-1")(calls)
	}); err != nil {
		t.Fatalf("db never stopped while web's removal was held: %v; calls: %v", err, w.f.Ops())
	}
	close(release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	w.before("stop", "p-web-1", "stop", "p-db-1")
}

func TestExecuteTeardownStopsIndependentServicesInParallel(t *testing.T) {
	w := newWorld(t, map[string][]dep{"a": nil, "b": nil, "c": {{on: "a"}, {on: "b"}}})
	ctx := guarded(t)
	if err := w.up(ctx, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	release := make(chan struct{})
	w.f.Script("p-a-1", runtimetest.Script{StopHold: release})
	w.f.Script("p-b-1", runtimetest.Script{StopHold: release})
	errc := make(chan error, 1)
	go func() { errc <- w.down(ctx) }()
	if err := w.f.Await(ctx, inFlight("stop", "p-a-1", "p-b-1")); err != nil {
		t.Fatalf("stops of a and b never in flight together: %v; calls: %v", err, w.f.Ops())
	}
	close(release)
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	w.before("remove", "p-c-1", "stop", "p-a-1")
	w.before("remove", "p-c-1", "stop", "p-b-1")
}
