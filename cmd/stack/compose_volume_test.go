package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestNamedVolumeSurvivesDownAndGoesWithDownV(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  app: {image: busybox, command: sleep 1d, volumes: [data:/data, /cache]}
volumes:
  data: {labels: {purpose: test}}
`)
	p.ok("up", "-d")
	// Copy-up: the new volume holds the image's /data.
	if r := p.ok("exec", "app", "cat", "/data/seed.txt"); r.stdout != "from the image\n" {
		t.Fatalf("copy-up: %q", r.stdout)
	}
	p.ok("exec", "app", "sh", "-c", "echo kept > /data/note; echo scratch > /cache/note")
	p.ok("down")
	p.ok("up", "-d")
	if r := p.ok("exec", "app", "cat", "/data/note"); r.stdout != "kept\n" {
		t.Fatalf("after down and up: %q", r.stdout)
	}
	r := p.ok("volume", "inspect", "demo_data")
	var vols []struct {
		Name, Mountpoint string
		Labels           map[string]string
	}
	if err := json.Unmarshal([]byte(r.stdout), &vols); err != nil || len(vols) != 1 {
		t.Fatalf("volume inspect: %v %s", err, r.stdout)
	}
	if l := vols[0].Labels; l["com.docker.compose.project"] != "demo" || l["com.docker.compose.volume"] != "data" || l["purpose"] != "test" {
		t.Errorf("labels %v", l)
	}
	if r := p.ok("volume", "ls", "--filter", "label=com.docker.compose.volume=data", "-q"); r.stdout != "demo_data\n" {
		t.Errorf("volume ls --filter: %q", r.stdout)
	}
	p.fails("volume is in use by container demo-app-1", "volume", "rm", "demo_data")
	p.ok("down", "-v")
	if r := p.ok("volume", "ls", "-q"); r.stdout != "" {
		t.Fatalf("down -v left %q", r.stdout)
	}
	p.ok("up", "-d")
	if r := p.run("exec", "app", "cat", "/data/note"); r.code == 0 {
		t.Fatalf("the volume came back after down -v: %q", r.stdout)
	}
}

func TestVolumePruneRemovesOnlyUnused(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  app: {image: busybox, command: sleep 1d, volumes: [data:/data, /cache]}
volumes:
  data:
`)
	p.ok("up", "-d")
	p.ok("volume", "create", "loose")
	if r := p.ok("volume", "prune", "-f"); strings.Contains(r.stdout, "Deleted") {
		t.Errorf("volume prune removed a volume in use:\n%s", r.stdout)
	}
	p.ok("down") // the anonymous volume is left, unused
	r := p.ok("volume", "prune", "-f")
	if strings.Contains(r.stdout, "demo_data") || strings.Contains(r.stdout, "loose") || strings.Count(r.stdout, "\n") != 4 {
		t.Errorf("volume prune: want only the anonymous volume removed:\n%s", r.stdout)
	}
	r = p.ok("volume", "prune", "-a", "-f")
	if !strings.Contains(r.stdout, "loose") || !strings.Contains(r.stdout, "demo_data") {
		t.Errorf("volume prune -a:\n%s", r.stdout)
	}
	p.fails("no such volume", "volume", "rm", "loose")
	p.ok("volume", "rm", "-f", "loose")
}
