package linux

import (
	"context"
	"runtime/debug"
	"time"

	"github.com/stackorch/stack/runtime"
)

// Docker's healthcheck defaults.
const (
	defaultInterval      = 30 * time.Second
	defaultTimeout       = 30 * time.Second
	defaultStartInterval = 5 * time.Second
	defaultRetries       = 3
	healthOutputLimit    = 4096
	healthLogLength      = 5
)

// healthcheck is the service's healthcheck, else the image's, with
// Docker's defaults filled in; nil when there is none or it is disabled.
func (m *monitor) healthcheck() *runtime.Healthcheck {
	hc := m.rec.Spec.Healthcheck
	if hc == nil {
		hc = m.rec.Image.Config.Healthcheck
	}
	if hc == nil || len(hc.Test) == 0 || hc.Test[0] == "NONE" {
		return nil
	}
	out := *hc
	if out.Interval <= 0 {
		out.Interval = defaultInterval
	}
	if out.Timeout <= 0 {
		out.Timeout = defaultTimeout
	}
	if out.StartInterval <= 0 {
		out.StartInterval = defaultStartInterval
	}
	if out.Retries <= 0 {
		out.Retries = defaultRetries
	}
	return &out
}

// healthArgs turns a healthcheck test into a command line.
func healthArgs(test []string) []string {
	switch test[0] {
	case "CMD":
		return test[1:]
	case "CMD-SHELL":
		if len(test) > 1 {
			return []string{"/bin/sh", "-c", test[1]}
		}
	}
	return test
}

// The first probes of a run come early, on a ramp (5 ms, 10 ms, 20 ms,
// ... up to the first regular probe), so that a container is healthy as
// soon as it is ready rather than a whole (start) interval later, which a
// chain of service_healthy dependencies pays at each level. They are extra
// to Docker's schedule: their failures are not recorded and not counted.
const firstEarlyProbe = 5 * time.Millisecond

// checkHealth probes the container until this run exits, as Docker does:
// a probe every StartInterval during the start period and every Interval
// after; a success makes it healthy, Retries failures in a row (not
// counting the start period's) unhealthy. Until its first success, early
// probes come on a ramp besides.
func (m *monitor) checkHealth(hc *runtime.Healthcheck, pid int, exited <-chan struct{}) {
	started := time.Now()
	args := healthArgs(hc.Test)
	early, healthy := firstEarlyProbe, false
	last := started // the end of the last regular probe
	for {
		inStart := time.Since(started) < hc.StartPeriod
		next := last.Add(hc.Interval)
		if inStart {
			next = last.Add(hc.StartInterval)
		}
		for !healthy && time.Until(next) > early {
			select {
			case <-exited:
				return
			case <-time.After(early):
			}
			early *= 2
			if res, ok := m.probe(hc, pid, args, exited); !ok {
				return
			} else if res.ExitCode == 0 {
				healthy = true
				m.recordProbe(res, false, hc.Retries)
			}
		}
		select {
		case <-exited:
			return
		case <-time.After(time.Until(next)):
		}
		res, ok := m.probe(hc, pid, args, exited)
		if !ok {
			return
		}
		healthy = healthy || res.ExitCode == 0
		m.recordProbe(res, inStart && time.Since(started) < hc.StartPeriod, hc.Retries)
		last = time.Now()
		// A probe leaves some 25 KB of garbage, and a monitor's heap is too
		// small for Go to collect on its own before it is some megabytes:
		// one collection a regular probe (well under a millisecond for a
		// heap this size) keeps a healthchecked container's monitor at the
		// size of an unchecked one's, plus the collector's own pages.
		debug.FreeOSMemory()
	}
}

// probe runs the healthcheck once; false if the container stopped under it.
func (m *monitor) probe(hc *runtime.Healthcheck, pid int, args []string, exited <-chan struct{}) (HealthResult, bool) {
	ctx, cancel := context.WithTimeout(context.Background(), hc.Timeout)
	defer cancel()
	res := HealthResult{Start: time.Now().UTC()}
	rec, err := m.execRecord()
	code, out := -1, ""
	if err == nil {
		code, out, err = execOutput(ctx, rec, pid, args, healthOutputLimit)
	}
	res.End, res.ExitCode, res.Output = time.Now().UTC(), code, out
	if ctx.Err() != nil {
		res.ExitCode, res.Output = -1, "Health check exceeded timeout ("+hc.Timeout.String()+")"
	} else if err != nil {
		res.ExitCode, res.Output = -1, err.Error()
	}
	select {
	case <-exited:
		return res, false // the container stopped under the probe: record nothing
	default:
		return res, true
	}
}

// recordProbe writes a probe's result into the health state; a failure in
// the start period does not count.
func (m *monitor) recordProbe(res HealthResult, inStart bool, retries int) {
	m.setState(func(s *status) {
		s.HealthLog = append(s.HealthLog, res)
		if len(s.HealthLog) > healthLogLength {
			s.HealthLog = s.HealthLog[len(s.HealthLog)-healthLogLength:]
		}
		if res.ExitCode == 0 {
			s.Health, s.FailingCount = runtime.HealthHealthy, 0
			return
		}
		if inStart {
			return
		}
		if s.FailingCount++; s.FailingCount >= retries {
			s.Health = runtime.HealthUnhealthy
		}
	})
}
