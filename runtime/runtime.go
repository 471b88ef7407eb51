// Package runtime is the container engine contract: what a container is asked to
// be (Spec), what it is (State), and the operations an engine offers (Runtime).
//
// The package holds types only. runtime/linux implements it with the kernel;
// runtime/runtimetest implements it in memory for tests. Import the standard
// library's runtime as goruntime wherever both are needed.
package runtime

import (
	"context"
	"errors"
	"syscall"
	"time"
)

// Sentinel errors shared by every implementation; check them with errors.Is.
var (
	ErrNotFound      = errors.New("no such container")
	ErrAlreadyExists = errors.New("container already exists")
	ErrNotRunning    = errors.New("container is not running")
	ErrRunning       = errors.New("container is running")
)

// Runtime is a container engine. Every method is safe for concurrent use.
// Containers are addressed by ID or by name.
type Runtime interface {
	// Create makes a container from spec without starting it.
	Create(ctx context.Context, spec Spec) (State, error)
	// Start starts a created or exited container.
	Start(ctx context.Context, id string) error
	// Stop sends the container's stop signal, then SIGKILL after timeout.
	// A negative timeout means the spec's stop grace period. Stopping a
	// container that is not running succeeds, as with Docker.
	Stop(ctx context.Context, id string, timeout time.Duration) error
	// StopToRemove is Stop for a container that Remove is called on next.
	// It may return once the container's processes are gone, before the
	// engine is done with the exit (its record, its network): Remove waits
	// for that. A teardown uses it, so that a dependency stops sooner.
	StopToRemove(ctx context.Context, id string, timeout time.Duration) error
	// Kill sends sig to the container's main process; ErrNotRunning when
	// there is none.
	Kill(ctx context.Context, id string, sig syscall.Signal) error
	// Remove deletes a stopped container; force stops it first.
	Remove(ctx context.Context, id string, force bool) error
	// Inspect returns the container's current state.
	Inspect(ctx context.Context, id string) (State, error)
	// List returns every container whose labels include all of labels.
	List(ctx context.Context, labels map[string]string) ([]State, error)
	// Wait blocks until the container reaches cond and returns its state then.
	Wait(ctx context.Context, id string, cond Condition) (State, error)
}

// Condition is what Wait waits for.
type Condition int

const (
	// UntilRunning returns once the container runs (or fails to).
	UntilRunning Condition = iota
	// UntilHealthy returns once the container is healthy, or unhealthy, or
	// exited; the caller reads the returned state to tell which. A running
	// container without a healthcheck returns at once, with no Health.
	UntilHealthy
	// UntilExited returns once the container is not running and will not
	// restart; a container never started keeps it waiting, unless its start
	// failed.
	UntilExited
	// UntilRemoved returns once the container no longer exists.
	UntilRemoved
)

func (c Condition) String() string {
	switch c {
	case UntilRunning:
		return "running"
	case UntilHealthy:
		return "healthy"
	case UntilExited:
		return "exited"
	case UntilRemoved:
		return "removed"
	}
	return "unknown"
}
