package main

import (
	"strings"
	"testing"
)

func TestErrorsAreOneLineAndLeaveNothingHalfMade(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  db: {image: busybox, command: sleep 1d}
  web: {image: busybox, command: sleep 1d, depends_on: [db]}
  ghost: {image: nothere:1, command: sleep 1d, pull_policy: never}
`)
	p.fails(`select service "nope": no such service`, "up", "-d", "nope")
	p.fails(`select service "nope": no such service`, "logs", "nope")
	p.fails(`image "nothere:1": not found`, "up", "-d")
	if got := p.ps(); len(got) != 0 {
		t.Fatalf("a failed up made %v", got)
	}
	p.fails(`scale service "nope"`, "up", "-d", "--scale", "nope=2", "db")
	p.fails(`service "web" is not running`, "exec", "web", "true")

	p.write("compose.yaml", `
name: demo
services:
  a: {image: busybox, depends_on: [b]}
  b: {image: busybox, depends_on: [a]}
`)
	if line := p.fails("dependency cycle: a -> b -> a", "up", "-d"); strings.Count(line, "\n") != 0 {
		t.Errorf("more than one line: %q", line)
	}
	p.write("compose.yaml", "name: demo\nservices: {}\n")
}

func TestFailedHealthcheckFailsUpButKeepsWhatStarted(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  db:
    image: busybox
    command: sleep 1d
    healthcheck: {test: ["CMD", "false"], interval: 100ms, retries: 2}
  web: {image: busybox, command: sleep 1d, depends_on: {db: {condition: service_healthy}}}
`)
	p.fails(`dependency failed to start: container "demo-db-1" is unhealthy`, "up", "-d")
	got := p.ps()
	if got["demo-db-1"].State != "running" || got["demo-db-1"].Health != "unhealthy" {
		t.Errorf("db after the failed up: %+v", got["demo-db-1"])
	}
	if c, ok := got["demo-web-1"]; ok && c.State == "running" {
		t.Errorf("web started although db is unhealthy: %+v", c)
	}
	p.fails(`container "demo-db-1" is unhealthy`, "up", "--wait", "db")
}

func TestExternalVolumeMustExist(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  web: {image: busybox, command: sleep 1d, volumes: [shared:/shared]}
volumes:
  shared: {external: true}
`)
	p.fails(`volume "shared": external volume not found`, "up", "-d")
	if got := p.ps(); len(got) != 0 {
		t.Fatalf("made %v", got)
	}
	p.ok("volume", "create", "shared")
	p.ok("up", "-d")
	p.ok("down", "-v")
	if r := p.ok("volume", "ls", "-q"); r.stdout != "shared\n" {
		t.Errorf("down -v removed an external volume: %q", r.stdout)
	}
	p.ok("volume", "rm", "shared")
}
