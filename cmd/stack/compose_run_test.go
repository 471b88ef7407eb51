package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const withDeps = `
name: demo
services:
  db: {image: busybox, command: sleep 1d}
  app:
    image: busybox
    command: echo default command
    environment: [GREETING=hello]
    depends_on: [db]
`

func TestRunStartsDependenciesAndPassesTheExitCodeOn(t *testing.T) {
	t.Parallel()
	p := newProject(t, withDeps)
	r := p.run("run", "--rm", "app", "sh", "-c", `echo "$GREETING out"; echo err >&2; exit 5`)
	if r.code != 5 || r.stdout != "hello out\n" || !strings.Contains(r.stderr, "err\n") {
		t.Fatalf("run --rm app: %+v", r)
	}
	got := p.ps()
	if len(got) != 1 || got["demo-db-1"].State != "running" {
		t.Fatalf("after run --rm: %v, want db running and the one-off gone", got)
	}
	if r := p.ok("run", "-T", "app"); r.stdout != "default command\n" {
		t.Errorf("run app: %q", r.stdout)
	}
	var oneoff psEntry
	for name, c := range p.ps() {
		if strings.HasPrefix(name, "demo-app-run-") {
			oneoff = c
		}
	}
	if oneoff.State != "exited" || !strings.Contains(oneoff.Labels, "com.docker.compose.oneoff=True") {
		t.Errorf("one-off kept without --rm: %+v", oneoff)
	}
	if r := p.ok("up", "-d"); strings.Contains(r.stderr, "orphan") {
		t.Errorf("a one-off container counted as an orphan:\n%s", r.stderr)
	}
}

func TestRunFlagsOverrideTheService(t *testing.T) {
	t.Parallel()
	p := newProject(t, withDeps)
	os.WriteFile(filepath.Join(p.dir, "hello.txt"), []byte("from the host\n"), 0o644)
	r := p.ok("run", "--rm", "--no-deps", "-e", "GREETING=hi", "-e", "OTHER=2", "-u", "app", "-w", "/home/app",
		"-v", "./hello.txt:/mnt/hello.txt:ro", "--entrypoint", "sh -c", "app", `echo $GREETING $OTHER $(id -un) $(pwd) $(cat /mnt/hello.txt)`)
	if r.stdout != "hi 2 app /home/app from the host\n" {
		t.Errorf("run with flags: %q", r.stdout)
	}
	if got := p.ps(); len(got) != 0 {
		t.Errorf("run --no-deps started %v", got)
	}
	r = p.ok("run", "-d", "--name", "custom", "app", "sleep", "1d")
	if strings.TrimSpace(r.stdout) != "custom" {
		t.Errorf("run -d --name custom printed %q", r.stdout)
	}
	if got := p.ps(); got["custom"].State != "running" || got["demo-db-1"].State != "running" {
		t.Errorf("after run -d: %v", got)
	}
}
