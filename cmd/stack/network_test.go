package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stackorch/stack/internal/testenv"
	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/runtime/linux"
)

func TestNetworkLsAndInspect(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: it makes a bridge in a throwaway network namespace")
	}
	ns := fmt.Sprintf("stktest-cli-%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", ns).CombinedOutput(); err != nil {
		t.Skipf("ip netns add: %v %s", err, out)
	}
	defer exec.Command("ip", "netns", "del", ns).Run()
	root := t.TempDir()
	p := linux.PathsAt(root)
	m, err := network.Open(network.Options{Lib: p.Lib, Run: p.Run, HostNetns: "/run/netns/" + ns})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	defer testenv.CheckNoLeaksIn(t, root, "/run/netns/"+ns) // once the network is removed
	n, err := m.Ensure(context.Background(), network.Spec{Name: "demo_default", Subnet: "10.77.0.0/24",
		Labels: map[string]string{"com.docker.compose.project": "demo"}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Remove(context.Background(), "demo_default")

	r := runStack(t, root, nil, "--root", root, "network", "ls")
	if r.code != 0 || !strings.Contains(r.stdout, "NETWORK ID") || !strings.Contains(strings.Join(strings.Fields(r.stdout), " "), n.ID[:12]+" demo_default bridge local") {
		t.Errorf("network ls: %+v", r)
	}
	r = runStack(t, root, nil, "--root", root, "network", "inspect", "demo_default")
	var out []map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil || len(out) != 1 {
		t.Fatalf("network inspect: %+v %v", r, err)
	}
	ipam := out[0]["IPAM"].(map[string]any)["Config"].([]any)[0].(map[string]any)
	if out[0]["Name"] != "demo_default" || ipam["Subnet"] != "10.77.0.0/24" || ipam["Gateway"] != "10.77.0.1" {
		t.Errorf("network inspect: %s", r.stdout)
	}
	r = runStack(t, root, nil, "--root", root, "network", "inspect", "nope")
	if r.code != 1 || !strings.Contains(r.stderr, `get network "nope": no such network`) {
		t.Errorf("inspect a missing network: %+v", r)
	}
}
