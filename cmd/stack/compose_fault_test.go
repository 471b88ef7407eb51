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

// Two ups and a down of one project at once end either up or down, never
// half; the next up converges and down leaves nothing.
func TestTwoUpsAndADownRacingEndConsistent(t *testing.T) {
	t.Parallel()
	p := newProject(t, faultCompose)
	for round := range 2 {
		if round == 1 {
			p.ok("up", "-d") // the down now has something to take down
		}
		a, b, c := p.start("up", "-d"), p.start("down", "-t", "0"), p.start("up", "-d")
		for _, bg := range []*background{a, b, c} {
			if code := bg.wait(); code != 0 {
				t.Errorf("round %d: exit %d:\n%s", round, code, bg.output())
			}
		}
		switch ps := p.ps(); len(ps) {
		case 0:
		case 3:
			p.converged("faults-web-1", "faults-web-2", "faults-db-1")
		default:
			t.Errorf("round %d: half up: %v", round, ps)
		}
	}
	p.ok("up", "-d")
	p.converged("faults-web-1", "faults-web-2", "faults-db-1")
	p.downLeavesNothing()
}

// Ten projects brought up at once all run and answer each other's names
// inside themselves, and go down clean.
func TestTenProjectsUpAtOnceAllWorkAndGoDownClean(t *testing.T) {
	t.Parallel()
	var ps []*proj
	for i := range 10 {
		ps = append(ps, newProject(t, fmt.Sprintf(`name: many%d
services:
  web: {image: busybox, command: httpd -f -p 80 -h /etc, ports: ["80"]}
  client: {image: busybox, command: sleep 3600}
`, i)))
	}
	var ups []*background
	for _, p := range ps {
		ups = append(ups, p.start("up", "-d"))
	}
	for i, up := range ups {
		if code := up.wait(); code != 0 {
			t.Errorf("up of many%d: exit %d\n%s", i, code, up.output())
		}
	}
	for i, p := range ps {
		p.converged(fmt.Sprintf("many%d-web-1", i), fmt.Sprintf("many%d-client-1", i))
		if out := p.ok("exec", "client", "wget", "-qO-", "http://web/hostname").stdout; strings.TrimSpace(out) == "" {
			t.Errorf("many%d: web did not answer", i)
		}
	}
	var downs []*background
	ids := map[*proj][]string{}
	for _, p := range ps {
		ids[p] = strings.Fields(p.ok("ps", "-a", "-q").stdout)
		downs = append(downs, p.start("down", "-t", "0"))
	}
	for i, down := range downs {
		if code := down.wait(); code != 0 {
			t.Errorf("down of many%d: exit %d\n%s", i, code, down.output())
		}
	}
	for _, p := range ps {
		testenv.CheckNoLeaks(t, p.root, ids[p]...)
	}
}
