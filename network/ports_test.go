package network

import (
	"context"
	"errors"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/stackorch/stack/runtime"
)

func TestPublishedPortsReachTheContainerFromEverywhere(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_default"})
	h.ensure(Spec{Name: "p_other"})
	web, webNS := h.container("web-1", []runtime.Port{
		{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"},
		{HostPort: 5353, ContainerPort: 53, Protocol: "udp"},
	}, "p_default")
	serveTCP(t, webNS, ":80")
	serveUDP(t, webNS, ":53")
	peer, peerNS := h.container("peer-1", nil, "p_default")
	_, otherNS := h.container("other-1", nil, "p_other")
	gw := web.Interfaces[0].Gateway.String()
	for _, tc := range []struct {
		what, ns, network, addr, from string
	}{
		{"host -> 127.0.0.1", h.path, "tcp4", "127.0.0.1:8080", LoopbackSource.String()},
		{"host -> its own address", h.path, "tcp4", hostAddr + ":8080", hostAddr},
		{"outside -> host address", h.outPath, "tcp4", hostAddr + ":8080", outsideAddr},
		{"container on the same network -> host address", peerNS, "tcp4", hostAddr + ":8080", gw},
		{"container on another network -> host address", otherNS, "tcp4", hostAddr + ":8080", ""},
		{"udp from host -> 127.0.0.1", h.path, "udp4", "127.0.0.1:5353", LoopbackSource.String()},
		{"udp from outside", h.outPath, "udp4", hostAddr + ":5353", outsideAddr},
	} {
		got, err := ask(tc.ns, tc.network, tc.addr)
		if err != nil || tc.from != "" && got != "from "+tc.from {
			t.Errorf("%s: %q, %v; want from %s", tc.what, got, err, tc.from)
		}
	}
	_ = peer
}

func TestPublishedPortsHonourHostIPAndPickEphemeralPorts(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_default"})
	web, webNS := h.container("web-1", []runtime.Port{
		{HostIP: "127.0.0.1", HostPort: 8081, ContainerPort: 80, Protocol: "tcp"},
		{ContainerPort: 80, Protocol: "tcp"},
	}, "p_default")
	serveTCP(t, webNS, ":80")
	if _, err := ask(h.path, "tcp4", "127.0.0.1:8081"); err != nil {
		t.Errorf("127.0.0.1:8081: %v", err)
	}
	if !unreachable(h.outPath, hostAddr+":8081") {
		t.Errorf("a port published on 127.0.0.1 answers on %s", hostAddr)
	}
	eph := web.Ports[1].HostPort
	if eph == 0 {
		t.Fatalf("ephemeral port not resolved: %+v", web.Ports)
	}
	if got, _ := h.m.Ports(context.Background(), web.ContainerID); len(got) != 2 || got[1].HostPort != eph {
		t.Errorf("ports recorded: %+v", got)
	}
	if _, err := ask(h.outPath, "tcp4", hostAddr+":"+strconv.Itoa(int(eph))); err != nil {
		t.Errorf("ephemeral port %d: %v", eph, err)
	}
}

func TestTakenPortsAreAClearErrorBeforeAnythingStarts(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_default"})
	ctx := context.Background()
	var l net.Listener
	if err := inNetns(h.path, func() (err error) { l, err = net.Listen("tcp4", ":9090"); return err }); err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	err := h.m.CheckPorts(ctx, []runtime.Port{{HostPort: 9090, ContainerPort: 80}})
	if !errors.Is(err, ErrPortUsed) || err.Error() != `bind "0.0.0.0:9090/tcp": port is already allocated` {
		t.Errorf("check a port a program listens on: %v", err)
	}
	h.container("web-1", []runtime.Port{{HostPort: 9091, ContainerPort: 80, Protocol: "tcp"}}, "p_default")
	if err := h.m.CheckPorts(ctx, []runtime.Port{{HostIP: "127.0.0.1", HostPort: 9091, ContainerPort: 81}}); !errors.Is(err, ErrPortUsed) {
		t.Errorf("check a port a container publishes: %v", err)
	}
	if err := h.m.CheckPorts(ctx, []runtime.Port{{HostPort: 9091, ContainerPort: 81, Protocol: "udp"}, {HostPort: 9092, ContainerPort: 80}}); err != nil {
		t.Errorf("check free ports: %v", err)
	}
	// A program cannot take a published port from under a container.
	if err := inNetns(h.path, func() error {
		l, err := net.Listen("tcp4", ":9091")
		if err == nil {
			l.Close()
		}
		return err
	}); err == nil {
		t.Errorf("a program could bind a published port")
	}
	_, path := newNetns(t)
	_, err = h.m.Attach(ctx, Endpoint{ContainerID: "c2", Name: "web-2", NetnsPath: path,
		Attachments: []runtime.Attachment{{Network: "p_default"}}, Ports: []runtime.Port{{HostPort: 9090, ContainerPort: 80}}})
	if !errors.Is(err, ErrPortUsed) {
		t.Errorf("attach with a taken port: %v", err)
	}
	if links, _ := inside(t, path).LinkList(); len(links) != 1 {
		t.Errorf("the failed attach left %d links in the container", len(links))
	}
}

func TestUDPFlowsFollowANewReplicaOnThePort(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_default"})
	ctx := context.Background()
	port := []runtime.Port{{HostPort: 5300, ContainerPort: 53, Protocol: "udp"}}
	first, ns1 := h.container("dns-1", port, "p_default")
	serveUDP(t, ns1, ":53")
	// One client socket, one conntrack entry, across the swap.
	var c net.Conn
	if err := inNetns(h.outPath, func() (err error) { c, err = net.Dial("udp4", hostAddr+":5300"); return err }); err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	roundTrip := func() error {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		if _, err := c.Write([]byte("hi")); err != nil {
			return err
		}
		_, err := c.Read(make([]byte, 100))
		return err
	}
	if err := roundTrip(); err != nil {
		t.Fatalf("first replica: %v", err)
	}
	if err := h.m.Detach(ctx, first.ContainerID); err != nil {
		t.Fatal(err)
	}
	h.container("filler-1", nil, "p_default") // takes the old address
	second, ns2 := h.container("dns-2", port, "p_default")
	if second.Interfaces[0].IPv4 == first.Interfaces[0].IPv4 {
		t.Fatalf("the new replica has the old address %s", first.Interfaces[0].IPv4)
	}
	serveUDP(t, ns2, ":53")
	if err := roundTrip(); err != nil {
		t.Errorf("the same client after the swap: %v", err)
	}
}
