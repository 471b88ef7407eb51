package main

import (
	"os"
	"strings"
	"testing"
	"time"
)

func TestExecRunsInTheContainerAndPassesTheExitCodeOn(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: demo
services:
  web: {image: busybox, command: sleep 1d, scale: 2, environment: [FROM=service], working_dir: /tmp}
`)
	p.ok("up", "-d")
	if r := p.run("exec", "web", "sh", "-c", "exit 7"); r.code != 7 {
		t.Errorf("exec exit 7: %+v", r)
	}
	r := p.ok("exec", "-T", "-e", "EXTRA=1", "web", "sh", "-c", `echo "$FROM $EXTRA $(pwd) $(id -u)"`)
	if r.stdout != "service 1 /tmp 0\n" {
		t.Errorf("exec -e: %q", r.stdout)
	}
	if r := p.ok("exec", "-u", "app", "-w", "/home/app", "web", "sh", "-c", "echo $(id -un) $(pwd)"); r.stdout != "app /home/app\n" {
		t.Errorf("exec -u -w: %q", r.stdout)
	}
	if r := p.ok("exec", "--index", "2", "web", "hostname"); r.stdout == p.ok("exec", "--index", "1", "web", "hostname").stdout {
		t.Errorf("--index 2 ran in replica 1: %q", r.stdout)
	}
	plain := p.ok("exec", "web", "grep", "CapEff", "/proc/self/status").stdout
	privileged := p.ok("exec", "--privileged", "web", "grep", "CapEff", "/proc/self/status").stdout
	host, _ := os.ReadFile("/proc/self/status")
	if plain == privileged || !strings.Contains(string(host), privileged) {
		t.Errorf("--privileged: %q, plain %q; want the host's capabilities", privileged, plain)
	}
	p.ok("exec", "-d", "web", "sh", "-c", "sleep 0.2; touch /tmp/detached")
	deadline := time.Now().Add(guard)
	for p.run("exec", "web", "test", "-f", "/tmp/detached").code != 0 {
		if time.Now().After(deadline) {
			t.Fatal("exec -d never ran its command")
		}
		time.Sleep(50 * time.Millisecond)
	}
	p.fails("exec in container", "exec", "web", "/no/such/command")
}
