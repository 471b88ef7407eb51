package service

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stackorch/stack/runtime"
)

func TestSpecJoinsTheDefaultNetworkWhenNoneListed(t *testing.T) {
	for name, nets := range map[string]map[string]*types.ServiceNetworkConfig{
		"as compose-go lists it": {"default": nil},
		"nothing listed":         nil,
	} {
		svc := testService("web", func(s *types.ServiceConfig) { s.Networks = nets })
		got := mustSpec(t, testProject(svc), "web", 1).Network.Attachments
		want := []runtime.Attachment{{Network: "demo_default", Aliases: []string{"web"}}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: attachments %+v, want %+v", name, got, want)
		}
	}
}

func TestSpecAttachesNetworksByPriorityWithTheirFullNames(t *testing.T) {
	p := testProject()
	p.Networks["front"] = types.NetworkConfig{Name: "demo_front"}
	p.Networks["back"] = types.NetworkConfig{Name: "shared-backend", External: true}
	p.Networks["admin"] = types.NetworkConfig{Name: "demo_admin"}
	p.Services["web"] = testService("web", func(s *types.ServiceConfig) {
		s.MacAddress = "02:42:ac:11:00:02"
		s.Networks = map[string]*types.ServiceNetworkConfig{
			"front": {Aliases: []string{"www"}, Ipv4Address: "172.30.0.10"},
			"back":  {Priority: 100, Aliases: []string{"api"}},
			"admin": {UseServiceNameAlias: ptr(false), MacAddress: "02:42:ac:11:00:09"},
		}
	})
	got := mustSpec(t, p, "web", 1).Network.Attachments
	want := []runtime.Attachment{
		{Network: "shared-backend", Aliases: []string{"web", "api"}, Priority: 100, MACAddress: "02:42:ac:11:00:02"},
		{Network: "demo_admin", MACAddress: "02:42:ac:11:00:09"},
		{Network: "demo_front", Aliases: []string{"web", "www"}, IPv4Address: "172.30.0.10"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("attachments\n got %+v\nwant %+v", got, want)
	}
}

func TestSpecRefusesAMacAddressThatDisagreesWithTheMainNetwork(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) {
		s.MacAddress = "02:00:00:00:00:01"
		s.Networks = map[string]*types.ServiceNetworkConfig{"default": {MacAddress: "02:00:00:00:00:02"}}
	})
	if _, err := Spec(testProject(svc), "web", 1, Options{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("error %v, want ErrInvalid", err)
	}
}

func TestSpecRefusesAFixedAddressForASecondReplica(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) {
		s.Networks = map[string]*types.ServiceNetworkConfig{"default": {Ipv4Address: "172.30.0.10"}}
	})
	p := testProject(svc)
	mustSpec(t, p, "web", 1)
	_, err := Spec(p, "web", 2, Options{})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "replica 2") {
		t.Fatalf("error %v", err)
	}
}

func TestSpecRefusesAnUndeclaredNetwork(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) {
		s.Networks = map[string]*types.ServiceNetworkConfig{"nowhere": nil}
	})
	if _, err := Spec(testProject(svc), "web", 1, Options{}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("error %v, want ErrInvalid", err)
	}
}

func TestOneOffSpecRegistersAliasesOnlyWhenAsked(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) {
		s.Networks = map[string]*types.ServiceNetworkConfig{"default": {Aliases: []string{"www"}}}
	})
	p := testProject(svc)
	plain, err := OneOffSpec(p, "web", OneOff{Slug: "abc"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a := plain.Network.Attachments[0].Aliases; len(a) != 0 {
		t.Errorf("one-off aliases %v, want none", a)
	}
	aliased, err := OneOffSpec(p, "web", OneOff{Slug: "abc", UseAliases: true}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if a := aliased.Network.Attachments[0].Aliases; !reflect.DeepEqual(a, []string{"web", "www"}) {
		t.Errorf("one-off --use-aliases aliases %v", a)
	}
}

func TestSpecNetworkMode(t *testing.T) {
	cases := []struct{ mode, want string }{
		{"host", "host"},
		{"none", "none"},
		{"disabled", "none"},
		{"container:legacy", "container:legacy"},
		{"service:db", "container:demo-db-1"},
		{"service:proxy", "container:edge"},
	}
	for _, c := range cases {
		p := testProject(
			testService("db"),
			testService("proxy", func(s *types.ServiceConfig) { s.ContainerName = "edge" }),
			testService("web", func(s *types.ServiceConfig) { s.NetworkMode = c.mode; s.Networks = nil }),
		)
		n := mustSpec(t, p, "web", 1).Network
		if n.Mode != c.want || n.Attachments != nil {
			t.Errorf("network_mode %q: mode %q attachments %v, want %q and none", c.mode, n.Mode, n.Attachments, c.want)
		}
	}
}

func TestSpecRefusesNetworkModesItDoesNotKnow(t *testing.T) {
	for mode, want := range map[string]error{"bridge": ErrUnsupported, "service:ghost": ErrUnknownService, "container:": ErrInvalid} {
		svc := testService("web", func(s *types.ServiceConfig) { s.NetworkMode = mode })
		if _, err := Spec(testProject(svc), "web", 1, Options{}); !errors.Is(err, want) {
			t.Errorf("network_mode %q: error %v, want %v", mode, err, want)
		}
	}
}

func TestSpecSharesIPCAndPIDNamespaces(t *testing.T) {
	cases := []struct{ ipc, pid, wantIPC, wantPID string }{
		{"", "", "", ""},
		{"shareable", "host", "shareable", "host"},
		{"service:db", "service:db", "container:demo-db-1", "container:demo-db-1"},
		{"container:x", "container:y", "container:x", "container:y"},
	}
	for _, c := range cases {
		p := testProject(testService("db"), testService("web", func(s *types.ServiceConfig) { s.Ipc, s.Pid = c.ipc, c.pid }))
		n := mustSpec(t, p, "web", 1).Network
		if n.IPC != c.wantIPC || n.PID != c.wantPID {
			t.Errorf("ipc %q pid %q: got %q %q", c.ipc, c.pid, n.IPC, n.PID)
		}
	}
	p := testProject(testService("web", func(s *types.ServiceConfig) { s.Pid = "private" }))
	if _, err := Spec(p, "web", 1, Options{}); !errors.Is(err, ErrInvalid) {
		t.Errorf("pid: private: error %v, want ErrInvalid", err)
	}
}

func TestSpecResolverKeys(t *testing.T) {
	svc := testService("web", func(s *types.ServiceConfig) {
		s.DNS = types.StringList{"1.1.1.1", "9.9.9.9"}
		s.DNSSearch = types.StringList{"example.org"}
		s.DNSOpts = []string{"ndots:2"}
		s.ExtraHosts = types.HostsList{"db.local": {"10.0.0.5"}, "alpha": {"10.0.0.1", "::1"}}
	})
	n := mustSpec(t, testProject(svc), "web", 1).Network
	if !reflect.DeepEqual(n.DNS, []string{"1.1.1.1", "9.9.9.9"}) || !reflect.DeepEqual(n.DNSSearch, []string{"example.org"}) ||
		!reflect.DeepEqual(n.DNSOptions, []string{"ndots:2"}) {
		t.Errorf("dns %v search %v options %v", n.DNS, n.DNSSearch, n.DNSOptions)
	}
	if want := []string{"alpha:10.0.0.1", "alpha:::1", "db.local:10.0.0.5"}; !reflect.DeepEqual(n.ExtraHosts, want) {
		t.Errorf("extra_hosts %v, want %v", n.ExtraHosts, want)
	}
}
