package network

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/vishvananda/netlink"
)

func TestEnsurePicksSubnetsAvoidingHostRoutesAndOtherNetworks(t *testing.T) {
	h := newHost(t)
	// The "host" already routes 172.17.0.0/16.
	run(t, "ip", "-n", h.name, "link", "add", "lan", "type", "veth", "peer", "name", "lan1")
	run(t, "ip", "-n", h.name, "addr", "add", "172.17.3.1/16", "dev", "lan")
	a := h.ensure(Spec{Name: "p_default"})
	b := h.ensure(Spec{Name: "p_back"})
	if a.Subnet != "172.18.0.0/16" || a.Gateway != "172.18.0.1" {
		t.Errorf("first network: subnet %s gateway %s, want 172.18.0.0/16 past the host's route", a.Subnet, a.Gateway)
	}
	if b.Subnet != "172.19.0.0/16" {
		t.Errorf("second network: subnet %s, want 172.19.0.0/16", b.Subnet)
	}
	again := h.ensure(Spec{Name: "p_default"})
	if again.ID != a.ID || again.Subnet != a.Subnet {
		t.Errorf("ensure again gave %+v, want the same network %+v", again, a)
	}
	got, err := h.m.Get(context.Background(), "p_default")
	if err != nil || got.Bridge != a.Bridge {
		t.Fatalf("get: %+v, %v", got, err)
	}
	br, err := h.m.nl.LinkByName(a.Bridge)
	if err != nil {
		t.Fatalf("bridge %q: %v", a.Bridge, err)
	}
	addrs, _ := h.m.nl.AddrList(br, netlink.FAMILY_V4)
	if len(addrs) != 1 || addrs[0].IPNet.String() != "172.18.0.1/16" {
		t.Errorf("bridge addresses %v, want 172.18.0.1/16", addrs)
	}
}

func TestEnsureHonoursIPAMAndDriverOptions(t *testing.T) {
	h := newHost(t)
	n := h.ensure(Spec{Name: "p_custom", Subnet: "10.99.0.0/24", Gateway: "10.99.0.254", IPRange: "10.99.0.128/25",
		BridgeName: "stkcustom0", MTU: 1400, Labels: map[string]string{"com.docker.compose.project": "p"}})
	if n.Subnet != "10.99.0.0/24" || n.Gateway != "10.99.0.254" || n.IPRange != "10.99.0.128/25" || n.Bridge != "stkcustom0" {
		t.Errorf("network %+v", n)
	}
	br, err := h.m.nl.LinkByName("stkcustom0")
	if err != nil || br.Attrs().MTU != 1400 {
		t.Fatalf("bridge stkcustom0: %v, %v", br, err)
	}
	a, _ := h.container("web-1", nil, "p_custom")
	if got := a.Interfaces[0].IPv4.String(); got != "10.99.0.128/24" {
		t.Errorf("first address %s, want 10.99.0.128/24 from the ip_range", got)
	}
	_, err = h.m.Ensure(context.Background(), Spec{Name: "p_custom", Subnet: "10.98.0.0/24"})
	if !errors.Is(err, ErrConflict) {
		t.Errorf("ensure with another subnet: %v, want ErrConflict", err)
	}
	_, err = h.m.Ensure(context.Background(), Spec{Name: "p_other", Subnet: "10.99.0.0/16"})
	if !errors.Is(err, ErrAddressUsed) {
		t.Errorf("ensure an overlapping subnet: %v, want ErrAddressUsed", err)
	}
}

func TestEnsureRejectsWhatItCannotDo(t *testing.T) {
	h := newHost(t)
	for _, tc := range []struct {
		spec Spec
		want error
	}{
		{Spec{Name: "x", External: true}, ErrNotFound},
		{Spec{Name: "x", Driver: "overlay"}, ErrUnsupported},
		{Spec{Name: "x", EnableIPv6: true}, ErrUnsupported},
		{Spec{Name: "x", Subnet: "10.1.0.0/16", Gateway: "10.2.0.1"}, ErrInvalid},
		{Spec{Name: "a/b"}, ErrInvalid},
		{Spec{Name: "x", BridgeName: "docker1"}, ErrUnsupported},
	} {
		if _, err := h.m.Ensure(context.Background(), tc.spec); !errors.Is(err, tc.want) {
			t.Errorf("ensure %+v: %v, want %v", tc.spec, err, tc.want)
		}
	}
	_, err := h.m.Ensure(context.Background(), Spec{Name: "ext", External: true})
	if err == nil || err.Error() != `ensure network "ext": declared as external, but could not be found: no such network` {
		t.Errorf("external: %v", err)
	}
}

func TestRemoveDeletesBridgeStateAndLastTable(t *testing.T) {
	h := newHost(t)
	a := h.ensure(Spec{Name: "p_a"})
	h.ensure(Spec{Name: "p_b"})
	ctx := context.Background()
	if err := h.m.Remove(ctx, "p_a"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.m.nl.LinkByName(a.Bridge); err == nil {
		t.Errorf("bridge %q still there", a.Bridge)
	}
	if _, err := os.Stat(h.m.st.networkFile("p_a")); !os.IsNotExist(err) {
		t.Errorf("state of p_a: %v", err)
	}
	if ok, _ := h.m.tableExists(); !ok {
		t.Errorf("table gone while p_b remains")
	}
	if err := h.m.Remove(ctx, "p_b"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := h.m.tableExists(); ok {
		t.Errorf("table %q left after the last network", tableName)
	}
	if err := h.m.Remove(ctx, "p_b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove again: %v, want ErrNotFound", err)
	}
}
