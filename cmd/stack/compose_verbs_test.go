package main

import (
	"strings"
	"testing"
)

const twoServices = `
name: demo
services:
  db: {image: busybox, command: sleep 1d}
  web: {image: busybox, command: sh -c 'echo started; exec sleep 1d', depends_on: [db]}
`

func TestStopStartRestartKillPauseUnpause(t *testing.T) {
	t.Parallel()
	p := newProject(t, twoServices)
	p.ok("up", "-d")
	ids := p.ps()
	r := p.ok("stop", "-t", "5")
	if i, j := strings.Index(r.stderr, "demo-web-1  Stopping"), strings.Index(r.stderr, "demo-db-1  Stopping"); i < 0 || j < i {
		t.Errorf("stop did not stop web before db:\n%s", r.stderr)
	}
	for name, c := range p.ps() {
		if c.State != "exited" {
			t.Errorf("after stop %s is %s", name, c.State)
		}
	}
	r = p.ok("start", "web")
	if got := p.ps(); got["demo-web-1"].State != "running" || got["demo-db-1"].State != "exited" {
		t.Errorf("start web: %v", got)
	}
	p.ok("start")
	p.ok("restart", "web")
	got := p.ps()
	if got["demo-web-1"].ID != ids["demo-web-1"].ID || got["demo-web-1"].State != "running" {
		t.Errorf("restart web: %+v", got["demo-web-1"])
	}
	p.ok("pause", "db")
	if got := p.ps(); got["demo-db-1"].State != "paused" || !strings.HasSuffix(got["demo-db-1"].Status, "(Paused)") {
		t.Errorf("pause: %+v", got["demo-db-1"])
	}
	p.ok("unpause", "db")
	if got := p.ps(); got["demo-db-1"].State != "running" {
		t.Errorf("unpause: %+v", got["demo-db-1"])
	}
	p.ok("kill", "-s", "SIGTERM", "web")
	if r := p.run("wait", "web"); r.code != 143 {
		t.Errorf("wait after kill -s SIGTERM: exit %d, want 143", r.code)
	}
	p.ok("kill")
	if r := p.run("wait", "db"); r.code != 137 {
		t.Errorf("wait after kill: exit %d, want 137", r.code)
	}
	p.fails(`unknown signal "SIGNOPE"`, "kill", "-s", "SIGNOPE")
}

func TestTopListsTheContainersProcesses(t *testing.T) {
	t.Parallel()
	p := newProject(t, twoServices)
	p.ok("up", "-d")
	r := p.ok("top", "web")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if lines[0] != "demo-web-1" || strings.Join(strings.Fields(lines[1]), " ") != "UID PID PPID C STIME TTY TIME CMD" || !strings.Contains(r.stdout, "sleep 1d") {
		t.Errorf("top web:\n%s", r.stdout)
	}
	if r := p.ok("top"); !strings.Contains(r.stdout, "demo-db-1\n") || !strings.Contains(r.stdout, "\ndemo-web-1\n") {
		t.Errorf("top:\n%s", r.stdout)
	}
}

func TestRmRemovesStoppedContainersAndWithVTheirAnonymousVolumes(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  db: {image: busybox, command: sleep 1d, volumes: [/scratch]}
  web: {image: busybox, command: sleep 1d}
`)
	p.ok("up", "-d")
	if r := p.ok("rm", "-f"); !strings.Contains(r.stderr, "No stopped containers") {
		t.Errorf("rm with nothing stopped: %+v", r)
	}
	p.ok("stop", "web")
	p.ok("rm", "-f")
	if got := p.ps(); len(got) != 1 || got["demo-db-1"].State != "running" {
		t.Fatalf("rm removed %v", got)
	}
	if r := p.ok("volume", "ls", "-q"); len(strings.Fields(r.stdout)) != 1 {
		t.Fatalf("anonymous volume: %q", r.stdout)
	}
	p.ok("rm", "-s", "-f", "-v", "db")
	if got := p.ps(); len(got) != 0 {
		t.Fatalf("rm -s left %v", got)
	}
	if r := p.ok("volume", "ls", "-q"); r.stdout != "" {
		t.Errorf("rm -v left volumes %q", r.stdout)
	}
}

func TestWaitWithDownProjectTakesItDown(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  job: {image: busybox, command: sh -c 'sleep 0.2; exit 3'}
  web: {image: busybox, command: sleep 1d}
`)
	p.ok("up", "-d")
	if r := p.run("wait", "--down-project", "job"); r.code != 3 {
		t.Fatalf("wait --down-project job: %+v", r)
	}
	if got := p.ps(); len(got) != 0 {
		t.Fatalf("wait --down-project left %v", got)
	}
}

func TestTwoUpsOfOneProjectSerialize(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  a: {image: busybox, command: sleep 1d, scale: 3}
  b: {image: busybox, command: sleep 1d, depends_on: [a]}
`)
	one, two := p.start("up", "-d"), p.start("up", "-d")
	if c1, c2 := one.wait(), two.wait(); c1 != 0 || c2 != 0 {
		t.Fatalf("concurrent ups: exit %d and %d\n%s\n%s", c1, c2, one.output(), two.output())
	}
	if got := p.ps(); len(got) != 4 {
		t.Fatalf("after two ups at once: %v", got)
	}
}

func TestDownByProjectNameAloneRemovesEverything(t *testing.T) {
	p := newProject(t, twoServices)
	p.ok("up", "-d")
	elsewhere := t.TempDir()
	r := runStack(t, elsewhere, p.env(), "-p", "demo", "ps", "--format", "{{.Name}}")
	if r.code != 0 || r.stdout != "demo-db-1\ndemo-web-1\n" {
		t.Errorf("ps -p demo without a compose file: %+v", r)
	}
	if r := runStack(t, elsewhere, p.env(), "-p", "demo", "down", "-v"); r.code != 0 {
		t.Fatalf("down -p demo without a compose file: %+v", r)
	}
	if got := p.ps(); len(got) != 0 {
		t.Errorf("left %v", got)
	}
}
