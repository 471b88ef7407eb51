package linux

import (
	"context"
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

// checkHealth probes the container until this run exits, as Docker does:
// a probe every StartInterval during the start period and every Interval
// after; a success makes it healthy, Retries failures in a row (not
// counting the start period's) unhealthy.
func (m *monitor) checkHealth(hc *runtime.Healthcheck, pid int, exited <-chan struct{}) {
	started := time.Now()
	args := healthArgs(hc.Test)
	for {
		inStart := time.Since(started) < hc.StartPeriod
		wait := hc.Interval
		if inStart {
			wait = hc.StartInterval
		}
		select {
		case <-exited:
			return
		case <-time.After(wait):
		}
		ctx, cancel := context.WithTimeout(context.Background(), hc.Timeout)
		res := HealthResult{Start: time.Now().UTC()}
		code, out, err := execOutput(ctx, &m.rec, pid, args, healthOutputLimit)
		timedOut := ctx.Err() != nil
		cancel()
		res.End, res.ExitCode, res.Output = time.Now().UTC(), code, out
		if timedOut {
			res.ExitCode, res.Output = -1, "Health check exceeded timeout ("+hc.Timeout.String()+")"
		} else if err != nil {
			res.ExitCode, res.Output = -1, err.Error()
		}
		select {
		case <-exited:
			return // the container stopped under the probe: record nothing
		default:
		}
		m.setState(func(s *status) {
			s.HealthLog = append(s.HealthLog, res)
			if len(s.HealthLog) > healthLogLength {
				s.HealthLog = s.HealthLog[len(s.HealthLog)-healthLogLength:]
			}
			if res.ExitCode == 0 {
				s.Health, s.FailingCount = runtime.HealthHealthy, 0
				return
			}
			if inStart && time.Since(started) < hc.StartPeriod {
				return
			}
			if s.FailingCount++; s.FailingCount >= hc.Retries {
				s.Health = runtime.HealthUnhealthy
			}
		})
	}
}
