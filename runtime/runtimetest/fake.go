// Package runtimetest is a scriptable in-memory runtime.Runtime for tests,
// and the behaviour suite every runtime.Runtime must pass.
//
// A Fake's containers run no process: each one follows the Script registered
// for its name (fail to start, exit with a code after a delay, become healthy
// or unhealthy, take time to start or stop). The Fake records every call on
// a logical clock so tests can assert order and overlap without timing.
package runtimetest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/stackorch/stack/runtime"
)

// Script is how the container of one name behaves. The zero Script starts at
// once, runs until stopped, and has no healthcheck.
type Script struct {
	// StartErr makes Start fail with this cause.
	StartErr error
	// StartDelay and StopDelay are how long Start and Stop take.
	StartDelay time.Duration
	StopDelay  time.Duration
	// StartHold and StopHold, when non-nil, block Start and Stop (after their
	// delay) until closed, so a test decides when they finish.
	StartHold <-chan struct{}
	StopHold  <-chan struct{}
	// RemoveHold, when non-nil, blocks Remove until closed.
	RemoveHold <-chan struct{}
	// Exit, when non-nil, makes the process exit by itself.
	Exit *Exit
	// Health, when non-nil, gives the container a healthcheck: its health is
	// "starting" from Start until it becomes Health.Status.
	Health *Health
}

// Exit is a process exiting with Code, After it started.
type Exit struct {
	Code  int
	After time.Duration
}

// Health is a healthcheck deciding Status, After the container started.
type Health struct {
	Status runtime.Health
	After  time.Duration
}

// Fake is an in-memory runtime.Runtime. It is safe for concurrent use.
type Fake struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change
	byID    map[string]*container
	byName  map[string]*container
	scripts map[string]Script
	seq     int
	log     journal
	lastPid int
}

type container struct {
	state runtime.State
	spec  runtime.Spec
	gen   int // bumped on every start and stop, so stale timers do nothing
}

var _ runtime.Runtime = (*Fake)(nil)

// New returns an empty Fake.
func New() *Fake {
	return &Fake{
		changed: make(chan struct{}),
		byID:    map[string]*container{},
		byName:  map[string]*container{},
		scripts: map[string]Script{},
		log:     newJournal(),
	}
}

// Script sets how the container named name behaves from its next Start or
// Stop on. It may be called before the container exists.
func (f *Fake) Script(name string, s Script) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scripts[name] = s
}

// notify wakes every waiter; f.mu must be held.
func (f *Fake) notify() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// lookup finds a container by ID or name; f.mu must be held.
func (f *Fake) lookup(ref string) (*container, bool) {
	if c, ok := f.byID[ref]; ok {
		return c, true
	}
	c, ok := f.byName[ref]
	return c, ok
}

// running finds the running container ref for op, with the sentinel error
// that says why not; the caller holds f.mu.
func (f *Fake) running(op, ref string) (*container, error) {
	c, ok := f.lookup(ref)
	switch {
	case !ok:
		return nil, fmt.Errorf("%s container %q: %w", op, ref, runtime.ErrNotFound)
	case !c.state.Running():
		return nil, fmt.Errorf("%s container %q: %w", op, c.state.Name, runtime.ErrNotRunning)
	}
	return c, nil
}

// newID returns a fresh 64-hex container ID; f.mu must be held.
func (f *Fake) newID(name string) string {
	f.seq++
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%d", name, f.seq))
	return hex.EncodeToString(sum[:])
}

// snapshot returns a copy of c's state that shares nothing with the Fake.
func snapshot(c *container) runtime.State {
	s := c.state
	s.Labels = maps.Clone(c.state.Labels)
	return s
}

// label returns ref's container name for errors and the log, or ref itself.
func (f *Fake) label(ref string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if c, ok := f.lookup(ref); ok {
		return c.state.Name
	}
	return ref
}
