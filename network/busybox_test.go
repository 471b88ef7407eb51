package network

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stackorch/stack/internal/testenv"
)

// Real programs, not Go's resolver: busybox's nslookup asks the embedded
// server by name from inside a container's namespace.
func TestBusyboxNslookupResolvesAServiceName(t *testing.T) {
	h := newHost(t)
	bb := testenv.Busybox(t)
	h.ensure(Spec{Name: "p_default"})
	client, ns := h.container("client-1", nil, "p_default")
	web, _ := h.container("web-1", nil, "p_default")
	h.startDNS(client, ns)
	name := ns[strings.LastIndex(ns, "/")+1:]
	out, err := exec.Command("ip", "netns", "exec", name, bb, "nslookup", "web", "127.0.0.11").CombinedOutput()
	if err != nil || !strings.Contains(string(out), web.Interfaces[0].IPv4.Addr().String()) {
		t.Errorf("nslookup web: %v\n%s", err, out)
	}
}
