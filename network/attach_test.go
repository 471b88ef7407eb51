package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/stackorch/stack/internal/owner"
	"github.com/stackorch/stack/runtime"
)

// inside opens a netlink handle in a container's namespace.
func inside(t *testing.T, path string) *netlink.Handle {
	t.Helper()
	ns, err := netns.GetFromPath(path)
	if err != nil {
		t.Fatal(err)
	}
	defer ns.Close()
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

func TestAttachOrdersInterfacesByPriorityWithStaticAddresses(t *testing.T) {
	h := newHost(t)
	front := h.ensure(Spec{Name: "p_front", Subnet: "10.10.0.0/24"})
	h.ensure(Spec{Name: "p_back", Subnet: "10.20.0.0/24"})
	_, path := newNetns(t)
	a, err := h.m.Attach(context.Background(), Endpoint{ContainerID: strings.Repeat("ab", 32), Name: "p-web-1", NetnsPath: path,
		Attachments: []runtime.Attachment{
			{Network: "p_back", Priority: 1},
			{Network: "p_front", Priority: 10, IPv4Address: "10.10.0.42", MACAddress: "02:00:00:00:00:42"},
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.m.Detach(context.Background(), a.ContainerID)
	in := inside(t, path)
	for i, want := range []struct{ name, addr, mac string }{
		{"eth0", "10.10.0.42/24", "02:00:00:00:00:42"},
		{"eth1", "10.20.0.2/24", "02:42:0a:14:00:02"},
	} {
		link, err := in.LinkByName(want.name)
		if err != nil {
			t.Fatalf("%s: %v", want.name, err)
		}
		addrs, _ := in.AddrList(link, netlink.FAMILY_V4)
		if len(addrs) != 1 || addrs[0].IPNet.String() != want.addr || link.Attrs().HardwareAddr.String() != want.mac {
			t.Errorf("%s: %v %s, want %s %s", want.name, addrs, link.Attrs().HardwareAddr, want.addr, want.mac)
		}
		if link.Attrs().OperState != netlink.OperUp {
			t.Errorf("%s is %s", want.name, link.Attrs().OperState)
		}
		if a.Interfaces[i].Name != want.name || a.Interfaces[i].IPv4.String() != want.addr {
			t.Errorf("attached interface %d: %+v", i, a.Interfaces[i])
		}
	}
	lo, _ := in.LinkByName("lo")
	if lo.Attrs().Flags&net.FlagUp == 0 {
		t.Error("loopback is down")
	}
	routes, _ := in.RouteList(nil, netlink.FAMILY_V4)
	var gw string
	for _, r := range routes {
		if r.Dst == nil || r.Dst.IP.IsUnspecified() {
			gw = r.Gw.String()
		}
	}
	if gw != front.Gateway {
		t.Errorf("default route via %q, want %s", gw, front.Gateway)
	}
	if !strings.Contains(string(a.Hosts), "10.10.0.42\tabababababab\n") {
		t.Errorf("hosts:\n%s", a.Hosts)
	}
}

func TestAttachRefusesATakenStaticAddressAndLeavesNothing(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_n", Subnet: "10.30.0.0/24"})
	_, p1 := newNetns(t)
	_, p2 := newNetns(t)
	ctx := context.Background()
	e := Endpoint{ContainerID: "c1", Name: "one", NetnsPath: p1, Attachments: []runtime.Attachment{{Network: "p_n", IPv4Address: "10.30.0.9"}}}
	if _, err := h.m.Attach(ctx, e); err != nil {
		t.Fatal(err)
	}
	defer h.m.Detach(ctx, "c1")
	e.ContainerID, e.Name, e.NetnsPath = "c2", "two", p2
	if _, err := h.m.Attach(ctx, e); !errors.Is(err, ErrAddressUsed) {
		t.Fatalf("second attach: %v, want ErrAddressUsed", err)
	}
	links, _ := inside(t, p2).LinkList()
	if len(links) != 1 {
		t.Errorf("container two has %d links after a failed attach, want only lo", len(links))
	}
	n, _ := h.m.Get(ctx, "p_n")
	if len(n.Endpoints) != 1 || n.Endpoints[0].Name != "one" {
		t.Errorf("endpoints %+v", n.Endpoints)
	}
}

func TestAttachAgainReplacesThePreviousRun(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_n", Subnet: "10.40.0.0/24"})
	ctx := context.Background()
	e := Endpoint{ContainerID: "c1", Name: "web", Attachments: []runtime.Attachment{{Network: "p_n"}}}
	for range 3 { // a restarting container: a new netns each run
		_, e.NetnsPath = newNetns(t)
		a, err := h.m.Attach(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Interfaces[0].IPv4.String(); got != "10.40.0.2/24" {
			t.Errorf("address %s, want the same 10.40.0.2/24 each run", got)
		}
	}
	n, _ := h.m.Get(ctx, "p_n")
	if len(n.Endpoints) != 1 {
		t.Errorf("%d endpoints, want 1", len(n.Endpoints))
	}
	h.m.Detach(ctx, "c1")
}

func TestRemoveRefusesALiveEndpointAndForgetsDeadOnes(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_n"})
	ctx := context.Background()
	name, path := newNetns(t)
	if _, err := h.m.Attach(ctx, Endpoint{ContainerID: "c1", Name: "web", NetnsPath: path,
		Attachments: []runtime.Attachment{{Network: "p_n"}}}); err != nil {
		t.Fatal(err)
	}
	if err := h.m.Remove(ctx, "p_n"); !errors.Is(err, ErrInUse) {
		t.Fatalf("remove with a live container: %v, want ErrInUse", err)
	}
	run(t, "ip", "netns", "del", name) // its monitor died: no Detach
	if err := h.m.Remove(ctx, "p_n"); err != nil {
		t.Fatalf("remove after the container's netns is gone: %v", err)
	}
}

// After a reboot a network's bridge is gone while its state is not: the
// next attach makes it again and plugs the veth into it, with the
// network's MTU and the root's link group, the peer's MTU the same.
func TestAttachPlugsTheVethIntoItsBridgeMadeAgainIfGone(t *testing.T) {
	h := newHost(t)
	n := h.ensure(Spec{Name: "p_n", MTU: 1400})
	host := inside(t, h.path)
	br, err := host.LinkByName(n.Bridge)
	if err != nil {
		t.Fatal(err)
	}
	if err := host.LinkDel(br); err != nil {
		t.Fatal(err)
	}
	a, path := h.container("web-1", nil, "p_n")
	if br, err = host.LinkByName(n.Bridge); err != nil {
		t.Fatalf("bridge after attach: %v", err)
	}
	v, err := host.LinkByName(a.Interfaces[0].HostVeth)
	if err != nil {
		t.Fatal(err)
	}
	if v.Attrs().MasterIndex != br.Attrs().Index || v.Attrs().MTU != 1400 || v.Attrs().Group != owner.Group(h.dir) {
		t.Errorf("host veth: master %d (bridge %d), mtu %d, group %d", v.Attrs().MasterIndex, br.Attrs().Index, v.Attrs().MTU, v.Attrs().Group)
	}
	if peer, err := inside(t, path).LinkByName("eth0"); err != nil || peer.Attrs().MTU != 1400 {
		t.Errorf("eth0: %v %v", peer, err)
	}
	// A link of another kind with the bridge's name is not taken for it.
	h.m.Detach(context.Background(), a.ContainerID)
	host.LinkDel(br)
	other := &netlink.Veth{LinkAttrs: netlink.LinkAttrs{Name: n.Bridge, TxQLen: -1}, PeerName: "stktestpeer"}
	if err := host.LinkAdd(other); err != nil {
		t.Fatal(err)
	}
	defer host.LinkDel(other)
	_, p2 := newNetns(t)
	_, err = h.m.Attach(context.Background(), Endpoint{ContainerID: "c2", Name: "web-2", NetnsPath: p2,
		Attachments: []runtime.Attachment{{Network: "p_n"}}})
	if !errors.Is(err, ErrConflict) {
		t.Errorf("attach beside a veth named %s: %v, want ErrConflict", n.Bridge, err)
	}
}

// A monitor's Manager attaches its container and detaches it at the end of
// the run; in between it keeps the host port it publishes and no
// connection to the kernel.
func TestAMonitorKeepsNoKernelConnectionBetweenAttachAndDetachButTheSlowCloseForClose(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_n"})
	m, err := Open(Options{Lib: h.dir, Run: filepath.Join(h.dir, "run"), HostNetns: h.path})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	_, path := newNetns(t)
	ctx := context.Background()
	a, err := m.Attach(ctx, Endpoint{ContainerID: "c1", Name: "web-1", NetnsPath: path,
		Attachments: []runtime.Attachment{{Network: "p_n"}}, Ports: []runtime.Port{{ContainerPort: 53, Protocol: "udp"}}})
	if err != nil {
		t.Fatal(err)
	}
	if m.nft != nil || m.nl != nil || m.nsFd != nil {
		t.Errorf("after Attach: nftables %v, netlink %v, netns %v", m.nft != nil, m.nl != nil, m.nsFd != nil)
	}
	// The published port stays reserved: binding it in the host fails.
	err = inNetns(h.path, func() error {
		c, err := net.ListenPacket("udp4", fmt.Sprintf(":%d", a.Ports[0].HostPort))
		if err == nil {
			c.Close()
		}
		return err
	})
	if err == nil {
		t.Errorf("host port %d is free while the container publishes it", a.Ports[0].HostPort)
	}
	if err := m.Detach(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	// The nftables connection that deleted the port's rules is left for
	// Close: closing it waits on the kernel (Manager.nftDeleted).
	if (m.nft != nil && !m.nftDeleted.Load()) || m.nl != nil || m.nsFd != nil {
		t.Errorf("after Detach: nftables %v (deleted rules: %v), netlink %v, netns %v", m.nft != nil, m.nftDeleted.Load(), m.nl != nil, m.nsFd != nil)
	}
	if n, _ := h.m.Get(ctx, "p_n"); len(n.Endpoints) != 0 {
		t.Errorf("endpoints after Detach: %+v", n.Endpoints)
	}
	m.Close()
	if m.nft != nil {
		t.Error("after Close: nftables still open")
	}
}
