package runtimetest

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/stackorch/stack/runtime"
)

// Inspect returns the state of the container with this ID or name.
func (f *Fake) Inspect(ctx context.Context, id string) (runtime.State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, ok := f.lookup(id)
	if !ok {
		return runtime.State{}, fmt.Errorf("inspect container %q: %w", id, runtime.ErrNotFound)
	}
	return snapshot(c), nil
}

// List returns the containers whose labels include all of labels, by name.
func (f *Fake) List(ctx context.Context, labels map[string]string) ([]runtime.State, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []runtime.State
	for _, c := range f.byName {
		if matches(c.state.Labels, labels) {
			out = append(out, snapshot(c))
		}
	}
	slices.SortFunc(out, func(a, b runtime.State) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

func matches(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// Wait blocks until the container reaches cond, or ctx ends.
//
//   - UntilRunning: it runs, or it failed to start, or it already exited.
//   - UntilHealthy: it is healthy or unhealthy; or it runs without a
//     healthcheck; or it is not running after having run or failed to start.
//   - UntilExited: it has run (or failed to start) and is not running.
//   - UntilRemoved: it does not exist; this is immediate for an unknown one.
//
// A container removed while waiting for another condition is ErrNotFound.
func (f *Fake) Wait(ctx context.Context, id string, cond runtime.Condition) (runtime.State, error) {
	done := f.record("wait", id, cond.String())
	for {
		f.mu.Lock()
		ch := f.changed
		c, ok := f.lookup(id)
		var st runtime.State
		if ok {
			st = snapshot(c)
		}
		f.mu.Unlock()
		switch {
		case !ok && cond == runtime.UntilRemoved:
			return runtime.State{}, done(nil)
		case !ok:
			return runtime.State{}, done(fmt.Errorf("wait container %q: %w", id, runtime.ErrNotFound))
		case reached(st, cond):
			return st, done(nil)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return st, done(fmt.Errorf("wait container %q: %w", st.Name, ctx.Err()))
		}
	}
}

// reached reports whether st satisfies cond (UntilRemoved aside).
func reached(st runtime.State, cond runtime.Condition) bool {
	// ended: ran and stopped, or failed to start.
	ended := !st.Running() && (st.Status != runtime.StatusCreated || st.Error != "")
	switch cond {
	case runtime.UntilRunning:
		return st.Running() || ended
	case runtime.UntilHealthy:
		if ended {
			return true
		}
		return st.Running() && st.Health != runtime.HealthStarting
	case runtime.UntilExited:
		return ended
	}
	return false
}

// SetHealth makes a running container's healthcheck decide h now.
func (f *Fake) SetHealth(name string, h runtime.Health) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.running("set health of", name)
	if err != nil {
		return err
	}
	f.setHealth(c, h)
	return nil
}

// ExitNow makes a running container's process exit with code now.
func (f *Fake) ExitNow(name string, code int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	c, err := f.running("exit", name)
	if err != nil {
		return err
	}
	f.exit(c, code)
	return nil
}
