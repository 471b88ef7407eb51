package main

import (
	"os"
	"strings"
	"testing"
)

// chain: web needs db healthy and a one-shot migration completed; worker
// scales.
const chain = `
name: demo
services:
  db:
    image: busybox
    command: sh -c 'touch /tmp/ready; exec sleep 1d'
    healthcheck: {test: ["CMD", "test", "-f", "/tmp/ready"], interval: 100ms, retries: 30}
  migrate:
    image: busybox
    command: sh -c 'echo migrated'
    depends_on: {db: {condition: service_healthy}}
  web:
    image: busybox
    command: sleep 1d
    depends_on:
      db: {condition: service_healthy}
      migrate: {condition: service_completed_successfully}
  worker:
    image: busybox
    command: sleep 1d
    depends_on: [db]
`

func TestUpDetachedRunsTheChainAndDownRemovesEverything(t *testing.T) {
	t.Parallel()
	p := newProject(t, chain)
	p.ok("up", "-d", "--scale", "worker=2")
	got := p.ps()
	want := map[string]string{"demo-db-1": "running", "demo-migrate-1": "exited", "demo-web-1": "running", "demo-worker-1": "running", "demo-worker-2": "running"}
	if len(got) != len(want) {
		t.Fatalf("ps: %v", got)
	}
	for name, state := range want {
		if got[name].State != state || got[name].Project != "demo" {
			t.Errorf("%s: %+v, want %s", name, got[name], state)
		}
	}
	if got["demo-db-1"].Health != "healthy" || got["demo-migrate-1"].ExitCode != 0 {
		t.Errorf("db %+v, migrate %+v", got["demo-db-1"], got["demo-migrate-1"])
	}
	p.ok("down")
	if left := p.ps(); len(left) != 0 {
		t.Fatalf("after down: %v", left)
	}
	p.ok("down") // idempotent
}

func TestUpConvergesKeepingUnchangedContainers(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  db: {image: busybox, command: sleep 1d}
  web: {image: busybox, command: sleep 1d, environment: [A=1], depends_on: [db]}
`)
	p.ok("up", "-d")
	first := p.ps()
	if r := p.ok("up", "-d"); strings.Contains(r.stderr, "Recreate") || strings.Contains(r.stderr, "Creat") {
		t.Errorf("a second up changed something:\n%s", r.stderr)
	}
	second := p.ps()
	for name := range first {
		if first[name].ID != second[name].ID {
			t.Errorf("%s was recreated by an up that changed nothing", name)
		}
	}
	p.write("compose.yaml", strings.Replace(mustRead(t, p.dir+"/compose.yaml"), "A=1", "A=2", 1))
	p.ok("up", "-d", "--no-recreate")
	if now := p.ps(); now["demo-web-1"].ID != first["demo-web-1"].ID {
		t.Error("--no-recreate recreated a changed service")
	}
	p.ok("up", "-d")
	third := p.ps()
	if third["demo-web-1"].ID == first["demo-web-1"].ID || third["demo-db-1"].ID != first["demo-db-1"].ID {
		t.Errorf("changing web's environment: web %s -> %s, db %s -> %s", first["demo-web-1"].ID[:12], third["demo-web-1"].ID[:12],
			first["demo-db-1"].ID[:12], third["demo-db-1"].ID[:12])
	}
	p.ok("up", "-d", "--force-recreate", "web")
	if fourth := p.ps(); fourth["demo-web-1"].ID == third["demo-web-1"].ID || fourth["demo-db-1"].ID != third["demo-db-1"].ID {
		t.Error("--force-recreate web: want web recreated, db kept")
	}
	p.ok("up", "-d", "--always-recreate-deps", "--force-recreate", "web")
	fifth := p.ps()
	if fifth["demo-db-1"].ID == third["demo-db-1"].ID {
		t.Error("--always-recreate-deps kept db")
	}
	// A new image under the same name recreates its containers.
	p.ok("image", "import", "--change", "ENV NEW=1", busyboxTar(t), "busybox:latest")
	if r := p.ok("--dry-run", "up", "-d"); !strings.Contains(r.stdout, "recreate db demo-db-1 (image changed)") {
		t.Errorf("up after a new image plans:\n%s", r.stdout)
	}
	p.ok("up", "-d")
	if sixth := p.ps(); sixth["demo-db-1"].ID == fifth["demo-db-1"].ID || sixth["demo-web-1"].ID == fifth["demo-web-1"].ID {
		t.Error("a new image did not recreate the containers")
	}
}

func TestUpScalesKeepingReplicaNumbers(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  worker: {image: busybox, command: sleep 1d}
`)
	p.ok("up", "-d", "--scale", "worker=3")
	three := p.ps()
	if len(three) != 3 {
		t.Fatalf("--scale worker=3: %v", three)
	}
	p.ok("up", "-d", "--scale", "worker=1")
	one := p.ps()
	if len(one) != 1 || one["demo-worker-1"].ID != three["demo-worker-1"].ID {
		t.Fatalf("--scale worker=1 kept %v, want the original demo-worker-1", one)
	}
	p.ok("scale", "worker=2")
	if two := p.ps(); len(two) != 2 || two["demo-worker-2"].State != "running" || two["demo-worker-1"].ID != three["demo-worker-1"].ID {
		t.Fatalf("scale worker=2: %v", two)
	}
}

func TestUpRemovesOrphansOnlyWhenAsked(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  a: {image: busybox, command: sleep 1d}
  b: {image: busybox, command: sleep 1d}
`)
	p.ok("up", "-d")
	p.write("compose.yaml", "name: demo\nservices:\n  a: {image: busybox, command: sleep 1d}\n")
	if r := p.ok("up", "-d"); !strings.Contains(r.stderr, "orphan containers ([demo-b-1])") {
		t.Errorf("no orphan warning:\n%s", r.stderr)
	}
	if got := p.ps(); len(got) != 2 {
		t.Fatalf("orphan removed without --remove-orphans: %v", got)
	}
	p.ok("up", "-d", "--remove-orphans")
	if got := p.ps(); len(got) != 1 {
		t.Fatalf("--remove-orphans left %v", got)
	}
}

func TestUpNoStartAndCreateMakeContainersWithoutStarting(t *testing.T) {
	t.Parallel()
	p := newProject(t, chain)
	p.ok("up", "--no-start")
	for name, c := range p.ps() {
		if c.State != "created" {
			t.Errorf("up --no-start: %s is %s", name, c.State)
		}
	}
	p.ok("down")
	p.ok("create", "worker")
	got := p.ps()
	if len(got) != 2 || got["demo-worker-1"].State != "created" || got["demo-db-1"].State != "created" {
		t.Fatalf("create worker: %v", got)
	}
	p.ok("start")
	for name, c := range p.ps() {
		if c.State != "running" {
			t.Errorf("start: %s is %s", name, c.State)
		}
	}
}

func TestUpWaitReturnsOnceHealthyAndDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	p := newProject(t, chain)
	r := p.ok("--dry-run", "up", "-d")
	if !strings.Contains(r.stdout, "create db demo-db-1\nstart db demo-db-1\n") {
		t.Errorf("--dry-run printed:\n%s", r.stdout)
	}
	if got := p.ps(); len(got) != 0 {
		t.Fatalf("--dry-run made %v", got)
	}
	p.ok("up", "--wait", "db")
	if got := p.ps(); len(got) != 1 || got["demo-db-1"].Health != "healthy" {
		t.Fatalf("up --wait db: %v", got)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
