package linux

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stackorch/stack/runtime"
)

// output runs a one-shot container and returns its stdout and exit code.
func output(t *testing.T, e *Engine, spec runtime.Spec) (string, int) {
	t.Helper()
	st := run(t, e, spec)
	st = waitExit(t, e, st.ID)
	var out strings.Builder
	for _, line := range strings.Split(logText(t, e, st.ID), "\n") {
		if i := strings.Index(line, `{"log":"`); i >= 0 {
			var entry LogEntry
			if err := jsonUnmarshal(line, &entry); err == nil && entry.Stream == "stdout" {
				out.WriteString(entry.Log)
			}
		}
	}
	return out.String(), st.ExitCode
}

func sh(name, script string) runtime.Spec {
	return runtime.Spec{Name: name, Command: []string{"sh", "-c", script}}
}

func TestContainerHasItsOwnNamespacesAndHostname(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-ns-1", "hostname; echo pid=$$; ps -o pid,comm | wc -l; ls /sys/class/net")
	spec.Hostname = "box"
	out, code := output(t, e, spec)
	hostNet, _ := os.Readlink("/proc/self/ns/net")
	if code != 0 || !strings.HasPrefix(out, "box\n") {
		t.Fatalf("out=%q code=%d", out, code)
	}
	// init is PID 1; the shell is its child, so not PID 1.
	if strings.Contains(out, "pid=1\n") {
		t.Errorf("the service is PID 1 although init is on: %q", out)
	}
	if !strings.Contains(out, "lo\n") || strings.Contains(out, "eth0") {
		t.Errorf("network namespace shows host links: %q (host %s)", out, hostNet)
	}
}

func TestInitFalseRunsTheServiceAsPID1(t *testing.T) {
	e := newEngine(t)
	off := false
	spec := sh("t-pid1-1", "echo pid=$$")
	spec.Init = &off
	out, _ := output(t, e, spec)
	if out != "pid=1\n" {
		t.Fatalf("out = %q, want pid=1", out)
	}
}

func TestProcIsMaskedAndSysReadOnly(t *testing.T) {
	e := newEngine(t)
	var masked []string
	for _, p := range maskedPaths {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && strings.HasPrefix(p, "/proc/") {
			masked = append(masked, p)
		}
	}
	if len(masked) == 0 {
		t.Fatal("no masked /proc file exists on this kernel to check")
	}
	out, _ := output(t, e, sh("t-proc-1", `
		cat `+strings.Join(masked, " ")+` | wc -c
		echo 1 > /proc/sys/kernel/domainname && echo wrote-proc-sys
		touch /sys/x 2>/dev/null && echo wrote-sys
		ls /dev | tr '\n' ' '`))
	if !strings.HasPrefix(out, "0\n") {
		t.Errorf("/proc/kcore is readable: %q", out)
	}
	if strings.Contains(out, "wrote-") {
		t.Errorf("wrote to a read-only path: %q", out)
	}
	for _, d := range []string{"null", "zero", "full", "random", "urandom", "tty", "pts", "shm", "mqueue", "ptmx"} {
		if !strings.Contains(out, d+" ") {
			t.Errorf("/dev lacks %s: %q", d, out)
		}
	}
}

func TestImageAndServiceConfigMergeAsDocker(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-merge-1", "echo $FROM_IMAGE $MINE; pwd; id")
	spec.Env = []string{"MINE=2"}
	spec.WorkingDir = "/work/dir"
	spec.User = "app"
	out, code := output(t, e, spec)
	want := "1 2\n/work/dir\nuid=1000(app) gid=1000(app) groups=1001(extra)\n"
	if code != 0 || out != want {
		t.Fatalf("out = %q, want %q", out, want)
	}
	spec = sh("t-merge-2", "id")
	spec.User = "1000:extra"
	if out, _ := output(t, e, spec); out != "uid=1000(app) gid=1001(extra)\n" {
		t.Fatalf("user 1000:extra: %q", out)
	}
}

func TestEntrypointReplacesImageCommand(t *testing.T) {
	e := newEngine(t)
	spec := runtime.Spec{Name: "t-entry-1", Entrypoint: []string{"echo", "from-entrypoint"}}
	if out, _ := output(t, e, spec); out != "from-entrypoint\n" {
		t.Fatalf("out = %q", out)
	}
}

func TestStartFailuresNameTheCauseAndLeaveNothing(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	cases := []struct {
		name string
		spec runtime.Spec
		want string
	}{
		{"t-bad-user", runtime.Spec{User: "ghost", Command: []string{"true"}}, "unable to find user ghost"},
		{"t-bad-group", runtime.Spec{User: "app:ghosts", Command: []string{"true"}}, "unable to find group ghosts"},
		{"t-bad-entry", runtime.Spec{Entrypoint: []string{"/no/such"}}, `exec: "/no/such": stat /no/such: no such file or directory`},
		{"t-bad-path", runtime.Spec{Command: []string{"nosuch"}}, `exec: "nosuch": executable file not found in $PATH`},
		{"t-bad-cwd", runtime.Spec{WorkingDir: "/etc/passwd", Command: []string{"true"}}, `working directory "/etc/passwd" is not a directory`},
	}
	for _, c := range cases {
		c.spec.Name, c.spec.Image = c.name, "busybox"
		st, err := e.Create(ctx, c.spec)
		if err != nil {
			t.Fatal(err)
		}
		err = e.Start(ctx, st.ID)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: err = %v, want it to name the container and %q", c.name, err, c.want)
			continue
		}
		st, _ = e.Inspect(ctx, st.ID)
		if st.Status != runtime.StatusCreated || st.Running() {
			t.Errorf("%s: state after failed start = %s", c.name, st.Status)
		}
		if cg := loadCgroup(st.ID); cg != nil {
			t.Errorf("%s: cgroup left after failed start", c.name)
		}
		if monitorAlive(e.o.Paths.lockFile(st.ID)) {
			t.Errorf("%s: monitor left after failed start", c.name)
		}
	}
	if _, err := e.Create(ctx, runtime.Spec{Name: "t-bad-image", Image: "nothere"}); err == nil || !strings.Contains(err.Error(), `image "nothere": not found`) {
		t.Errorf("missing image: %v", err)
	}
}
