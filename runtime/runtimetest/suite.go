package runtimetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stackorch/stack/runtime"
)

// Engine is what Suite tests: a runtime and the specs it can run. Each spec
// maker returns a spec with the given name; Suite adds its own labels.
type Engine struct {
	Runtime runtime.Runtime
	// Runs returns a spec whose process runs until it is stopped.
	Runs func(name string) runtime.Spec
	// Exits returns a spec whose process exits with code soon after it starts.
	Exits func(name string, code int) runtime.Spec
	// Healthy, if not nil, returns a spec whose process runs until stopped
	// and whose healthcheck passes soon after it starts.
	Healthy func(name string) runtime.Spec
}

// Engine returns the Fake as a Suite target.
func (f *Fake) Engine() Engine {
	return Engine{
		Runtime: f,
		Runs:    func(name string) runtime.Spec { return runtime.Spec{Name: name, Image: "fake"} },
		Exits: func(name string, code int) runtime.Spec {
			f.Script(name, Script{Exit: &Exit{Code: code}})
			return runtime.Spec{Name: name, Image: "fake"}
		},
		Healthy: func(name string) runtime.Spec {
			f.Script(name, Script{Health: &Health{Status: runtime.HealthHealthy}})
			return runtime.Spec{Name: name, Image: "fake"}
		},
	}
}

// suiteLabel marks every container Suite makes.
const suiteLabel = "io.stack.runtimetest"

// Suite runs the behaviour every runtime.Runtime must have, each case as a
// subtest on a fresh Engine from newEngine. Containers a case makes are
// removed when it ends.
func Suite(t *testing.T, newEngine func(t *testing.T) Engine) {
	t.Helper()
	for i, c := range suiteCases {
		t.Run(c.name, func(t *testing.T) {
			h := &harness{t: t, e: newEngine(t), prefix: fmt.Sprintf("rtsuite%d-", i)}
			h.ctx = t.Context()
			t.Cleanup(h.cleanup)
			c.run(h)
		})
	}
}

type suiteCase struct {
	name string
	run  func(h *harness)
}

// harness is one Suite case's engine with helpers that fail the test.
type harness struct {
	t      *testing.T
	e      Engine
	ctx    context.Context
	prefix string
	mu     sync.Mutex
	made   []string
}

func (h *harness) name(short string) string { return h.prefix + short }

// label adds the suite's label to spec, and extra labels.
func (h *harness) label(spec runtime.Spec, extra map[string]string) runtime.Spec {
	labels := map[string]string{suiteLabel: h.prefix}
	for k, v := range spec.Labels {
		labels[k] = v
	}
	for k, v := range extra {
		labels[k] = v
	}
	spec.Labels = labels
	return spec
}

// create makes spec into a container and fails the test if it cannot.
func (h *harness) create(spec runtime.Spec) runtime.State {
	h.t.Helper()
	st, err := h.e.Runtime.Create(h.ctx, h.label(spec, nil))
	if err != nil {
		h.t.Fatalf("Create(%q) = %v", spec.Name, err)
	}
	h.mu.Lock()
	h.made = append(h.made, st.ID)
	h.mu.Unlock()
	return st
}

func (h *harness) start(id string) {
	h.t.Helper()
	if err := h.e.Runtime.Start(h.ctx, id); err != nil {
		h.t.Fatalf("Start(%q) = %v", id, err)
	}
}

func (h *harness) wait(id string, cond runtime.Condition) runtime.State {
	h.t.Helper()
	st, err := h.e.Runtime.Wait(h.ctx, id, cond)
	if err != nil {
		h.t.Fatalf("Wait(%q, %s) = %v", id, cond, err)
	}
	return st
}

func (h *harness) inspect(id string) runtime.State {
	h.t.Helper()
	st, err := h.e.Runtime.Inspect(h.ctx, id)
	if err != nil {
		h.t.Fatalf("Inspect(%q) = %v", id, err)
	}
	return st
}

// wantIs fails the test unless err matches target.
func (h *harness) wantIs(call string, err, target error) {
	h.t.Helper()
	if !errors.Is(err, target) {
		h.t.Errorf("%s = %v, want an error matching %v", call, err, target)
	}
}

// cleanup removes every container the case made, even after a failure.
func (h *harness) cleanup() {
	ctx := context.WithoutCancel(h.ctx)
	ids := h.made
	listed, _ := h.e.Runtime.List(ctx, map[string]string{suiteLabel: h.prefix})
	for _, st := range listed {
		ids = append(ids, st.ID)
	}
	for _, id := range ids {
		if err := h.e.Runtime.Remove(ctx, id, true); err != nil && !errors.Is(err, runtime.ErrNotFound) {
			h.t.Errorf("cleanup: %v", err)
		}
	}
}
