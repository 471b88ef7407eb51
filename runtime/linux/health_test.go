package linux

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackorch/stack/runtime"
)

// A service ready at once is healthy long before its first regular probe
// (10 minutes away here): the early probes find it.
func TestAReadyServiceIsHealthyBeforeItsFirstRegularProbe(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-health-early", "sleep 0.2; touch /tmp/ready; sleep 30")
	spec.Healthcheck = &runtime.Healthcheck{Test: []string{"CMD", "test", "-e", "/tmp/ready"}, Interval: 10 * time.Minute}
	st := run(t, e, spec)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if st, _ = e.Wait(ctx, st.ID, runtime.UntilHealthy); st.Health != runtime.HealthHealthy {
		t.Fatalf("health = %q, want healthy; state %s", st.Health, readFile(t, e.o.Paths.stateFile(st.ID)))
	}
}

// The early probes are extra to Docker's schedule: their failures neither
// show in the health log nor count towards unhealthy.
func TestEarlyProbeFailuresDoNotCount(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-health-fail", "sleep 30")
	spec.Healthcheck = &runtime.Healthcheck{Test: []string{"CMD-SHELL", "echo probe >> /tmp/probes; exit 1"}, Interval: 10 * time.Minute, Retries: 1}
	st := run(t, e, spec)
	deadline := time.Now().Add(30 * time.Second)
	for strings.Count(execOut(t, e, st.ID, "sh", "-c", "cat /tmp/probes 2>/dev/null; true"), "probe") < 3 {
		if time.Now().After(deadline) {
			t.Fatal("no early probes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	var s status
	jsonUnmarshalFile(e.o.Paths.stateFile(st.ID), &s)
	if s.Health != runtime.HealthStarting || s.FailingCount != 0 || len(s.HealthLog) != 0 {
		t.Errorf("after failing early probes: health %q, failing %d, log %v", s.Health, s.FailingCount, s.HealthLog)
	}
}
