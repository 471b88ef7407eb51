package network

import (
	"context"
	"fmt"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/stackorch/stack/runtime"
)

// dig asks 127.0.0.11 from inside a namespace.
func dig(t *testing.T, nsPath, proto, name string, qtype uint16) *dns.Msg {
	t.Helper()
	var conn net.Conn
	err := inNetns(nsPath, func() (err error) { conn, err = net.Dial(proto, "127.0.0.11:53"); return err })
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := &dns.Conn{Conn: conn}
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if err := c.WriteMsg(new(dns.Msg).SetQuestion(dns.Fqdn(name), qtype)); err != nil {
		t.Fatal(err)
	}
	m, err := c.ReadMsg()
	if err != nil {
		t.Fatalf("%s %s over %s: %v", name, dns.TypeToString[qtype], proto, err)
	}
	return m
}

func sorted(m *dns.Msg) string {
	a := addrsOf(m)
	slices.Sort(a)
	return fmt.Sprint(a)
}

// startDNS serves a container's resolver in its namespace.
func (h *testHost) startDNS(a *Attached, nsPath string) {
	h.t.Helper()
	r, err := h.m.Resolver(a)
	if err != nil {
		h.t.Fatal(err)
	}
	s, err := StartDNS(context.Background(), nsPath, r)
	if err != nil {
		r.Close()
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { s.Close(); r.Close() })
}

func TestEmbeddedDNSAnswersReplicasTheMomentTheyComeAndGo(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_default"})
	client, clientNS := h.container("client-1", nil, "p_default")
	h.startDNS(client, clientNS)
	web1, _ := h.container("web-1", nil, "p_default")
	ip := func(a *Attached) string { return a.Interfaces[0].IPv4.Addr().String() }
	if got := sorted(dig(t, clientNS, "udp", "web", dns.TypeA)); got != "["+ip(web1)+"]" {
		t.Fatalf("web with one replica: %s", got)
	}
	web2, _ := h.container("web-2", nil, "p_default")
	want := []string{ip(web1), ip(web2)}
	slices.Sort(want)
	if got := sorted(dig(t, clientNS, "udp", "web", dns.TypeA)); got != fmt.Sprint(want) {
		t.Errorf("web right after a second replica: %s, want %v", got, want)
	}
	if got := sorted(dig(t, clientNS, "tcp", "web-2", dns.TypeA)); got != "["+ip(web2)+"]" {
		t.Errorf("web-2 over TCP: %s", got)
	}
	if err := h.m.Detach(context.Background(), web1.ContainerID); err != nil {
		t.Fatal(err)
	}
	if got := sorted(dig(t, clientNS, "udp", "web", dns.TypeA)); got != "["+ip(web2)+"]" {
		t.Errorf("web right after web-1 stopped: %s", got)
	}
	if m := dig(t, clientNS, "udp", "web", dns.TypeAAAA); m.Rcode != dns.RcodeSuccess || len(m.Answer) != 0 {
		t.Errorf("AAAA web: %v", m)
	}
}

func TestEmbeddedDNSLeavesPort53ToTheContainer(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_default"})
	a, ns := h.container("dns-1", nil, "p_default")
	h.startDNS(a, ns)
	// The container's own DNS server on port 53, every address.
	serveUDP(t, ns, "0.0.0.0:53")
	if got, err := ask(ns, "udp4", "127.0.0.1:53"); err != nil || got != "from 127.0.0.1" {
		t.Errorf("the container's own port 53: %q, %v", got, err)
	}
	if m := dig(t, ns, "udp", "dns", dns.TypeA); len(m.Answer) != 1 {
		t.Errorf("127.0.0.11 beside it: %v", m)
	}
}

func TestEmbeddedDNSForwardsOtherNamesToTheUpstreams(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_default"})
	_, ns := newNetns(t)
	a, err := h.m.Attach(context.Background(), Endpoint{ContainerID: "c1", Name: "web-1", NetnsPath: ns,
		Attachments: []runtime.Attachment{{Network: "p_default"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer h.m.Detach(context.Background(), "c1")
	a.Upstreams = []string{fakeUpstream(t)} // reached from the monitor's namespace
	h.startDNS(a, ns)
	if m := dig(t, ns, "udp", "example.org", dns.TypeA); len(m.Answer) != 1 || m.Truncated {
		t.Errorf("example.org through a truncating upstream: %v", m)
	}
}

// A container's DNS registry reads its networks' endpoints when first
// asked, not when the server starts, and again after each change.
func TestDNSRegistryReadsTheEndpointsWhenFirstAsked(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_n"})
	web1, _ := h.container("web-1", nil, "p_n")
	g, err := newRegistry(h.m.st.run, []string{"p_n"})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if g.cur.Load() != nil {
		t.Error("records read before anyone asked")
	}
	if got := g.snapshot().lookup("p_n", "web"); len(got) != 1 || got[0] != web1.Interfaces[0].IPv4.Addr() {
		t.Errorf("web: %v", got)
	}
	h.container("web-2", nil, "p_n")
	if got := g.snapshot().lookup("p_n", "web"); len(got) != 2 {
		t.Errorf("web after a second replica: %v", got)
	}
}
