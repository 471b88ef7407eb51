package main

import (
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestLogsSelectsByTailTimeIndexAndService(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  a: {image: busybox, command: sh -c 'echo one; echo two; echo three; exec sleep 1d'}
  b: {image: busybox, command: sh -c 'echo "I am $$HOSTNAME"; exec sleep 1d', scale: 2, hostname: bee}
`)
	p.ok("up", "--wait")
	// The lines are written by now: exec sleep came after them.
	waitLogs(t, p, "three", "a")
	if r := p.ok("logs", "a"); r.stdout != "demo-a-1  | one\ndemo-a-1  | two\ndemo-a-1  | three\n" {
		t.Errorf("logs a: %q", r.stdout)
	}
	if r := p.ok("logs", "--tail", "1", "--no-log-prefix", "a"); r.stdout != "three\n" {
		t.Errorf("logs --tail 1 --no-log-prefix a: %q", r.stdout)
	}
	if r := p.ok("logs", "--tail", "0"); r.stdout != "" {
		t.Errorf("logs --tail 0: %q", r.stdout)
	}
	waitLogs(t, p, "I am", "--index", "2", "b")
	if r := p.ok("logs", "--index", "2", "b"); r.stdout != "demo-b-2  | I am bee\n" {
		t.Errorf("logs --index 2 b: %q", r.stdout)
	}
	r := p.ok("logs", "-t", "a")
	first := strings.Fields(strings.Split(r.stdout, "\n")[0])
	ts, err := time.Parse(time.RFC3339Nano, first[2])
	if err != nil || first[3] != "one" {
		t.Fatalf("logs -t: %q (%v)", r.stdout, err)
	}
	if r := p.ok("logs", "--since", ts.Add(time.Second).Format(time.RFC3339Nano), "a"); r.stdout != "" {
		t.Errorf("logs --since after the lines: %q", r.stdout)
	}
	if r := p.ok("logs", "--until", ts.Add(-time.Second).Format(time.RFC3339Nano), "a"); r.stdout != "" {
		t.Errorf("logs --until before the lines: %q", r.stdout)
	}
	if r := p.ok("logs", "--since", "1h", "--until", "0s", "--no-log-prefix", "a"); r.stdout != "one\ntwo\nthree\n" {
		t.Errorf("logs --since 1h --until 0s: %q", r.stdout)
	}
}

func TestLogsFollowsRestartedAndNewlyScaledContainers(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  web: {image: busybox, command: sh -c 'echo "start $$(cat /proc/uptime)"; exec sleep 1d'}
`)
	p.ok("up", "-d")
	b := p.start("logs", "-f")
	b.waitFor("demo-web-1  | start")
	p.ok("restart", "web")
	waitCount(t, b, "demo-web-1  | start", 2)
	p.ok("up", "-d", "--scale", "web=2")
	b.waitFor("demo-web-2  | start")
	b.signal(syscall.SIGINT)
	if code := b.wait(); code != 0 {
		t.Errorf("logs -f after Ctrl-C: exit %d", code)
	}
}

// waitLogs waits until `logs args` prints want.
func waitLogs(t *testing.T, p *proj, want string, args ...string) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for !strings.Contains(p.ok(append([]string{"logs"}, args...)...).stdout, want) {
		if time.Now().After(deadline) {
			t.Fatalf("logs %v never printed %q", args, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitCount waits until b's output holds s n times.
func waitCount(t *testing.T, b *background, s string, n int) {
	t.Helper()
	deadline := time.Now().Add(guard)
	for strings.Count(b.output(), s) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%q never printed %d times:\n%s", s, n, b.output())
		}
		time.Sleep(20 * time.Millisecond)
	}
}
