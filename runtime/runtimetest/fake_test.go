package runtimetest_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/runtimetest"
)

func TestFakePassesSuite(t *testing.T) {
	runtimetest.Suite(t, func(t *testing.T) runtimetest.Engine { return runtimetest.New().Engine() })
}

func run(t *testing.T, f *runtimetest.Fake, name string) {
	t.Helper()
	if _, err := f.Create(t.Context(), runtime.Spec{Name: name}); err != nil {
		t.Fatal(err)
	}
	if err := f.Start(t.Context(), name); err != nil {
		t.Fatal(err)
	}
}

func TestScriptedStartErrorIsReturnedAndRecorded(t *testing.T) {
	f := runtimetest.New()
	boom := errors.New("boom")
	f.Script("a", runtimetest.Script{StartErr: boom})
	if _, err := f.Create(t.Context(), runtime.Spec{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	err := f.Start(t.Context(), "a")
	if !errors.Is(err, boom) || err.Error() != `start container "a": boom` {
		t.Fatalf("Start = %v, want start container \"a\": boom", err)
	}
	st, _ := f.Inspect(t.Context(), "a")
	if st.Running() || st.Error != "boom" {
		t.Fatalf("state after failed start = %+v", st)
	}
	if c, _ := f.Find("start", "a"); !errors.Is(c.Err, boom) || c.End == 0 {
		t.Fatalf("recorded call = %+v, want the failed start", c)
	}
	if got, err := f.Wait(t.Context(), "a", runtime.UntilExited); err != nil || got.Error != "boom" {
		t.Fatalf("Wait(UntilExited) after failed start = %+v, %v", got, err)
	}
}

func TestScriptedHealthIsStartingUntilDecided(t *testing.T) {
	f := runtimetest.New()
	f.Script("db", runtimetest.Script{Health: &runtimetest.Health{Status: runtime.HealthUnhealthy, After: time.Hour}})
	run(t, f, "db")
	if st, _ := f.Inspect(t.Context(), "db"); st.Health != runtime.HealthStarting {
		t.Fatalf("health before decision = %q, want starting", st.Health)
	}
	got := make(chan runtime.State, 1)
	go func() {
		st, _ := f.Wait(t.Context(), "db", runtime.UntilHealthy)
		got <- st
	}()
	if err := f.Await(t.Context(), runtimetest.Began("wait", "db")); err != nil {
		t.Fatal(err)
	}
	if err := f.SetHealth("db", runtime.HealthUnhealthy); err != nil {
		t.Fatal(err)
	}
	if st := <-got; st.Health != runtime.HealthUnhealthy {
		t.Fatalf("Wait(UntilHealthy) = %+v, want unhealthy", st)
	}
}

func TestScriptedExitHappensAfterStartAndIsRecorded(t *testing.T) {
	f := runtimetest.New()
	f.Script("job", runtimetest.Script{Exit: &runtimetest.Exit{Code: 2, After: time.Millisecond}})
	run(t, f, "job")
	st, err := f.Wait(t.Context(), "job", runtime.UntilExited)
	if err != nil || st.ExitCode != 2 || st.Status != runtime.StatusExited {
		t.Fatalf("Wait = %+v, %v; want exited 2", st, err)
	}
	start, _ := f.Find("start", "job")
	exit, ok := f.Find("exit", "job")
	if !ok || exit.Arg != "2" || !start.Before(exit) {
		t.Fatalf("exit %+v not recorded after start %+v", exit, start)
	}
}

func TestStopEndsScriptSoNoLateExit(t *testing.T) {
	f := runtimetest.New()
	f.Script("job", runtimetest.Script{Exit: &runtimetest.Exit{Code: 9, After: 0}})
	if _, err := f.Create(t.Context(), runtime.Spec{Name: "job"}); err != nil {
		t.Fatal(err)
	}
	// Stopping races with the scripted exit: either way one exit is recorded.
	_ = f.Start(t.Context(), "job")
	_ = f.Stop(t.Context(), "job", 0)
	st, _ := f.Wait(t.Context(), "job", runtime.UntilExited)
	if st.ExitCode != 9 && st.ExitCode != 143 {
		t.Fatalf("exit code %d, want 9 or 143", st.ExitCode)
	}
	n := 0
	for _, c := range f.Calls() {
		if c.Op == "exit" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d exits recorded, want 1: %v", n, f.Ops())
	}
}

func TestHeldStartsOverlapAndAreCounted(t *testing.T) {
	f := runtimetest.New()
	release := make(chan struct{})
	for _, n := range []string{"a", "b"} {
		f.Script(n, runtimetest.Script{StartHold: release})
		if _, err := f.Create(t.Context(), runtime.Spec{Name: n}); err != nil {
			t.Fatal(err)
		}
	}
	errc := make(chan error, 2)
	for _, n := range []string{"a", "b"} {
		go func() { errc <- f.Start(t.Context(), n) }()
	}
	both := func(calls []runtimetest.Call) bool {
		open := 0
		for _, c := range calls {
			if c.Op == "start" && c.End == 0 {
				open++
			}
		}
		return open == 2
	}
	if err := f.Await(t.Context(), both); err != nil {
		t.Fatal(err)
	}
	close(release)
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	a, _ := f.Find("start", "a")
	b, _ := f.Find("start", "b")
	if !a.Overlaps(b) || f.MaxConcurrent("start") != 2 {
		t.Fatalf("starts %+v and %+v: overlap %v, max concurrent %d", a, b, a.Overlaps(b), f.MaxConcurrent("start"))
	}
}

func TestHeldStartGivesUpWithContext(t *testing.T) {
	f := runtimetest.New()
	f.Script("a", runtimetest.Script{StartHold: make(chan struct{})})
	if _, err := f.Create(t.Context(), runtime.Spec{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errc := make(chan error, 1)
	go func() { errc <- f.Start(ctx, "a") }()
	if err := f.Await(t.Context(), runtimetest.Began("start", "a")); err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("Start = %v, want context.Canceled", err)
	}
	if st, _ := f.Inspect(t.Context(), "a"); st.Running() {
		t.Fatal("container runs after its start was cancelled")
	}
}

func TestWaitUntilHealthyReturnsWhenExitedBeforeHealthy(t *testing.T) {
	f := runtimetest.New()
	f.Script("db", runtimetest.Script{
		Exit:   &runtimetest.Exit{Code: 1},
		Health: &runtimetest.Health{Status: runtime.HealthHealthy, After: time.Hour},
	})
	run(t, f, "db")
	st, err := f.Wait(t.Context(), "db", runtime.UntilHealthy)
	if err != nil || st.Running() || st.ExitCode != 1 {
		t.Fatalf("Wait(UntilHealthy) = %+v, %v; want exited with code 1", st, err)
	}
}

func TestRemovedWhileWaitingIsErrNotFound(t *testing.T) {
	f := runtimetest.New()
	run(t, f, "a")
	errc := make(chan error, 1)
	go func() {
		_, err := f.Wait(t.Context(), "a", runtime.UntilExited)
		errc <- err
	}()
	if err := f.Await(t.Context(), runtimetest.Began("wait", "a")); err != nil {
		t.Fatal(err)
	}
	if err := f.Remove(t.Context(), "a", true); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, runtime.ErrNotFound) {
		t.Fatalf("Wait = %v, want ErrNotFound", err)
	}
}
