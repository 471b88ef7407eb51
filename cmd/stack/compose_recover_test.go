package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stackorch/stack/internal/testenv"
)

// containerState reads what a container's monitor last wrote.
func (p *proj) containerState(id string) (st struct {
	Monitor, RestartCount int
	Status                string
}) {
	p.t.Helper()
	data, err := os.ReadFile(filepath.Join(p.root, "containers", id, "state.json"))
	if err != nil {
		p.t.Fatal(err)
	}
	if err := json.Unmarshal(data, &st); err != nil {
		p.t.Fatal(err)
	}
	return st
}

// eventually polls cond until it holds, failing the test after guard.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("never: %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func TestAKilledMonitorShowsInPsAndUpRepairsItKeepingItsLogs(t *testing.T) {
	t.Parallel()
	p := newProject(t, `name: mon
services:
  app:
    image: busybox
    command: sh -c 'echo run-$$(cat /proc/sys/kernel/random/uuid); exec sleep 3600'
`)
	p.ok("up", "-d")
	id := strings.TrimSpace(p.ok("ps", "-q").stdout)
	eventually(t, "app logged its first run", func() bool { return strings.Contains(p.ok("logs", "app").stdout, "run-") })
	before := p.ok("logs", "--no-log-prefix", "app").stdout
	if err := syscall.Kill(p.containerState(id).Monitor, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	eventually(t, "ps reports the dead monitor", func() bool { return p.ps()["mon-app-1"].State != "running" })
	if e := p.ps()["mon-app-1"]; e.State != "dead" {
		t.Errorf("ps after the monitor was killed: %+v", e)
	}
	p.ok("up", "-d")
	if e := p.ps()["mon-app-1"]; e.State != "running" || e.ID != id {
		t.Errorf("up did not bring the same container back: %+v (was %s)", e, id)
	}
	eventually(t, "app logged its second run", func() bool { return strings.Count(p.ok("logs", "app").stdout, "run-") == 2 })
	if after := p.ok("logs", "--no-log-prefix", "app").stdout; !strings.HasPrefix(after, before) {
		t.Errorf("logs before the kill were lost: before %q, after %q", before, after)
	}
}

// processCPU is the user and system time a process has used.
func processCPU(t *testing.T, pid int) time.Duration {
	t.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100
}

func TestACrashLoopBacksOffWithoutSpinningAndPsCountsRestarts(t *testing.T) {
	t.Parallel()
	p := newProject(t, `name: crash
services:
  app:
    image: busybox
    command: sh -c 'echo crashing; exit 3'
    restart: always
`)
	p.ok("up", "-d")
	id := strings.TrimSpace(p.ok("ps", "-a", "-q").stdout)
	monitor := p.containerState(id).Monitor
	cpu0 := processCPU(t, monitor)
	time.Sleep(3 * time.Second)
	cpu := processCPU(t, monitor) - cpu0
	e := p.ps()["crash-app-1"]
	t.Logf("crash loop: %d restarts and %v of the monitor's CPU in 3 s", e.RestartCount, cpu)
	// Docker's backoff (100 ms, doubling) allows about 5 restarts in 3 s:
	// without one, hundreds.
	if e.RestartCount < 2 || e.RestartCount > 12 {
		t.Errorf("%d restarts in 3 s, want Docker's backoff's handful: %+v", e.RestartCount, e)
	}
	if cpu > time.Second {
		t.Errorf("the monitor of a crash loop used %v of CPU in 3 s", cpu)
	}
	if e.State != "restarting" && e.State != "running" {
		t.Errorf("ps: %+v", e)
	}
	logs := p.ok("logs", "app").stdout
	if n := strings.Count(logs, "crashing"); n < e.RestartCount {
		t.Errorf("%d runs logged for %d restarts", n, e.RestartCount)
	}
}

func TestAfterARebootPsIsHonestAndUpBringsTheProjectBackWithItsVolumes(t *testing.T) {
	t.Parallel()
	p := newProject(t, `name: boot
services:
  web:
    image: busybox
    command: httpd -f -p 8080 -h /data
    volumes: [data:/data]
    ports: ["8080"]
    restart: always
  worker:
    image: busybox
    command: sleep 3600
    scale: 2
volumes:
  data: {}
`)
	p.ok("up", "-d")
	p.ok("exec", "web", "sh", "-c", "echo kept > /data/index.html")
	testenv.Reboot(t, p.root)
	testenv.CheckNoLeaks(t, p.root) // the reboot left nothing running
	for name, e := range p.ps() {
		t.Logf("after the reboot: %s %s %q", name, e.State, e.Status)
		if e.State == "running" || e.State == "restarting" {
			t.Errorf("after the reboot ps says %s is %s", name, e.State)
		}
	}
	p.ok("up", "-d")
	p.converged("boot-web-1", "boot-worker-1", "boot-worker-2")
	if out := p.ok("exec", "worker", "wget", "-qO-", "http://web:8080/").stdout; out != "kept\n" {
		t.Errorf("the volume's data after the reboot, through the network: %q", out)
	}
	p.downLeavesNothing()
}
