package main

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestSecurityOptSeccompProfilesApplyThroughCompose(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: sec
services:
  plain: {image: busybox, command: sleep 1d}
  custom: {image: busybox, command: sleep 1d, security_opt: ["seccomp=profiles/no-mkdir.json"]}
  open: {image: busybox, command: sleep 1d, security_opt: ["seccomp:unconfined"]}
`, "profiles/no-mkdir.json", `{"defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`)
	p.ok("up", "-d")
	for svc, want := range map[string]string{"plain": "Seccomp:\t2", "custom": "Seccomp:\t2", "open": "Seccomp:\t0"} {
		if out := p.ok("exec", "-T", svc, "grep", "Seccomp:", "/proc/self/status").stdout; !strings.Contains(out, want) {
			t.Errorf("%s: %q, want %q", svc, out, want)
		}
	}
	if r := p.run("exec", "-T", "custom", "mkdir", "/tmp/d"); r.code == 0 || !strings.Contains(r.stderr+r.stdout, "Permission denied") {
		t.Errorf("mkdir under a profile that denies it: %+v", r)
	}
	if r := p.run("exec", "-T", "plain", "mkdir", "/tmp/d"); r.code != 0 {
		t.Errorf("mkdir under the default profile: %+v", r)
	}
}

func TestBadSeccompProfileStopsUpBeforeAnythingStarts(t *testing.T) {
	t.Parallel()
	p := newProject(t, `
name: secbad
services:
  web: {image: busybox, command: sleep 1d, security_opt: ["seccomp=bad.json"]}
`, "bad.json", `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_SOMETIMES"}]}`)
	line := p.fails("SCMP_ACT_SOMETIMES", "up", "-d")
	t.Log(line)
	if !strings.Contains(line, `"web"`) || !strings.Contains(line, filepath.Join(p.dir, "bad.json")) {
		t.Errorf("error line %q does not name the service and the file", line)
	}
	if ids := strings.Fields(p.ok("ps", "-a", "-q").stdout); len(ids) != 0 {
		t.Errorf("containers made despite the bad profile: %v", ids)
	}
}
