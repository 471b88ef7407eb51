package main

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Two projects on one machine, each on its own default network: a
// container of one reaches no container of the other, by address (TCP or
// ping) or by name through its embedded DNS, either way. A container that
// joins the other project's network on purpose (an external network)
// reaches both, which shows the probes can succeed.
//
// Not parallel: the projects share the nftables table with other roots.
func TestProjectsCannotReachEachOthersNetworks(t *testing.T) {
	// The containers' DNS forwards unknown names to 127.0.0.1 on the host,
	// where nothing answers: no query leaves the machine.
	alpha := newProject(t, fmt.Sprintf(`
name: alpha
services:
  web: {image: busybox, command: %s, hostname: alphahost, dns: [127.0.0.1]}
  probe: {image: busybox, command: sleep 1d, dns: [127.0.0.1]}
`, httpd))
	beta := alpha.sibling(fmt.Sprintf(`
name: beta
services:
  web: {image: busybox, command: %s, hostname: betahost, dns: [127.0.0.1]}
  api: {image: busybox, command: %s, hostname: apihost, dns: [127.0.0.1]}
  probe: {image: busybox, command: sleep 1d, dns: [127.0.0.1]}
  both:
    image: busybox
    command: sleep 1d
    dns: [127.0.0.1]
    networks: [default, shared]
networks:
  shared: {name: alpha_default, external: true}
`, httpd, httpd))
	alpha.ok("up", "-d")
	beta.ok("up", "-d")
	alphaNet := alpha.addrs("web")[0]
	alphaWeb, alphaProbe := alphaNet.Addr().String(), alpha.addrs("probe")[0].Addr().String()
	betaWeb, betaAPI := beta.addrs("web")[0].Addr().String(), beta.addrs("api")[0].Addr().String()
	betaProbe := beta.addrs("probe")[0].Addr().String()
	var bothOnAlpha string // the shared container's address on alpha's network
	for _, a := range beta.addrs("both") {
		if alphaNet.Masked().Contains(a.Addr()) {
			bothOnAlpha = a.Addr().String()
		}
	}

	// Within a project everything answers: the probes work.
	alpha.reaches("probe", alphaWeb, "hello from alphahost")
	beta.reaches("probe", betaWeb, "hello from betahost")
	beta.reaches("probe", betaAPI, "hello from apihost")
	alpha.pings("probe", alphaWeb)
	beta.pings("probe", betaWeb)
	if got := beta.resolve("probe", "api"); !sameSet(got, []string{betaAPI}) {
		t.Errorf("api from beta's probe: %v, want %s", got, betaAPI)
	}
	if got := alpha.resolve("probe", "web"); !sameSet(got, []string{alphaWeb}) {
		t.Errorf("web from alpha's probe: %v, want only alpha's %s", got, alphaWeb)
	}
	if got := beta.resolve("probe", "web"); !sameSet(got, []string{betaWeb}) {
		t.Errorf("web from beta's probe: %v, want only beta's %s", got, betaWeb)
	}

	// Across projects nothing does.
	for _, c := range []struct {
		from  *proj
		name  string
		to    []string // addresses of the other project, its web first
		names []string // its service and container names
	}{
		{alpha, "alpha", []string{betaWeb, betaAPI, betaProbe}, []string{"api", "beta-api-1", "beta-web-1", "beta-probe-1", "betahost", "api.beta_default"}},
		{beta, "beta", []string{alphaWeb, alphaProbe}, []string{"alpha-web-1", "alpha-probe-1", "alphahost", "alpha-web-1.alpha_default"}},
	} {
		if r := c.from.fetch("probe", c.to[0]); r.code == 0 || r.stdout != "" {
			t.Errorf("%s's probe fetched %s across projects: %q", c.name, c.to[0], r.stdout)
		}
		for _, addr := range c.to {
			if r := c.from.run("exec", "-T", "probe", "ping", "-c", "1", "-W", "1", addr); r.code == 0 {
				t.Errorf("%s's probe pinged %s across projects:\n%s", c.name, addr, r.stdout)
			}
			if r := c.from.run("exec", "-T", "probe", "nslookup", addr); strings.Contains(r.stdout, "name =") {
				t.Errorf("%s's probe named %s across projects:\n%s", c.name, addr, r.stdout)
			}
		}
		for _, name := range c.names {
			if got := c.from.resolve("probe", name); len(got) > 0 {
				t.Errorf("%s's probe resolved %s across projects: %v", c.name, name, got)
			}
		}
	}

	// A container on both networks reaches both projects, by name too.
	beta.reaches("both", alphaWeb, "hello from alphahost")
	beta.reaches("both", betaWeb, "hello from betahost")
	beta.pings("both", alphaWeb)
	if got := alpha.resolve("probe", "beta-both-1"); !sameSet(got, []string{bothOnAlpha}) {
		t.Errorf("beta-both-1 from alpha's probe: %v, want only its address on alpha's network %q", got, bothOnAlpha)
	}
	if got := beta.resolve("both", "alpha-web-1"); !sameSet(got, []string{alphaWeb}) {
		t.Errorf("alpha-web-1 from beta's both: %v, want %s", got, alphaWeb)
	}
	if r := beta.run("exec", "-T", "both", "nslookup", alphaWeb); !strings.Contains(r.stdout, "name = alpha-web-1.alpha_default") {
		t.Errorf("%s's name from beta's both: %+v", alphaWeb, r)
	}
	if got := beta.resolve("both", "web"); !sameSet(got, []string{alphaWeb, betaWeb}) {
		t.Errorf("web from beta's both: %v, want %s and %s", got, alphaWeb, betaWeb)
	}
}

// sibling is another project in a directory of its own sharing p's root.
// Its cleanup takes it down; p's checks the root for leaks after.
func (p *proj) sibling(compose string) *proj {
	p.t.Helper()
	s := &proj{t: p.t, dir: p.t.TempDir(), root: p.root}
	s.write("compose.yaml", compose)
	p.t.Cleanup(func() {
		if r := s.run("down", "-v", "-t", "0", "--remove-orphans"); r.code != 0 {
			p.t.Errorf("down %s at cleanup: %+v", filepath.Base(s.dir), r)
		}
	})
	return s
}

// addrs is the IPv4 addresses of a service's first container, with
// their networks' prefix lengths.
func (p *proj) addrs(svc string) []netip.Prefix {
	p.t.Helper()
	r := p.ok("exec", "-T", svc, "ip", "-4", "-o", "addr", "show")
	var out []netip.Prefix
	for _, line := range strings.Split(r.stdout, "\n") {
		f := strings.Fields(line)
		for i := 0; i+1 < len(f); i++ {
			if a, err := netip.ParsePrefix(f[i+1]); f[i] == "inet" && err == nil && !a.Addr().IsLoopback() {
				out = append(out, a)
			}
		}
	}
	if len(out) == 0 {
		p.t.Fatalf("no address in %s: %q", svc, r.stdout)
	}
	return out
}

// reaches fetches http://addr:8080/ from svc, waiting for the server to
// start, and wants body in the answer.
func (p *proj) reaches(svc, addr, body string) {
	p.t.Helper()
	deadline := time.Now().Add(guard)
	for {
		r := p.fetch(svc, addr)
		if strings.Contains(r.stdout, body) {
			return
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%s -> %s: %+v", svc, addr, r)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// fetch asks addr:8080 for / from svc over a plain TCP connection, giving
// up after 2 s without an answer (busybox's wget -T crashes).
func (p *proj) fetch(svc, addr string) result {
	p.t.Helper()
	return p.run("exec", "-T", svc, "sh", "-c", `printf 'GET / HTTP/1.0\r\n\r\n' | nc -w 2 `+addr+" 8080")
}

// pings wants svc's ping to addr answered.
func (p *proj) pings(svc, addr string) {
	p.t.Helper()
	if r := p.run("exec", "-T", svc, "ping", "-c", "1", "-W", "5", addr); r.code != 0 {
		p.t.Errorf("%s ping %s: %+v", svc, addr, r)
	}
}

// resolve asks svc's embedded DNS for name's A records.
func (p *proj) resolve(svc, name string) []string {
	p.t.Helper()
	r := p.run("exec", "-T", svc, "nslookup", "-type=a", name)
	var out []string
	answers := false
	for _, line := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(line, "Name:") {
			answers = true
		}
		if a, ok := strings.CutPrefix(line, "Address:"); ok && answers {
			out = append(out, strings.TrimSpace(a))
		}
	}
	return out
}

func sameSet(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g == w
		}
		if !found {
			return false
		}
	}
	return true
}
