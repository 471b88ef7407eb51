package service

import (
	"fmt"
	"regexp"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

func TestHashIsStableAcrossRuns(t *testing.T) {
	// Maps are rebuilt every time, in a different insertion order, so a hash
	// that followed Go's map iteration order would differ between rounds.
	build := func(reverse bool) types.ServiceConfig {
		return testService("web", func(s *types.ServiceConfig) {
			s.Environment = types.MappingWithEquals{}
			s.Labels = types.Labels{}
			for i := range 50 {
				k := i
				if reverse {
					k = 49 - i
				}
				s.Environment[fmt.Sprintf("VAR_%02d", k)] = ptr(fmt.Sprint(k))
				s.Labels[fmt.Sprintf("label.%02d", k)] = fmt.Sprint(k)
			}
			s.ExtraHosts = types.HostsList{"a": {"10.0.0.1"}, "b": {"10.0.0.2"}}
		})
	}
	want := mustHash(t, build(false))
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(want) {
		t.Fatalf("hash %q is not 64 hex digits", want)
	}
	for round := range 20 {
		if got := mustHash(t, build(round%2 == 1)); got != want {
			t.Fatalf("round %d: hash %s, want %s", round, got, want)
		}
	}
}

func TestHashIsIndependentOfJSONKeyOrder(t *testing.T) {
	a, err := canonicalJSON([]byte(`{"image":"x","user":"u","deploy":{"b":1,"a":[{"y":2,"x":1}]}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, err := canonicalJSON([]byte(`{"deploy":{"a":[{"x":1,"y":2}],"b":1},"user":"u","image":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Fatalf("canonical forms differ:\n%s\n%s", a, b)
	}
}

func TestHashKeepsLargeNumbersExact(t *testing.T) {
	a, err := canonicalJSON([]byte(`{"n":9007199254740993}`))
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != `{"n":9007199254740993}` {
		t.Fatalf("canonical form %s lost precision", a)
	}
}

// TestHashIgnores lists what Docker Compose's ServiceHash leaves out (and
// what compose-go keeps out of JSON): changing it must not recreate.
func TestHashIgnores(t *testing.T) {
	base := testService("web", func(s *types.ServiceConfig) {
		s.DependsOn = types.DependsOnConfig{"db": {Condition: types.ServiceConditionStarted, Required: true}}
	})
	cases := map[string]func(*types.ServiceConfig){
		"scale":           func(s *types.ServiceConfig) { s.Scale = ptr(3) },
		"deploy.replicas": func(s *types.ServiceConfig) { s.Deploy = &types.DeployConfig{Replicas: ptr(4)} },
		"--scale":         func(s *types.ServiceConfig) { s.SetScale(5) },
		"build": func(s *types.ServiceConfig) {
			s.Build = &types.BuildConfig{Context: "/srv/demo/web", Dockerfile: "Dockerfile"}
		},
		"pull_policy": func(s *types.ServiceConfig) { s.PullPolicy = types.PullPolicyAlways },
		"depends_on condition": func(s *types.ServiceConfig) {
			s.DependsOn = types.DependsOnConfig{"db": {Condition: types.ServiceConditionHealthy, Required: true}}
		},
		"depends_on added": func(s *types.ServiceConfig) {
			s.DependsOn = types.DependsOnConfig{"db": {Condition: types.ServiceConditionStarted}, "cache": {}}
		},
		"profiles":      func(s *types.ServiceConfig) { s.Profiles = []string{"debug"} },
		"x-extensions":  func(s *types.ServiceConfig) { s.Extensions = types.Extensions{"x-note": "hi"} },
		"custom labels": func(s *types.ServiceConfig) { s.CustomLabels = types.Labels{LabelImage: "sha256:abc"} },
		"environment order": func(s *types.ServiceConfig) {
			s.Environment = types.MappingWithEquals{"B": ptr("2"), "A": ptr("1")}
		},
	}
	want := mustHash(t, base)
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			s := testService("web", func(s *types.ServiceConfig) { s.DependsOn = base.DependsOn })
			edit(&s)
			if got := mustHash(t, s); got != want {
				t.Errorf("changing %s changed the hash", name)
			}
		})
	}
}

// TestHashChangesWith covers container-affecting keys: changing any must
// change the hash, so the container is recreated.
func TestHashChangesWith(t *testing.T) {
	cases := map[string]func(*types.ServiceConfig){
		"image":             func(s *types.ServiceConfig) { s.Image = "alpine:3.21" },
		"command":           func(s *types.ServiceConfig) { s.Command = types.ShellCommand{"sleep", "1"} },
		"entrypoint":        func(s *types.ServiceConfig) { s.Entrypoint = types.ShellCommand{"/bin/sh"} },
		"environment value": func(s *types.ServiceConfig) { s.Environment["A"] = ptr("changed") },
		"environment unset": func(s *types.ServiceConfig) { s.Environment["A"] = nil },
		"environment added": func(s *types.ServiceConfig) { s.Environment["C"] = ptr("3") },
		"labels":            func(s *types.ServiceConfig) { s.Labels = types.Labels{"a": "b"} },
		"user":              func(s *types.ServiceConfig) { s.User = "1000" },
		"working_dir":       func(s *types.ServiceConfig) { s.WorkingDir = "/app" },
		"ports": func(s *types.ServiceConfig) {
			s.Ports = []types.ServicePortConfig{{Target: 80, Published: "8080", Protocol: "tcp"}}
		},
		"volumes": func(s *types.ServiceConfig) {
			s.Volumes = []types.ServiceVolumeConfig{{Type: "volume", Source: "data", Target: "/data"}}
		},
		"networks": func(s *types.ServiceConfig) {
			s.Networks = map[string]*types.ServiceNetworkConfig{"back": nil}
		},
		"restart": func(s *types.ServiceConfig) { s.Restart = types.RestartPolicyAlways },
		"deploy.resources": func(s *types.ServiceConfig) {
			s.Deploy = &types.DeployConfig{Resources: types.Resources{Limits: &types.Resource{MemoryBytes: 1 << 20}}}
		},
		"deploy.restart_policy": func(s *types.ServiceConfig) {
			s.Deploy = &types.DeployConfig{RestartPolicy: &types.RestartPolicy{Condition: "on-failure"}}
		},
		"mem_limit": func(s *types.ServiceConfig) { s.MemLimit = 64 << 20 },
		"healthcheck": func(s *types.ServiceConfig) {
			d := types.Duration(5 * time.Second)
			s.HealthCheck = &types.HealthCheckConfig{Test: types.HealthCheckTest{"CMD", "true"}, Interval: &d}
		},
		"stop_grace_period": func(s *types.ServiceConfig) { d := types.Duration(time.Second); s.StopGracePeriod = &d },
		"cap_add":           func(s *types.ServiceConfig) { s.CapAdd = []string{"NET_ADMIN"} },
		"read_only":         func(s *types.ServiceConfig) { s.ReadOnly = true },
		"container_name":    func(s *types.ServiceConfig) { s.ContainerName = "web" },
		"extra_hosts":       func(s *types.ServiceConfig) { s.ExtraHosts = types.HostsList{"h": {"10.0.0.9"}} },
		"tmpfs":             func(s *types.ServiceConfig) { s.Tmpfs = types.StringList{"/run"} },
		"init":              func(s *types.ServiceConfig) { s.Init = ptr(false) },
	}
	base := mustHash(t, testService("web"))
	seen := map[string]string{}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			got := mustHash(t, testService("web", edit))
			if got == base {
				t.Errorf("changing %s left the hash unchanged", name)
			}
			if other, dup := seen[got]; dup {
				t.Errorf("changing %s gives the same hash as changing %s", name, other)
			}
			seen[got] = name
		})
	}
}

func TestHashLeavesTheServiceAlone(t *testing.T) {
	s := testService("web", func(s *types.ServiceConfig) {
		s.Scale = ptr(2)
		s.Deploy = &types.DeployConfig{Replicas: ptr(2)}
		s.Build = &types.BuildConfig{Context: "."}
		s.PullPolicy = types.PullPolicyBuild
	})
	mustHash(t, s)
	if s.Deploy.Replicas == nil || *s.Deploy.Replicas != 2 || s.Scale == nil || s.Build == nil || s.PullPolicy == "" {
		t.Fatalf("Hash changed its argument: %+v", s)
	}
}
