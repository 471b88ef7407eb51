package network

import (
	"context"
	"os/exec"
	"strings"
	"testing"
)

// addr is a container's first address with a port.
func addr(a *Attached, port string) string { return a.Interfaces[0].IPv4.Addr().String() + ":" + port }

func TestContainersReachTheirNetworksOnly(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_front"})
	h.ensure(Spec{Name: "p_back"})
	web, webNS := h.container("web-1", nil, "p_front")
	db, dbNS := h.container("db-1", nil, "p_back")
	api, apiNS := h.container("api-1", nil, "p_front", "p_back")
	serveTCP(t, webNS, ":80")
	serveTCP(t, dbNS, ":80")
	serveTCP(t, apiNS, ":80")
	if got, err := ask(webNS, "tcp4", addr(api, "80")); err != nil || got != "from "+web.Interfaces[0].IPv4.Addr().String() {
		t.Errorf("web -> api on their network: %q, %v", got, err)
	}
	if _, err := ask(apiNS, "tcp4", db.Interfaces[0].IPv4.Addr().String()+":80"); err != nil {
		t.Errorf("api -> db on its second network: %v", err)
	}
	if !unreachable(webNS, addr(db, "80")) {
		t.Errorf("web reaches db across networks")
	}
	if !unreachable(dbNS, addr(web, "80")) {
		t.Errorf("db reaches web across networks")
	}
}

func TestEgressIsMasqueradedAndInternalNetworksHaveNone(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_default"})
	h.ensure(Spec{Name: "p_private", Internal: true})
	_, webNS := h.container("web-1", nil, "p_default")
	_, dbNS := h.container("db-1", nil, "p_private")
	serveTCP(t, h.outPath, ":80")
	if got, err := ask(webNS, "tcp4", outsideAddr+":80"); err != nil || got != "from "+hostAddr {
		t.Errorf("web -> outside: %q, %v; want it seen from the host's address %s", got, err, hostAddr)
	}
	if !unreachable(dbNS, outsideAddr+":80") {
		t.Errorf("a container on an internal network reaches the outside")
	}
}

// Docker sets the FORWARD policy of iptables' filter table to DROP; with
// iptables-nft that is the nftables chain "ip filter FORWARD". A drop there
// is final whatever stack's own table accepts, so stack must open it for
// its links, and close it again with its last network.
func TestEgressWorksUnderDockersForwardDropPolicy(t *testing.T) {
	h := newHost(t)
	if _, err := exec.LookPath("nft"); err != nil {
		t.Skip("needs nft(8): apt-get install nftables")
	}
	run(t, "ip", "netns", "exec", h.name, "nft", "add table ip filter; add chain ip filter FORWARD { type filter hook forward priority filter; policy drop; }")
	h.ensure(Spec{Name: "p_default"})
	web, webNS := h.container("web-1", nil, "p_default")
	serveTCP(t, h.outPath, ":80")
	if _, err := ask(webNS, "tcp4", outsideAddr+":80"); err != nil {
		t.Errorf("egress under a DROP policy: %v", err)
	}
	// The policy does bite without stack's two rules.
	if err := h.m.removeCompat(); err != nil {
		t.Fatal(err)
	}
	if !unreachable(webNS, outsideAddr+":80") {
		t.Fatalf("the simulated DROP policy drops nothing")
	}
	// Put back once, however often stack looks.
	for range 2 {
		if err := h.m.ensureCompat(); err != nil {
			t.Fatal(err)
		}
	}
	web2, _ := h.container("web-2", nil, "p_default")
	if _, err := ask(webNS, "tcp4", outsideAddr+":80"); err != nil {
		t.Errorf("egress with stack's rules put back: %v", err)
	}
	out := run(t, "ip", "netns", "exec", h.name, "nft", "list", "chain", "ip", "filter", "FORWARD")
	if n := strings.Count(out, `comment "stack"`); n != 2 {
		t.Errorf("%d rules of stack's in Docker's chain, want 2:\n%s", n, out)
	}
	if path, err := exec.LookPath("iptables-nft"); err == nil {
		out := run(t, "ip", "netns", "exec", h.name, path, "-S", "FORWARD")
		t.Logf("iptables-nft -S FORWARD:\n%s", out)
	}
	h.m.Detach(context.Background(), web.ContainerID)
	h.m.Detach(context.Background(), web2.ContainerID)
	if err := h.m.Remove(context.Background(), "p_default"); err != nil {
		t.Fatal(err)
	}
	if out := run(t, "ip", "netns", "exec", h.name, "nft", "list", "chain", "ip", "filter", "FORWARD"); strings.Contains(out, "stack") {
		t.Errorf("stack's rules left in Docker's chain:\n%s", out)
	}
}
