package network

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackorch/stack/runtime"
)

// leftovers lists what stack has in the test host: stk links, nftables
// tables, state files, held ports.
func (h *testHost) leftovers() []string {
	var out []string
	for _, line := range strings.Split(run(h.t, "ip", "-n", h.name, "-o", "link"), "\n") {
		if f := strings.Fields(line); len(f) > 1 && strings.HasPrefix(f[1], "stk") {
			out = append(out, "link "+f[1])
		}
	}
	for _, line := range strings.Split(strings.TrimSpace(run(h.t, "ip", "netns", "exec", h.name, "nft", "list", "tables")), "\n") {
		if line != "" {
			out = append(out, line)
		}
	}
	filepath.WalkDir(filepath.Join(h.dir, "run", "network", "endpoints"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, "endpoint "+p)
		}
		return nil
	})
	nets, _ := listJSON(h.m.st.networksDir())
	for _, n := range nets {
		out = append(out, "network "+n)
	}
	h.m.mu.Lock()
	for id := range h.m.holds {
		out = append(out, "held ports of "+id)
	}
	h.m.mu.Unlock()
	return out
}

func TestTeardownLeavesNothing(t *testing.T) {
	h := newHost(t)
	if before := h.leftovers(); len(before) != 0 {
		t.Fatalf("before: %v", before)
	}
	ctx := context.Background()
	h.ensure(Spec{Name: "p_default"})
	h.ensure(Spec{Name: "p_private", Internal: true})
	var ids []string
	for i, nets := range [][]string{{"p_default"}, {"p_default", "p_private"}, {"p_private"}} {
		_, path := newNetns(t)
		a, err := h.m.Attach(ctx, Endpoint{ContainerID: strings.Repeat(string(rune('a'+i)), 64), Name: "c", NetnsPath: path,
			Attachments: []runtime.Attachment{{Network: nets[0]}}, Ports: []runtime.Port{{HostPort: uint16(7000 + i), ContainerPort: 80}}})
		if err != nil {
			t.Fatal(err)
		}
		if len(nets) > 1 {
			// the second network through a second run of the same container
			a, err = h.m.Attach(ctx, Endpoint{ContainerID: a.ContainerID, Name: "c", NetnsPath: path,
				Attachments: []runtime.Attachment{{Network: nets[0]}, {Network: nets[1]}}})
			if err != nil {
				t.Fatal(err)
			}
		}
		h.startDNS(a, path)
		ids = append(ids, a.ContainerID)
	}
	if during := h.leftovers(); len(during) < 5 {
		t.Fatalf("during: %v", during)
	}
	for _, id := range ids {
		if err := h.m.Detach(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []string{"p_default", "p_private"} {
		if err := h.m.Remove(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if after := h.leftovers(); len(after) != 0 {
		t.Errorf("after teardown:\n  %s", strings.Join(after, "\n  "))
	}
	if err := inNetns(h.path, func() error {
		l, err := net.Listen("tcp4", ":7000")
		if err == nil {
			l.Close()
		}
		return err
	}); err != nil {
		t.Errorf("published port still held: %v", err)
	}
}

func TestEnsureRestoresRulesAfterTheRulesetIsFlushed(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_default"})
	_, ns := h.container("web-1", []runtime.Port{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}, "p_default")
	serveTCP(t, ns, ":80")
	run(t, "ip", "netns", "exec", h.name, "nft", "flush", "ruleset")
	if !unreachable(h.outPath, hostAddr+":8080") {
		t.Fatal("published port answers without rules")
	}
	h.ensure(Spec{Name: "p_default"})
	if _, err := ask(h.outPath, "tcp4", hostAddr+":8080"); err != nil {
		t.Errorf("published port after ensure: %v", err)
	}
}

func TestTheTableOutlivesOneRootWhileAnotherRootHasNetworks(t *testing.T) {
	h := newHost(t)
	other := h.otherRoot()
	ctx := context.Background()
	h.ensure(Spec{Name: "a_default"})
	if _, err := other.Ensure(ctx, Spec{Name: "b_default"}); err != nil {
		t.Fatal(err)
	}
	if err := h.m.Remove(ctx, "a_default"); err != nil {
		t.Fatal(err)
	}
	if ok, err := other.tableExists(); err != nil || !ok {
		t.Fatalf("one root's last network took the table the other root uses (exists %v, %v)", ok, err)
	}
	if err := other.Remove(ctx, "b_default"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := other.tableExists(); ok {
		t.Fatal("the table outlived the last network of every root")
	}
}

func TestRootsWithTheSameNetworkNameKeepTheirOwnRules(t *testing.T) {
	h := newHost(t)
	other := h.otherRoot()
	ctx := context.Background()
	h.ensure(Spec{Name: "p_default"})
	if _, err := other.Ensure(ctx, Spec{Name: "p_default"}); err != nil {
		t.Fatal(err)
	}
	_, ns := newNetns(t)
	a, err := other.Attach(ctx, Endpoint{ContainerID: strings.Repeat("b", 64), Name: "web-1", NetnsPath: ns,
		Attachments: []runtime.Attachment{{Network: "p_default"}}})
	if err != nil {
		t.Fatal(err)
	}
	serveTCP(t, h.outPath, ":80")
	if got, err := ask(ns, "tcp4", outsideAddr+":80"); err != nil || got != "from "+hostAddr {
		t.Errorf("the second root's container -> outside: %q, %v; want it masqueraded", got, err)
	}
	if err := h.m.Remove(ctx, "p_default"); err != nil {
		t.Fatal(err)
	}
	if got, err := ask(ns, "tcp4", outsideAddr+":80"); err != nil || got != "from "+hostAddr {
		t.Errorf("after the first root removed its network of the same name: %q, %v", got, err)
	}
	if err := other.Detach(ctx, a.ContainerID); err != nil {
		t.Fatal(err)
	}
	if err := other.Remove(ctx, "p_default"); err != nil {
		t.Fatal(err)
	}
}

// otherRoot is a manager of a second stack root on the same host, closed
// when the test ends.
func (h *testHost) otherRoot() *Manager {
	h.t.Helper()
	other, err := Open(Options{Lib: h.t.TempDir(), Run: h.t.TempDir(), HostNetns: h.path})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { other.Close() })
	return other
}
