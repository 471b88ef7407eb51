package service

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

// shortPorts parses port short syntax as compose-go's loader does.
func shortPorts(t *testing.T, specs ...string) []types.ServicePortConfig {
	t.Helper()
	var out []types.ServicePortConfig
	for _, s := range specs {
		p, err := types.ParsePortConfig(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p...)
	}
	return out
}

func TestSpecExpandsPorts(t *testing.T) {
	ports := shortPorts(t, "8080:80", "127.0.0.1:5353:53/udp", "7000-7001:70-71", "9000", "[::1]:8443:443")
	ports = append(ports, types.ServicePortConfig{Target: 6379, Published: "16379", HostIP: "0.0.0.0", Mode: "host"})
	got := mustSpec(t, testProject(testService("web", func(s *types.ServiceConfig) { s.Ports = ports })), "web", 1).Network.Ports
	want := []runtime.Port{
		{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
		{HostIP: "127.0.0.1", HostPort: 5353, ContainerPort: 53, Protocol: "udp"},
		{HostPort: 7000, ContainerPort: 70, Protocol: "tcp"},
		{HostPort: 7001, ContainerPort: 71, Protocol: "tcp"},
		{ContainerPort: 9000, Protocol: "tcp"},
		{HostIP: "::1", HostPort: 8443, ContainerPort: 443, Protocol: "tcp"},
		{HostIP: "0.0.0.0", HostPort: 16379, ContainerPort: 6379, Protocol: "tcp"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("ports\n got %+v\nwant %+v", got, want)
	}
}

func TestSpecsGiveEachReplicaItsOwnHostPort(t *testing.T) {
	ports := shortPorts(t, "8000-8002:80", "9000")
	ports = append(ports, types.ServicePortConfig{Target: 53, Published: "5300-5301", Protocol: "udp"})
	p := testProject(testService("web", func(s *types.ServiceConfig) { s.Ports = ports }))
	specs, err := Specs(p, "web", 2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]runtime.Port{
		{{HostPort: 8000, ContainerPort: 80, Protocol: "tcp"}, {ContainerPort: 9000, Protocol: "tcp"}, {HostPort: 5300, ContainerPort: 53, Protocol: "udp"}},
		{{HostPort: 8001, ContainerPort: 80, Protocol: "tcp"}, {ContainerPort: 9000, Protocol: "tcp"}, {HostPort: 5301, ContainerPort: 53, Protocol: "udp"}},
	} {
		if got := specs[i].Network.Ports; !reflect.DeepEqual(got, want) {
			t.Errorf("replica %d ports %+v, want %+v", i+1, got, want)
		}
	}
	if _, err := Specs(p, "web", 3, Options{}); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "replica 3 has no host port left in 5300-5301") {
		t.Errorf("three replicas on a range of two: error %v", err)
	}
}

func TestSpecRefusesAFixedHostPortForASecondReplica(t *testing.T) {
	p := testProject(testService("web", func(s *types.ServiceConfig) { s.Ports = shortPorts(t, "8080:80") }))
	_, err := Specs(p, "web", 2, Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "replica 2 cannot publish host port 8080") {
		t.Fatalf("error %v", err)
	}
}

func TestSpecRefusesBadPorts(t *testing.T) {
	cases := map[string]struct {
		port types.ServicePortConfig
		want error
	}{
		"sctp":          {types.ServicePortConfig{Target: 80, Protocol: "sctp"}, ErrUnsupported},
		"no target":     {types.ServicePortConfig{Published: "80"}, ErrInvalid},
		"bad published": {types.ServicePortConfig{Target: 80, Published: "http"}, ErrInvalid},
		"reversed":      {types.ServicePortConfig{Target: 80, Published: "90-80"}, ErrInvalid},
		"too high":      {types.ServicePortConfig{Target: 80, Published: "70000"}, ErrInvalid},
	}
	for name, c := range cases {
		svc := testService("web", func(s *types.ServiceConfig) { s.Ports = []types.ServicePortConfig{c.port} })
		if _, err := Spec(testProject(svc), "web", 1, Options{}); !errors.Is(err, c.want) {
			t.Errorf("%s: error %v, want %v", name, err, c.want)
		}
	}
}

func TestOneOffSpecPublishesPortsOnlyWhenAsked(t *testing.T) {
	p := testProject(testService("web", func(s *types.ServiceConfig) { s.Ports = shortPorts(t, "8000-8001:80") }))
	plain, err := OneOffSpec(p, "web", OneOff{Slug: "abc"}, Options{})
	if err != nil || plain.Network.Ports != nil {
		t.Fatalf("one-off ports %+v, %v; want none", plain.Network.Ports, err)
	}
	published, err := OneOffSpec(p, "web", OneOff{Slug: "abc", ServicePorts: true}, Options{})
	want := []runtime.Port{{HostPort: 8000, ContainerPort: 80, Protocol: "tcp"}}
	if err != nil || !reflect.DeepEqual(published.Network.Ports, want) {
		t.Fatalf("one-off --service-ports ports %+v, %v; want %+v", published.Network.Ports, err, want)
	}
}
