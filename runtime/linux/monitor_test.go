package linux

import (
	"context"
	"testing"
	"time"

	"github.com/stackorch/stack/runtime"
)

// Init's parent-death signal follows the thread that forked it. The
// threads that exec healthchecks end with each probe: they must take no
// container with them.
func TestProbeThreadsEndingLeaveTheContainerRunning(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-probe-threads", "sleep 30")
	spec.Healthcheck = &runtime.Healthcheck{Test: []string{"CMD", "true"}, Interval: 20 * time.Millisecond, Retries: 3}
	st := run(t, e, spec)
	deadline := time.Now().Add(20 * time.Second)
	for {
		var s status
		if err := jsonUnmarshalFile(e.o.Paths.stateFile(st.ID), &s); err == nil && len(s.HealthLog) >= healthLogLength {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("fewer than %d probes in 20s: %s", healthLogLength, readFile(t, e.o.Paths.stateFile(st.ID)))
		}
		time.Sleep(20 * time.Millisecond)
	}
	after, err := e.Inspect(context.Background(), st.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Status != runtime.StatusRunning || after.Pid != st.Pid || !processExists(st.Pid) {
		t.Fatalf("after its probes: %s, pid %d (was %d)", after.Status, after.Pid, st.Pid)
	}
}
