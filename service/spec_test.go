package service

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

func mustSpec(t *testing.T, p *types.Project, name string, n int) runtime.Spec {
	t.Helper()
	s, err := Spec(p, name, n, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSpecMapsProcessKeys(t *testing.T) {
	grace := types.Duration(42 * time.Second)
	svc := testService("web", func(s *types.ServiceConfig) {
		s.Entrypoint = types.ShellCommand{"/entry.sh"}
		s.Environment = types.MappingWithEquals{"Z": ptr("last"), "A": ptr("first"), "UNSET": nil, "EMPTY": ptr("")}
		s.WorkingDir = "/app"
		s.User = "1000:1000"
		s.GroupAdd = []string{"audio"}
		s.Init = ptr(false)
		s.Tty = true
		s.StdinOpen = true
		s.ReadOnly = true
		s.Privileged = true
		s.CapAdd = []string{"NET_ADMIN"}
		s.CapDrop = []string{"ALL"}
		s.SecurityOpt = []string{"no-new-privileges:true"}
		s.Sysctls = types.Mapping{"net.core.somaxconn": "1024"}
		s.Hostname = "h"
		s.DomainName = "example.org"
		s.StopSignal = "SIGINT"
		s.StopGracePeriod = &grace
		s.Tmpfs = types.StringList{"/run:size=1m"}
		s.ShmSize = 128 << 20
		s.OomScoreAdj = 500
	})
	got := mustSpec(t, testProject(svc), "web", 1)
	want := runtime.Spec{
		Name:            "demo-web-1",
		Image:           "alpine:3.20",
		Labels:          got.Labels, // TestSpecLabels
		Hostname:        "h",
		Domainname:      "example.org",
		Entrypoint:      []string{"/entry.sh"},
		Command:         []string{"sleep", "infinity"},
		Env:             []string{"A=first", "EMPTY=", "Z=last"},
		WorkingDir:      "/app",
		User:            "1000:1000",
		GroupAdd:        []string{"audio"},
		Init:            ptr(false),
		Tty:             true,
		StdinOpen:       true,
		ReadOnly:        true,
		Privileged:      true,
		CapAdd:          []string{"NET_ADMIN"},
		CapDrop:         []string{"ALL"},
		SecurityOpt:     []string{"no-new-privileges:true"},
		Sysctls:         map[string]string{"net.core.somaxconn": "1024"},
		Tmpfs:           []string{"/run:size=1m"},
		ShmSize:         128 << 20,
		OOMScoreAdj:     500,
		StopSignal:      "SIGINT",
		StopGracePeriod: 42 * time.Second,
		Restart:         runtime.RestartPolicy{Name: "no"},
		Network: runtime.Network{
			Attachments: []runtime.Attachment{{Network: "demo_default", Aliases: []string{"web"}}},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("spec\n got %+v\nwant %+v", got, want)
	}
}

func TestSpecKeepsAnEmptyEntrypointToResetTheImages(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) {
		s.Entrypoint = types.ShellCommand{}
		s.Command = nil
	})
	got := mustSpec(t, testProject(svc), "web", 1)
	if got.Entrypoint == nil || len(got.Entrypoint) != 0 {
		t.Errorf("Entrypoint = %#v, want empty and non-nil", got.Entrypoint)
	}
	if got.Command != nil {
		t.Errorf("Command = %#v, want nil (the image's)", got.Command)
	}
}

func TestSpecNamesTheImageOfABuildOnlyService(t *testing.T) {
	svc := testService("api", func(s *types.ServiceConfig) {
		s.Image = ""
		s.Build = &types.BuildConfig{Context: "/srv/demo/api"}
	})
	if got := mustSpec(t, testProject(svc), "api", 1).Image; got != "demo-api" {
		t.Fatalf("Image = %q, want demo-api", got)
	}
}

func TestSpecsGiveEachReplicaItsOwnName(t *testing.T) {
	specs, err := Specs(testProject(testService("web")), "web", 3, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range specs {
		n := i + 1
		if want := ContainerName("demo", "web", n); s.Name != want {
			t.Errorf("replica %d: name %q, want %q", n, s.Name, want)
		}
		if got := s.Labels[LabelContainerNumber]; got != string(rune('0'+n)) {
			t.Errorf("replica %d: container-number %q", n, got)
		}
	}
}

func TestSpecsOfZeroReplicasIsEmpty(t *testing.T) {
	specs, err := Specs(testProject(testService("web")), "web", 0, Options{})
	if err != nil || len(specs) != 0 {
		t.Fatalf("Specs(0) = %v, %v", specs, err)
	}
}

func TestSpecsRefusesANegativeCount(t *testing.T) {
	if _, err := Specs(testProject(testService("web")), "web", -1, Options{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("error %v, want ErrInvalid", err)
	}
}

func TestSpecRefusesAnUnknownService(t *testing.T) {
	_, err := Spec(testProject(testService("web")), "wbe", 1, Options{})
	if !errors.Is(err, ErrUnknownService) || err.Error() != `spec service "wbe": no such service` {
		t.Fatalf("error = %v", err)
	}
}

func TestSpecRefusesASecondReplicaOfANamedContainer(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) { s.ContainerName = "w" })
	if _, err := Specs(testProject(svc), "web", 2, Options{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("error = %v, want ErrInvalid", err)
	}
	if got := mustSpec(t, testProject(svc), "web", 1).Name; got != "w" {
		t.Fatalf("name %q, want w", got)
	}
}

func TestSpecDoesNotShareSlicesWithTheProject(t *testing.T) {
	p := testProject(testService("web", func(s *types.ServiceConfig) { s.CapAdd = []string{"A"} }))
	s := mustSpec(t, p, "web", 1)
	s.Command[0] = "changed"
	s.CapAdd[0] = "changed"
	if p.Services["web"].Command[0] != "sleep" || p.Services["web"].CapAdd[0] != "A" {
		t.Fatal("changing the spec changed the project")
	}
}
