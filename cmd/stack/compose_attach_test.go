package main

import (
	"strings"
	"syscall"
	"testing"
)

func TestUpAttachedPrefixesLogsAndReturnsWhenAllExit(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  a: {image: busybox, command: sh -c 'echo a says hi; echo a err >&2'}
  b: {image: busybox, command: sh -c 'echo b says hi; exit 3'}
`)
	r := p.ok("up")
	for _, want := range []string{"Attaching to demo-a-1, demo-b-1\n", "demo-a-1  | a says hi\n", "demo-a-1  | a err\n",
		"demo-b-1  | b says hi\n", "demo-b-1 exited with code 3\n", "demo-a-1 exited with code 0\n"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if i, j := strings.Index(r.stdout, "b says hi"), strings.Index(r.stdout, "demo-b-1 exited"); i > j {
		t.Errorf("the exit came before the container's last line:\n%s", r.stdout)
	}
	r = p.ok("up", "--no-log-prefix", "--timestamps", "--no-attach", "b")
	if !strings.Contains(r.stdout, "Z a says hi\n") || strings.Contains(r.stdout, "b says hi") || strings.Contains(r.stdout, "|") {
		t.Errorf("--no-log-prefix --timestamps --no-attach b:\n%s", r.stdout)
	}
	r = p.ok("up", "--attach", "b", "--no-color")
	if strings.Contains(r.stdout, "a says hi") || !strings.Contains(r.stdout, "b says hi") {
		t.Errorf("--attach b:\n%s", r.stdout)
	}
}

func TestUpExitCodeFromAbortsAndPassesTheCodeOn(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  server: {image: busybox, command: sleep 1d}
  test: {image: busybox, command: sh -c 'echo testing; exit 4', depends_on: [server]}
`)
	r := p.run("up", "--exit-code-from", "test")
	if r.code != 4 || !strings.Contains(r.stdout, "Aborting on container exit...") {
		t.Fatalf("up --exit-code-from test: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if got := p.ps(); got["demo-server-1"].State != "exited" {
		t.Errorf("the server still runs after the abort: %+v", got["demo-server-1"])
	}
	r = p.run("up", "--abort-on-container-failure")
	if r.code != 4 {
		t.Errorf("--abort-on-container-failure: exit %d\n%s", r.code, r.stdout)
	}
	p.fails("--detach cannot be combined", "up", "-d", "--abort-on-container-exit")
}

func TestUpCtrlCStopsGracefullyAndASecondOneKills(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  polite: {image: busybox, command: sh -c 'echo up; exec sleep 1d'}
  stubborn:
    image: busybox
    command: sh -c 'trap "echo ignoring TERM" TERM; echo up; while true; do sleep 0.1; done'
    stop_grace_period: 5m
`)
	b := p.start("up")
	b.waitFor("demo-stubborn-1  | up")
	b.waitFor("demo-polite-1    | up")
	b.signal(syscall.SIGINT)
	b.waitFor("Gracefully stopping... (press Ctrl+C again to force)")
	b.waitFor("demo-polite-1 exited with code 143")
	b.signal(syscall.SIGINT)
	if code := b.wait(); code != 130 {
		t.Errorf("exit %d, want 130:\n%s", code, b.output())
	}
	got := p.ps()
	if got["demo-polite-1"].State != "exited" || got["demo-stubborn-1"].State != "exited" || got["demo-stubborn-1"].ExitCode != 137 {
		t.Errorf("after Ctrl-C twice: %+v", got)
	}
}

func TestDownFromAnotherTerminalEndsAForegroundUp(t *testing.T) {
	p := newProject(t, twoServices)
	b := p.start("up")
	b.waitFor("demo-web-1  | started")
	p.ok("down")
	if code := b.wait(); code != 0 {
		t.Errorf("up after down: exit %d\n%s", code, b.output())
	}
	if got := p.ps(); len(got) != 0 {
		t.Errorf("left %v", got)
	}
}
