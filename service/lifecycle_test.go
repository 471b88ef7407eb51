package service

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

func TestSpecRestartPolicy(t *testing.T) {
	deploy := func(cond string, attempts *uint64) func(*types.ServiceConfig) {
		return func(s *types.ServiceConfig) {
			s.Restart = types.RestartPolicyAlways // replaced by deploy.restart_policy
			s.Deploy = &types.DeployConfig{RestartPolicy: &types.RestartPolicy{Condition: cond, MaxAttempts: attempts}}
		}
	}
	restart := func(v string) func(*types.ServiceConfig) { return func(s *types.ServiceConfig) { s.Restart = v } }
	cases := []struct {
		name string
		edit func(*types.ServiceConfig)
		want runtime.RestartPolicy
	}{
		{"unset is no", nil, runtime.RestartPolicy{Name: "no"}},
		{"no", restart("no"), runtime.RestartPolicy{Name: "no"}},
		{"always", restart("always"), runtime.RestartPolicy{Name: "always"}},
		{"unless-stopped", restart("unless-stopped"), runtime.RestartPolicy{Name: "unless-stopped"}},
		{"on-failure", restart("on-failure"), runtime.RestartPolicy{Name: "on-failure"}},
		{"on-failure with retries", restart("on-failure:5"), runtime.RestartPolicy{Name: "on-failure", MaxRetries: 5}},
		{"deploy any is always", deploy("any", nil), runtime.RestartPolicy{Name: "always"}},
		{"deploy none is no", deploy("none", nil), runtime.RestartPolicy{Name: "no"}},
		{"deploy on-failure with attempts", deploy("on-failure", ptr(uint64(3))), runtime.RestartPolicy{Name: "on-failure", MaxRetries: 3}},
		{"deploy attempts only count on failure", deploy("any", ptr(uint64(3))), runtime.RestartPolicy{Name: "always"}},
		{"deploy without condition is no", deploy("", nil), runtime.RestartPolicy{Name: "no"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := mustSpec(t, testProject(testService("web", opt(c.edit))), "web", 1).Restart
			if got != c.want {
				t.Fatalf("restart %+v, want %+v", got, c.want)
			}
		})
	}
}

func TestSpecRefusesAnInvalidRestartPolicy(t *testing.T) {
	for _, v := range []string{"sometimes", "always:3", "on-failure:x", "on-failure:-1"} {
		svc := testService("web", func(s *types.ServiceConfig) { s.Restart = v })
		if _, err := Spec(testProject(svc), "web", 1, Options{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("restart %q: error %v, want ErrInvalid", v, err)
		}
	}
}

func TestSpecHealthcheck(t *testing.T) {
	d := func(v time.Duration) *types.Duration { x := types.Duration(v); return &x }
	cases := []struct {
		name string
		hc   *types.HealthCheckConfig
		want *runtime.Healthcheck
	}{
		{"none keeps the image's", nil, nil},
		{"disable", &types.HealthCheckConfig{Disable: true, Test: types.HealthCheckTest{"CMD", "x"}}, &runtime.Healthcheck{Test: []string{"NONE"}}},
		{"full", &types.HealthCheckConfig{
			Test:     types.HealthCheckTest{"CMD-SHELL", "curl -f localhost"},
			Interval: d(5 * time.Second), Timeout: d(2 * time.Second), StartPeriod: d(time.Minute),
			StartInterval: d(time.Second), Retries: ptr(uint64(7)),
		}, &runtime.Healthcheck{
			Test:     []string{"CMD-SHELL", "curl -f localhost"},
			Interval: 5 * time.Second, Timeout: 2 * time.Second, StartPeriod: time.Minute,
			StartInterval: time.Second, Retries: 7,
		}},
		{"timings only keep the image's test", &types.HealthCheckConfig{Interval: d(time.Second)}, &runtime.Healthcheck{Interval: time.Second}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			svc := testService("web", func(s *types.ServiceConfig) { s.HealthCheck = c.hc })
			got := mustSpec(t, testProject(svc), "web", 1).Healthcheck
			if !reflect.DeepEqual(got, c.want) {
				t.Fatalf("healthcheck %+v, want %+v", got, c.want)
			}
		})
	}
}
