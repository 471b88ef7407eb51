package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stackorch/stack/internal/fault"
	"github.com/stackorch/stack/internal/testenv"
)

// faultCompose is a project with a scaled service publishing a port and a
// service writing to a named volume.
const faultCompose = `name: faults
services:
  web:
    image: busybox
    command: httpd -f -p 8080 -h /etc
    ports: ["8080"]
    deploy: {replicas: 2}
  db:
    image: busybox
    command: sh -c 'echo started >> /data/runs; exec sleep 3600'
    volumes: [data:/data]
volumes:
  data: {}
`

// runFault runs stack with the fault point armed.
func (p *proj) runFault(point string, args ...string) result {
	p.t.Helper()
	return runStack(p.t, p.dir, append(p.env(), fault.Env+"="+point), args...)
}

// converged fails the test unless ps shows exactly the named containers,
// each running.
func (p *proj) converged(names ...string) {
	p.t.Helper()
	ps := p.ps()
	var got []string
	for name, e := range ps {
		got = append(got, name)
		if e.State != "running" {
			p.t.Errorf("%s is %s (%s), want running", name, e.State, e.Status)
		}
	}
	slices.Sort(got)
	slices.Sort(names)
	if !slices.Equal(got, names) {
		p.t.Errorf("containers %v, want %v", got, names)
	}
}

// downLeavesNothing takes the project down and checks the machine.
func (p *proj) downLeavesNothing() {
	p.t.Helper()
	ids := strings.Fields(p.ok("ps", "-a", "-q").stdout)
	p.ok("down", "-v", "-t", "0")
	testenv.CheckNoLeaks(p.t, p.root, ids...)
}

func TestUpKilledAtEachStepConvergesAgainAndDownLeavesNothing(t *testing.T) {
	for _, point := range []string{"up.after-network", "up.after-create", "start.after-cgroup",
		"start.after-netns", "start.after-attach", "start.after-mounts"} {
		t.Run(point, func(t *testing.T) {
			t.Parallel()
			p := newProject(t, faultCompose)
			r := p.runFault(point, "up", "-d")
			if r.code != -1 {
				t.Fatalf("up with %s armed: exit %d, want killed\n%s", point, r.code, r.stderr)
			}
			if r := p.run("ps", "-a"); r.code != 0 {
				t.Errorf("ps after the kill: %+v", r)
			}
			p.ok("up", "-d")
			p.converged("faults-web-1", "faults-web-2", "faults-db-1")
			if out := p.ok("exec", "db", "cat", "/data/runs").stdout; !strings.Contains(out, "started") {
				t.Errorf("db's volume: %q", out)
			}
			p.downLeavesNothing()
		})
	}
	if len(fault.Names) != 7 {
		t.Errorf("fault points %v: each needs a test here or in TestPullKilled...", fault.Names)
	}
	_ = fmt.Sprint
}

// A monitor that dies before its container runs fails the up that started
// it, with a clear line; the next up converges.
func TestUpFailsWhenAMonitorDiesBeforeItsContainerRuns(t *testing.T) {
	t.Parallel()
	p := newProject(t, faultCompose)
	r := p.runFault("start.after-attach:alone", "up", "-d")
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	if last := lines[len(lines)-1]; r.code != 1 || !strings.Contains(last, "its monitor exited before the container started") {
		t.Fatalf("up whose monitor died: exit %d\n%s", r.code, r.stderr)
	}
	p.ok("up", "-d")
	p.converged("faults-web-1", "faults-web-2", "faults-db-1")
	p.downLeavesNothing()
}
