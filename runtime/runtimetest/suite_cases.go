package runtimetest

import (
	"context"
	"slices"
	"sync"
	"syscall"

	"github.com/stackorch/stack/runtime"
)

var suiteCases = []suiteCase{
	{"CreateMakesCreatedContainerFoundByIDAndName", func(h *harness) {
		spec := h.e.Runs(h.name("a"))
		spec.Labels = map[string]string{"k": "v"}
		st := h.create(spec)
		if st.ID == "" || st.Name != spec.Name || st.Status != runtime.StatusCreated || st.Running() {
			h.t.Fatalf("Create = %+v, want a created container named %q with an ID", st, spec.Name)
		}
		for _, ref := range []string{st.ID, st.Name} {
			got := h.inspect(ref)
			if got.ID != st.ID || got.Name != st.Name || got.Labels["k"] != "v" || got.Status != runtime.StatusCreated {
				h.t.Errorf("Inspect(%q) = %+v, want the created container with label k=v", ref, got)
			}
		}
	}},
	{"CreateTwiceIsErrAlreadyExists", func(h *harness) {
		h.create(h.e.Runs(h.name("a")))
		_, err := h.e.Runtime.Create(h.ctx, h.label(h.e.Runs(h.name("a")), nil))
		h.wantIs("second Create", err, runtime.ErrAlreadyExists)
	}},
	{"StartRunsAndStopEnds", func(h *harness) {
		st := h.create(h.e.Runs(h.name("a")))
		h.start(st.ID)
		if got := h.inspect(st.ID); !got.Running() || got.Status != runtime.StatusRunning {
			h.t.Fatalf("after Start: %+v, want running", got)
		}
		if err := h.e.Runtime.Stop(h.ctx, st.ID, 0); err != nil {
			h.t.Fatalf("Stop = %v", err)
		}
		if got := h.inspect(st.ID); got.Running() || got.Status != runtime.StatusExited {
			h.t.Fatalf("after Stop: %+v, want exited", got)
		}
	}},
	{"StartRunsAnExitedContainerAgain", func(h *harness) {
		st := h.create(h.e.Runs(h.name("a")))
		h.start(st.ID)
		if err := h.e.Runtime.Stop(h.ctx, st.ID, 0); err != nil {
			h.t.Fatalf("Stop = %v", err)
		}
		h.start(st.Name)
		if got := h.inspect(st.ID); !got.Running() {
			h.t.Fatalf("after second Start: %+v, want running", got)
		}
	}},
	{"WaitUntilExitedReportsExitCode", func(h *harness) {
		st := h.create(h.e.Exits(h.name("a"), 3))
		h.start(st.ID)
		got := h.wait(st.ID, runtime.UntilExited)
		if got.Running() || got.Status != runtime.StatusExited || got.ExitCode != 3 {
			h.t.Fatalf("Wait(UntilExited) = %+v, want exited with code 3", got)
		}
		if got := h.inspect(st.ID); got.ExitCode != 3 {
			h.t.Errorf("Inspect after exit: code %d, want 3", got.ExitCode)
		}
	}},
	{"WaitUntilRunningReturnsOnceStarted", func(h *harness) {
		st := h.create(h.e.Runs(h.name("a")))
		got := make(chan runtime.State, 1)
		go func() {
			s, err := h.e.Runtime.Wait(h.ctx, st.ID, runtime.UntilRunning)
			if err != nil {
				h.t.Errorf("Wait(UntilRunning) = %v", err)
			}
			got <- s
		}()
		h.start(st.ID)
		if s := <-got; !s.Running() {
			h.t.Fatalf("Wait(UntilRunning) = %+v, want running", s)
		}
	}},
	{"WaitUntilHealthyWithoutHealthcheckReturnsOnceRunning", func(h *harness) {
		st := h.create(h.e.Runs(h.name("a")))
		h.start(st.ID)
		if got := h.wait(st.ID, runtime.UntilHealthy); !got.Running() || got.Health != runtime.HealthNone {
			h.t.Fatalf("Wait(UntilHealthy) = %+v, want running with no health", got)
		}
	}},
	{"WaitUntilHealthyReturnsHealthy", func(h *harness) {
		if h.e.Healthy == nil {
			h.t.Skip("engine makes no healthy spec")
		}
		st := h.create(h.e.Healthy(h.name("a")))
		h.start(st.ID)
		if got := h.wait(st.ID, runtime.UntilHealthy); got.Health != runtime.HealthHealthy {
			h.t.Fatalf("Wait(UntilHealthy) = %+v, want healthy", got)
		}
	}},
	{"WaitUntilRemovedReturnsOnceRemoved", func(h *harness) {
		st := h.create(h.e.Runs(h.name("a")))
		errc := make(chan error, 1)
		go func() {
			_, err := h.e.Runtime.Wait(h.ctx, st.ID, runtime.UntilRemoved)
			errc <- err
		}()
		if err := h.e.Runtime.Remove(h.ctx, st.ID, false); err != nil {
			h.t.Fatalf("Remove = %v", err)
		}
		if err := <-errc; err != nil {
			h.t.Fatalf("Wait(UntilRemoved) = %v", err)
		}
		_, err := h.e.Runtime.Inspect(h.ctx, st.ID)
		h.wantIs("Inspect after Remove", err, runtime.ErrNotFound)
	}},
	{"WaitHonoursContext", func(h *harness) {
		st := h.create(h.e.Runs(h.name("a")))
		h.start(st.ID)
		ctx, cancel := context.WithCancel(h.ctx)
		errc := make(chan error, 1)
		go func() {
			_, err := h.e.Runtime.Wait(ctx, st.ID, runtime.UntilExited)
			errc <- err
		}()
		cancel()
		h.wantIs("Wait after cancel", <-errc, context.Canceled)
	}},
	{"ListSelectsByLabels", func(h *harness) {
		for _, c := range []struct{ name, role string }{{"a", "web"}, {"b", "web"}, {"c", "db"}} {
			spec := h.e.Runs(h.name(c.name))
			spec.Labels = map[string]string{"role": c.role}
			h.create(spec)
		}
		got, err := h.e.Runtime.List(h.ctx, map[string]string{suiteLabel: h.prefix, "role": "web"})
		if err != nil {
			h.t.Fatalf("List = %v", err)
		}
		var names []string
		for _, s := range got {
			names = append(names, s.Name)
		}
		slices.Sort(names)
		if want := []string{h.name("a"), h.name("b")}; !slices.Equal(names, want) {
			h.t.Fatalf("List(role=web) = %v, want %v", names, want)
		}
	}},
	{"UnknownContainerIsErrNotFound", func(h *harness) {
		rt, ref := h.e.Runtime, h.name("missing")
		h.wantIs("Start", rt.Start(h.ctx, ref), runtime.ErrNotFound)
		h.wantIs("Stop", rt.Stop(h.ctx, ref, 0), runtime.ErrNotFound)
		h.wantIs("Kill", rt.Kill(h.ctx, ref, syscall.SIGKILL), runtime.ErrNotFound)
		h.wantIs("Remove", rt.Remove(h.ctx, ref, true), runtime.ErrNotFound)
		_, err := rt.Inspect(h.ctx, ref)
		h.wantIs("Inspect", err, runtime.ErrNotFound)
		_, err = rt.Wait(h.ctx, ref, runtime.UntilRunning)
		h.wantIs("Wait", err, runtime.ErrNotFound)
	}},
	{"RemoveRunningNeedsForce", func(h *harness) {
		st := h.create(h.e.Runs(h.name("a")))
		h.start(st.ID)
		h.wantIs("Remove without force", h.e.Runtime.Remove(h.ctx, st.ID, false), runtime.ErrRunning)
		if got := h.inspect(st.ID); !got.Running() {
			h.t.Fatalf("after refused Remove: %+v, want still running", got)
		}
		if err := h.e.Runtime.Remove(h.ctx, st.ID, true); err != nil {
			h.t.Fatalf("Remove with force = %v", err)
		}
		_, err := h.e.Runtime.Inspect(h.ctx, st.ID)
		h.wantIs("Inspect after forced Remove", err, runtime.ErrNotFound)
	}},
	{"StopToRemoveThenRemoveWithoutForceLeavesNothing", func(h *harness) {
		st := h.create(h.e.Runs(h.name("a")))
		h.start(st.ID)
		if err := h.e.Runtime.StopToRemove(h.ctx, st.ID, 0); err != nil {
			h.t.Fatalf("StopToRemove = %v", err)
		}
		// The engine may still be recording the end: Remove waits for it,
		// and needs no force, as the container was stopped.
		if err := h.e.Runtime.Remove(h.ctx, st.ID, false); err != nil {
			h.t.Fatalf("Remove after StopToRemove = %v", err)
		}
		_, err := h.e.Runtime.Inspect(h.ctx, st.ID)
		h.wantIs("Inspect after Remove", err, runtime.ErrNotFound)
		h.wantIs("StopToRemove of a removed container", h.e.Runtime.StopToRemove(h.ctx, st.ID, 0), runtime.ErrNotFound)
	}},
	{"KillEndsRunningAndRefusesStopped", func(h *harness) {
		st := h.create(h.e.Runs(h.name("a")))
		h.wantIs("Kill of created", h.e.Runtime.Kill(h.ctx, st.ID, syscall.SIGKILL), runtime.ErrNotRunning)
		h.start(st.ID)
		if err := h.e.Runtime.Kill(h.ctx, st.ID, syscall.SIGKILL); err != nil {
			h.t.Fatalf("Kill = %v", err)
		}
		if got := h.wait(st.ID, runtime.UntilExited); got.ExitCode != 128+int(syscall.SIGKILL) {
			h.t.Fatalf("after SIGKILL: %+v, want exit code 137", got)
		}
	}},
	{"ConcurrentCallsOnDistinctContainers", func(h *harness) {
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for _, n := range []string{"a", "b", "c", "d"} {
			wg.Go(func() {
				st, err := h.e.Runtime.Create(h.ctx, h.label(h.e.Runs(h.name(n)), nil))
				if err == nil {
					err = h.e.Runtime.Start(h.ctx, st.ID)
				}
				if err == nil {
					err = h.e.Runtime.Remove(h.ctx, st.ID, true)
				}
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				h.t.Error(err)
			}
		}
		if got, _ := h.e.Runtime.List(h.ctx, map[string]string{suiteLabel: h.prefix}); len(got) != 0 {
			h.t.Errorf("after removing all: List = %d containers, want 0", len(got))
		}
	}},
}
