package linux

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stackorch/stack/runtime"
	"golang.org/x/sys/unix"
)

// attempts runs the escape program with args in a container and returns
// what each attempt got: "0" means the kernel let it through.
func attempts(t *testing.T, e *Engine, spec runtime.Spec, args ...string) map[string]string {
	t.Helper()
	spec.Image = escapeImage(t)
	spec.Command = append([]string{"/bin/escape"}, args...)
	out, code := output(t, e, spec)
	if code != 0 {
		t.Fatalf("escape program exit %d: %q", code, out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if i := strings.LastIndex(line, "="); i > 0 {
			got[line[:i]] = line[i+1:]
		}
	}
	for _, a := range args {
		if _, ok := got[a]; !ok {
			t.Fatalf("no answer for %q in %q", a, out)
		}
	}
	return got
}

// Each attempt a default container makes at the kernel or the host fails:
// mounting, unmounting /proc, remounting /sys, loading a module, tracing
// its init, writing the host's binary through /proc/1/exe, reaching the
// init's descriptors, writing /proc/sys, /proc/sysrq-trigger and /sys.
func TestEscapeAttemptsFailInADefaultContainer(t *testing.T) {
	e := newEngine(t)
	self, _ := os.Executable() // the engine re-executes it as init
	before := fileSum(t, self)
	try := []string{
		"mount", "umount", "remount", "init_module", "finit_module", "ptrace:1",
		"write:/proc/1/exe", "read:/proc/1/exe", "write:/proc/self/exe",
		"write:/proc/sys/kernel/domainname", "write:/proc/sys/vm/drop_caches", "write:/proc/sysrq-trigger",
		"write:/sys/kernel/uevent_helper", "write:/sys/fs/cgroup/cgroup.procs",
	}
	for fd := range 12 {
		try = append(try, fmt.Sprintf("read:/proc/1/fd/%d", fd), fmt.Sprintf("chdir:/proc/1/fd/%d", fd))
	}
	for attempt, errno := range attempts(t, e, runtime.Spec{Name: "t-escape"}, try...) {
		if errno == "0" {
			t.Errorf("%s: the kernel let it through", attempt)
		}
	}
	if after := fileSum(t, self); after != before {
		t.Fatal("the host's binary changed")
	}
}

// A container sees no process but its own: the monitor, which runs in the
// host's PID namespace, is neither listed nor reachable.
func TestMonitorIsNotVisibleFromTheContainer(t *testing.T) {
	e := newEngine(t)
	out, _ := output(t, e, sh("t-escape-ps", `for p in /proc/[0-9]*; do echo "$(basename $p) $(tr '\0' ' ' < $p/cmdline)"; done`))
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if strings.Contains(line, "monitor") || strings.Contains(line, e.o.Paths.Lib) || strings.Contains(line, e.o.Paths.Run) {
			t.Errorf("container sees a stack process: %q", line)
		}
	}
	if strings.Count(strings.TrimSpace(out), "\n") > 3 {
		t.Errorf("container sees more than its own processes:\n%s", out)
	}
}

// CVE-2019-5736: while the host runs exec into a container again and
// again, nothing in the container can open the host's binary through
// /proc/PID/exe of a process that enters it.
//
// execIn makes the exec'ing process not dumpable before it forks into the
// container's PID namespace; without that, the container could open
// /proc/PID/exe (the host's stack binary) and /proc/PID/fd (the cgroup
// and namespace descriptors) until the child's execve.
func TestExecNeverExposesTheHostBinaryThroughProc(t *testing.T) {
	e := newEngine(t)
	self, _ := os.Executable()
	fi, err := os.Stat(self)
	if err != nil {
		t.Fatal(err)
	}
	before := fileSum(t, self)
	// The watcher notes every exe it can read whose size is the host
	// binary's, and counts its rounds.
	spec := sh("t-escape-exec", `while :; do for p in /proc/[0-9]*; do n=$(wc -c < $p/exe 2>/dev/null) && [ "$n" = "$HOSTSIZE" ] && echo "$p $(cat $p/comm)" >> /tmp/seen; done; echo r >> /tmp/rounds; done`)
	spec.Env = []string{fmt.Sprintf("HOSTSIZE=%d", fi.Size())}
	st := run(t, e, spec)
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; i < 20 || time.Now().Before(deadline); i++ {
		if _, err := e.Exec(context.Background(), st.ID, Process{Args: []string{"true"}}); err != nil {
			t.Fatal(err)
		}
	}
	if seen := execOut(t, e, st.ID, "cat", "/tmp/seen"); strings.TrimSpace(seen) != "" && !strings.Contains(seen, "No such file") {
		t.Errorf("container read the host's binary:\n%s", seen)
	}
	if rounds := execOut(t, e, st.ID, "wc", "-l", "/tmp/rounds"); strings.HasPrefix(rounds, "0 ") || strings.Contains(rounds, "No such file") {
		t.Fatalf("the watcher never went round: %q", rounds)
	}
	e.Kill(context.Background(), st.ID, syscall.SIGKILL)
	waitExit(t, e, st.ID)
	if fileSum(t, self) != before {
		t.Fatal("the host's binary changed")
	}
}

// CVE-2024-21626: a working directory of /proc/self/fd/N never leaves the
// service in a host directory: the start fails, or the service runs with a
// directory from which climbing up does not reach the host's files.
func TestWorkdirThroughProcSelfFdNeverReachesTheHost(t *testing.T) {
	e := newEngine(t)
	marker := filepath.Join(t.TempDir(), "marker")
	os.WriteFile(marker, []byte("host"), 0o644)
	for fd := 3; fd < 12; fd++ {
		spec := runtime.Spec{Name: fmt.Sprintf("t-escape-wd%d", fd), Image: "busybox",
			WorkingDir: fmt.Sprintf("/proc/self/fd/%d", fd),
			Command:    []string{"cat", strings.Repeat("../", 40) + strings.TrimPrefix(marker, "/")}}
		st, err := e.Create(context.Background(), spec)
		if err != nil {
			t.Logf("fd %d: create refused: %v", fd, err)
			continue
		}
		if err := e.Start(context.Background(), st.ID); err != nil {
			if !strings.Contains(err.Error(), spec.WorkingDir) {
				t.Errorf("fd %d: start refused without naming the directory: %v", fd, err)
			}
			continue
		}
		st = waitExit(t, e, st.ID)
		if log := logText(t, e, st.ID); strings.Contains(log, `"log":"host`) || st.ExitCode == 0 {
			t.Errorf("fd %d: the service read a host file from its working directory (exit %d): %s", fd, st.ExitCode, log)
		}
	}
}

// A device node that comes in an image (here /dev/mem's numbers and a
// block device's) cannot be opened: the device cgroup allows only the
// default nodes.
func TestDeviceNodeFromAnImageCannotBeOpened(t *testing.T) {
	e := newEngine(t)
	escapeLayers := images.extra[escapeImage(t)]
	layer := t.TempDir()
	if err := unix.Mknod(filepath.Join(layer, "mem"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 1))); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mknod(filepath.Join(layer, "disk"), unix.S_IFBLK|0o666, int(unix.Mkdev(7, 0))); err != nil {
		t.Fatal(err)
	}
	images.extra["devices"] = append(slices.Clone(escapeLayers), layer)
	spec := runtime.Spec{Name: "t-escape-dev", Image: "devices", Command: []string{"/bin/escape", "read:/mem", "write:/disk", "read:/dev/null"}}
	out, _ := output(t, e, spec)
	for _, want := range []string{"read:/mem=1\n", "write:/disk=1\n", "read:/dev/null=0\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("got %q, want it to hold %q (1 is EPERM)", out, want)
		}
	}
}

func fileSum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}
