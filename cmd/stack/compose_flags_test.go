package main

import (
	"fmt"
	"strings"
	"testing"
)

func TestUpRenewAnonVolumesAndDownRmi(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  app: {image: busybox, command: sleep 1d, volumes: [/scratch], environment: [V=1]}
`)
	p.ok("image", "tag", "busybox", "demo-local")
	p.ok("up", "-d")
	p.ok("exec", "app", "touch", "/scratch/mark")
	p.ok("up", "-d", "--force-recreate")
	if r := p.run("exec", "app", "test", "-f", "/scratch/mark"); r.code != 0 {
		t.Fatal("a recreated container lost its anonymous volume")
	}
	if r := p.ok("up", "-d"); !strings.Contains(r.stderr, "Container demo-app-1  Running") {
		t.Errorf("an up that keeps a container does not say so:\n%s", r.stderr)
	}
	p.ok("up", "-d", "--force-recreate", "-V")
	if r := p.run("exec", "app", "test", "-f", "/scratch/mark"); r.code == 0 {
		t.Fatal("-V kept the anonymous volume's content")
	}
	p.ok("down", "--rmi", "local")
	if r := p.ok("image", "ls", "-q"); strings.TrimSpace(r.stdout) == "" {
		t.Error("down --rmi local removed busybox, which has a custom tag")
	}
	p.ok("down", "--rmi", "all")
	if r := p.ok("image", "ls", "--format", "json", "busybox"); strings.TrimSpace(r.stdout) != "" {
		t.Errorf("down --rmi all kept busybox: %s", r.stdout)
	}
	p.ok("image", "import", busyboxTar(t), "busybox:latest") // for the cleanup's down
}

func TestUpPullNeverRefusesAMissingImage(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  app: {image: "example.invalid/nothere:1", command: sleep 1d}
`)
	p.fails(`image "example.invalid/nothere:1": not found`, "up", "-d", "--pull", "never")
	if r := p.ok("--dry-run", "up", "-d"); !strings.Contains(r.stdout, "pull image example.invalid/nothere:1") {
		t.Errorf("--dry-run up: %q", r.stdout)
	}
}

// Not parallel: it publishes a port (see compose_network_test.go).
func TestRunPublishesPortsOnlyWhenAsked(t *testing.T) {
	port := freePort(t)
	p := newProject(t, fmt.Sprintf(`
name: demo
services:
  web: {image: busybox, command: %s, ports: ["127.0.0.1:%d:8080"]}
`, httpd, port))
	p.ok("run", "-d", "--name", "plain", "web")
	if r := p.ok("ps", "--format", "{{.Ports}}", "web"); strings.TrimSpace(r.stdout) != "" {
		t.Errorf("run without --service-ports published %q", r.stdout)
	}
	p.ok("down")
	p.ok("run", "-d", "--service-ports", "web")
	body := get(t, fmt.Sprintf("http://127.0.0.1:%d/", port), "hello")
	if !strings.HasPrefix(body, "hello from") {
		t.Errorf("run --service-ports: %q", body)
	}
	p.ok("down")
	other := freePort(t)
	p.ok("run", "-d", "-p", fmt.Sprintf("127.0.0.1:%d:8080", other), "web")
	get(t, fmt.Sprintf("http://127.0.0.1:%d/", other), "hello from")
}
