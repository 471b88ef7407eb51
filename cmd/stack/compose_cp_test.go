package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCpCopiesBothWaysAndStaysInsideTheContainer(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  web: {image: busybox, command: sh -c "mkdir -p /srv/d && echo served > /srv/d/f && ln -s /etc /srv/etclink && sleep 1d"}
`)
	p.ok("up", "-d")
	host := t.TempDir()
	os.WriteFile(filepath.Join(host, "in.txt"), []byte("from-host\n"), 0o644)
	p.ok("cp", filepath.Join(host, "in.txt"), "web:/tmp/")
	p.ok("cp", filepath.Join(host, "in.txt"), "web:/tmp/renamed.txt")
	if r := p.ok("exec", "-T", "web", "cat", "/tmp/in.txt", "/tmp/renamed.txt"); r.stdout != "from-host\nfrom-host\n" {
		t.Fatalf("copied in: %q", r.stdout)
	}
	for !strings.Contains(p.ok("exec", "-T", "web", "ls", "/srv").stdout, "etclink") {
	}
	p.ok("cp", "web:/srv/d", host)
	if b, _ := os.ReadFile(filepath.Join(host, "d", "f")); string(b) != "served\n" {
		t.Fatalf("copied out into a directory: %q", b)
	}
	p.ok("cp", "web:/srv/d/f", filepath.Join(host, "g"))
	if b, _ := os.ReadFile(filepath.Join(host, "g")); string(b) != "served\n" {
		t.Fatalf("copied out as a new name: %q", b)
	}
	// The container's symlink to /etc is its own /etc, never the host's.
	p.ok("cp", filepath.Join(host, "in.txt"), "web:/srv/etclink/")
	if _, err := os.Stat("/etc/in.txt"); err == nil {
		os.Remove("/etc/in.txt")
		t.Fatal("cp wrote into the host's /etc through the container's symlink")
	}
	if r := p.ok("exec", "-T", "web", "cat", "/etc/in.txt"); r.stdout != "from-host\n" {
		t.Fatalf("cp through the container's symlink: %q", r.stdout)
	}
	p.fails("one of source and destination", "cp", "a", "b")
	p.ok("down")
}

func TestImagesListsTheImagesOfTheProjectsContainers(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  web: {image: busybox, command: sleep 1d, scale: 2}
`)
	p.ok("up", "-d")
	r := p.ok("images")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "CONTAINER REPOSITORY TAG IMAGE ID SIZE" ||
		!strings.HasPrefix(lines[1], "demo-web-1 ") || !strings.Contains(lines[1], " busybox ") {
		t.Fatalf("images:\n%s", r.stdout)
	}
	if ids := strings.Fields(p.ok("images", "-q").stdout); len(ids) != 1 {
		t.Fatalf("images -q: %v, want the one image once", ids)
	}
	if r := p.ok("images", "--format", "json"); !strings.Contains(r.stdout, `"ContainerName":"demo-web-2"`) {
		t.Fatalf("images --format json: %s", r.stdout)
	}
	p.ok("down")
}
