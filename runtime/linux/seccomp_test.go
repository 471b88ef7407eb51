package linux

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackorch/stack/runtime"
)

// probeRun runs the probe program in a container made from spec and
// returns what each call answered, by name (errno numbers; 0 succeeded).
func probeRun(t *testing.T, e *Engine, spec runtime.Spec, calls ...string) map[string]string {
	t.Helper()
	spec.Image = probeImage(t)
	spec.Command = append([]string{"probe"}, calls...)
	out, code := output(t, e, spec)
	if code != 0 {
		t.Fatalf("probe exited %d: %q", code, out)
	}
	return parseProbe(out)
}

func parseProbe(out string) map[string]string {
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		k, v, _ := strings.Cut(line, "=")
		got[k] = v
	}
	return got
}

const (
	errEPERM  = "1"
	errENOSYS = "38"
)

func TestDefaultSeccompDeniesWhatDockerDenies(t *testing.T) {
	e := newEngine(t)
	got := probeRun(t, e, runtime.Spec{Name: "t-sc-def"}, "keyctl", "personality", "vsock", "kcmp", "clone3", "nosys")
	want := map[string]string{"keyctl": errEPERM, "personality": errEPERM, "vsock": errEPERM, "kcmp": errEPERM,
		"clone3": errENOSYS, "nosys": errENOSYS}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s answered errno %s, want %s", k, got[k], v)
		}
	}
}

func TestSeccompUnconfinedLetsTheCallsThrough(t *testing.T) {
	e := newEngine(t)
	spec := runtime.Spec{Name: "t-sc-unc", SecurityOpt: []string{"seccomp=unconfined"}}
	got := probeRun(t, e, spec, "keyctl", "personality", "clone3")
	// Without a filter the kernel itself answers: clone3 finds its
	// arguments invalid, the others succeed.
	if got["keyctl"] == errEPERM || got["personality"] != "0" || got["clone3"] == errENOSYS {
		t.Fatalf("unconfined container still filtered: %v", got)
	}
}

func TestPrivilegedContainerHasNoSeccompFilter(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-sc-priv", "grep Seccomp: /proc/self/status")
	spec.Privileged = true
	if out, _ := output(t, e, spec); !strings.Contains(out, "Seccomp:\t0") {
		t.Fatalf("privileged container: %q, want no filter", out)
	}
}

func TestCapAddUnlocksTheSyscallsOfTheCapability(t *testing.T) {
	e := newEngine(t)
	spec := runtime.Spec{Name: "t-sc-cap", CapAdd: []string{"SYS_PTRACE"}}
	if got := probeRun(t, e, spec, "kcmp", "keyctl"); got["kcmp"] != "0" || got["keyctl"] != errEPERM {
		t.Fatalf("with CAP_SYS_PTRACE: %v, want kcmp allowed and keyctl still denied", got)
	}
}

func TestCustomSeccompProfileDeniesWhatItSays(t *testing.T) {
	e := newEngine(t)
	// Allow everything but mkdir, which answers EACCES (13).
	profile := `{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}`
	path := filepath.Join(t.TempDir(), "profile.json")
	os.WriteFile(path, []byte(profile), 0o644)
	spec := sh("t-sc-custom", "mkdir /tmp/d 2>&1; echo rc=$?")
	spec.SecurityOpt = []string{"seccomp=" + path}
	out, _ := output(t, e, spec)
	if !strings.Contains(out, "Permission denied") || !strings.Contains(out, "rc=1") {
		t.Fatalf("mkdir under a profile that denies it: %q", out)
	}
	got := probeRun(t, e, runtime.Spec{Name: "t-sc-custom2", SecurityOpt: []string{"seccomp=" + profile}}, "keyctl", "clone3")
	if got["keyctl"] == errEPERM || got["clone3"] == errENOSYS {
		t.Fatalf("a profile that allows by default still denies: %v", got)
	}
}

func TestSeccompBadProfileFailsCreate(t *testing.T) {
	e := newEngine(t)
	for _, opt := range []string{"seccomp=relative.json", "seccomp=/nonexistent/p.json", `seccomp={"defaultAction": "SCMP_ACT_MAYBE"}`} {
		_, err := e.Create(context.Background(), runtime.Spec{Name: "t-sc-bad", Image: "busybox", SecurityOpt: []string{opt}})
		if err == nil || !strings.Contains(err.Error(), "seccomp") {
			t.Errorf("%s: err = %v, want a seccomp error", opt, err)
		}
	}
}

func TestExecRunsUnderTheContainersSeccompFilter(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-sc-exec", "sleep 30")
	spec.Image = probeImage(t)
	st := run(t, e, spec)
	got := parseProbe(execOut(t, e, st.ID, "probe", "keyctl", "clone3"))
	if got["keyctl"] != errEPERM || got["clone3"] != errENOSYS {
		t.Errorf("exec'd process: %v, want keyctl denied and clone3 ENOSYS", got)
	}
	// Privileged exec gets every capability, not a way out of the filter.
	r, w, _ := os.Pipe()
	_, err := e.Exec(context.Background(), st.ID, Process{Args: []string{"probe", "keyctl"}, Privileged: true, Stdout: w, Stderr: w})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 256)
	n, _ := r.Read(buf)
	if got := parseProbe(string(buf[:n])); got["keyctl"] != errEPERM {
		t.Errorf("privileged exec: %v, want keyctl still denied", got)
	}
}

func TestNormalProgramsRunUnderTheDefaultFilter(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-sc-normal", `grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status
		ls / >/dev/null && echo ls-ok
		(sleep 1 & wait) && echo fork-ok
		wget -q -T 1 -O /dev/null http://127.0.0.1:1/ 2>/dev/null; echo wget-ran
		id -u app`)
	spec.User = "app"
	out, code := output(t, e, spec)
	for _, want := range []string{"Seccomp:\t2", "NoNewPrivs:\t0", "ls-ok", "fork-ok", "wget-ran", "1000"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q: %q (exit %d)", want, out, code)
		}
	}
}

func TestNoNewPrivilegesContainerIsFilteredToo(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-sc-nnp", `grep -E '^(Seccomp|NoNewPrivs):' /proc/self/status`)
	spec.SecurityOpt = []string{"no-new-privileges:true"}
	spec.Init = new(bool)
	out, _ := output(t, e, spec)
	if !strings.Contains(out, "Seccomp:\t2") || !strings.Contains(out, "NoNewPrivs:\t1") {
		t.Fatalf("no-new-privileges container: %q", out)
	}
}
