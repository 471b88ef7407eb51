package service

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

// restartPolicy maps restart:, then deploy.restart_policy which replaces it
// entirely when present, as in Docker Compose. deploy.restart_policy's delay
// and window are Swarm's and ignored, as Docker Compose does.
func restartPolicy(svc types.ServiceConfig) (runtime.RestartPolicy, error) {
	var rp runtime.RestartPolicy
	if svc.Restart != "" {
		name, count, hasCount := strings.Cut(svc.Restart, ":")
		rp.Name = name
		if hasCount {
			n, err := strconv.Atoi(count)
			if err != nil || n < 0 || name != types.RestartPolicyOnFailure {
				return rp, fmt.Errorf("spec service %q: restart: %w policy %q", svc.Name, ErrInvalid, svc.Restart)
			}
			rp.MaxRetries = n
		}
	}
	if svc.Deploy != nil && svc.Deploy.RestartPolicy != nil {
		policy := svc.Deploy.RestartPolicy
		rp = runtime.RestartPolicy{Name: policy.Condition}
		switch policy.Condition {
		case "none", "":
			rp.Name = types.RestartPolicyNo
		case "any":
			rp.Name = types.RestartPolicyAlways
		}
		if policy.MaxAttempts != nil && rp.Name == types.RestartPolicyOnFailure {
			rp.MaxRetries = int(*policy.MaxAttempts)
		}
	}
	switch rp.Name {
	case "":
		rp.Name = types.RestartPolicyNo
	case types.RestartPolicyNo, types.RestartPolicyAlways, types.RestartPolicyOnFailure, types.RestartPolicyUnlessStopped:
	default:
		return rp, fmt.Errorf("spec service %q: restart: %w policy %q", svc.Name, ErrInvalid, rp.Name)
	}
	return rp, nil
}

// healthcheck maps healthcheck:. nil keeps the image's; disable: true turns
// it off with Docker's ["NONE"]; a nil Test with timings set keeps the
// image's test with these timings.
func healthcheck(h *types.HealthCheckConfig) *runtime.Healthcheck {
	if h == nil {
		return nil
	}
	if h.Disable {
		return &runtime.Healthcheck{Test: []string{"NONE"}}
	}
	out := &runtime.Healthcheck{
		Test:          slices.Clone([]string(h.Test)),
		Interval:      duration(h.Interval),
		Timeout:       duration(h.Timeout),
		StartPeriod:   duration(h.StartPeriod),
		StartInterval: duration(h.StartInterval),
	}
	if h.Retries != nil {
		out.Retries = int(*h.Retries)
	}
	return out
}

func duration(d *types.Duration) time.Duration {
	if d == nil {
		return 0
	}
	return time.Duration(*d)
}
