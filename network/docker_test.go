package network

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackorch/stack/runtime"
)

// startDockerd runs Debian's dockerd inside the test's host namespace, with
// private state, and stops it when the test ends. It returns once Docker has
// set up its firewall, FORWARD policy DROP included.
func startDockerd(t *testing.T, h *testHost) {
	t.Helper()
	dockerd, err := exec.LookPath("dockerd")
	if err != nil {
		t.Skip("needs dockerd to check stack beside a real Docker: apt-get install docker.io")
	}
	iptables, err := exec.LookPath("iptables")
	if err != nil {
		t.Skip("needs iptables (docker.io brings it)")
	}
	// As on a fresh host: Docker sets the DROP policy when it is the one
	// that turns forwarding on.
	run(t, "ip", "netns", "exec", h.name, "sh", "-c", "echo 0 > /proc/sys/net/ipv4/ip_forward")
	dir, err := os.MkdirTemp("", "stk-dockerd-")
	if err != nil {
		t.Fatal(err)
	}
	// nsenter, not ip netns exec: that remounts /sys, hiding the cgroups.
	cmd := exec.Command("nsenter", "--net="+h.path, dockerd,
		"--data-root", filepath.Join(dir, "data"), "--exec-root", filepath.Join(dir, "exec"),
		"--pidfile", filepath.Join(dir, "docker.pid"), "-H", "unix://"+filepath.Join(dir, "docker.sock"),
		"--containerd-namespace", "stktest")
	log, _ := os.Create(filepath.Join(dir, "dockerd.log"))
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		log.Close()
		os.RemoveAll(dir)
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, _ := exec.Command("ip", "netns", "exec", h.name, iptables, "-S", "FORWARD").CombinedOutput()
		if strings.Contains(string(out), "-P FORWARD DROP") && strings.Contains(string(out), "DOCKER") {
			return
		}
		if time.Now().After(deadline) {
			data, _ := os.ReadFile(filepath.Join(dir, "dockerd.log"))
			t.Fatalf("dockerd set no FORWARD DROP policy in 30s:\n%s\n%s", out, data)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestEgressAndPublishedPortsWorkBesideARealDockerd(t *testing.T) {
	h := newHost(t)
	startDockerd(t, h)
	h.ensure(Spec{Name: "p_default"})
	_, webNS := h.container("web-1", []runtime.Port{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}, "p_default")
	serveTCP(t, h.outPath, ":81")
	if _, err := ask(webNS, "tcp4", outsideAddr+":81"); err != nil {
		t.Errorf("egress beside dockerd: %v", err)
	}
	serveTCP(t, webNS, ":80")
	if _, err := ask(h.outPath, "tcp4", hostAddr+":8080"); err != nil {
		t.Errorf("published port beside dockerd: %v", err)
	}
}
