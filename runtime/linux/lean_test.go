package linux

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime/linux/reaper"
)

// zombies counts, from inside, the container's processes that exited and
// were never reaped, after an orphan has exited.
// The trap comes first: the test stops the container once it has read
// the count.
const zombies = `trap 'exit 9' TERM; sh -c 'sleep 0.05 &'; sleep 0.3; n=0
	for f in /proc/[0-9]*/stat; do case "$(cat $f 2>/dev/null)" in *") Z "*) n=$((n+1));; esac; done
	cat /proc/1/exe >/dev/null 2>&1 && echo read-exe
	echo zombies=$n
	while true; do sleep 0.05; done`

func TestInitBecomesTheLeanInitOnceTheServiceRuns(t *testing.T) {
	e := newEngine(t)
	testInit(t, e, e.o.Reaper)
}

func TestInitWithoutTheLeanInitReapsItself(t *testing.T) {
	e := newEngineWith(t, func(o *Options) { o.Reaper = "" })
	testInit(t, e, e.o.Binary)
}

// testInit runs a service that orphans a child, and checks that PID 1 runs
// exe, reaps the orphan, cannot be read from inside, forwards the stop
// signal and exits with the service's code.
func testInit(t *testing.T, e *Engine, exe string) {
	ctx := context.Background()
	st := run(t, e, sh("t-init", zombies))
	awaitInit(t, st.Pid, exe)
	var log string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if log = logText(t, e, st.ID); strings.Contains(log, "zombies=") {
			break
		}
	}
	if !strings.Contains(log, `zombies=0`) || strings.Contains(log, "read-exe") {
		t.Errorf("the orphan is not reaped or init's binary is readable: %s", log)
	}
	if err := e.Stop(ctx, st.ID, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if st, _ = e.Inspect(ctx, st.ID); st.ExitCode != 9 {
		t.Errorf("stop: exit %d, want the service's 9", st.ExitCode)
	}
}

// awaitInit waits for PID 1, pid on the host, to run exe: init hands over
// to the lean init once Start has returned.
func awaitInit(t *testing.T, pid int, exe string) {
	t.Helper()
	got, err := "", error(nil)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && got != exe; time.Sleep(10 * time.Millisecond) {
		got, err = os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	}
	if got != exe {
		t.Errorf("PID 1 runs %q (%v), want %q", got, err, exe)
	}
}

// A process of the container may signal PID 1: the lean init passes the
// signal on to the service, and a service that a signal kills exits
// 128+n.
func TestTheLeanInitForwardsSignalsSentFromInside(t *testing.T) {
	e := newEngine(t)
	st := run(t, e, sh("t-lean-sig", "while true; do sleep 0.05; done"))
	awaitInit(t, st.Pid, e.o.Reaper)
	execOut(t, e, st.ID, "sh", "-c", "kill -USR1 1")
	if st = waitExit(t, e, st.ID); st.ExitCode != 128+int(unix.SIGUSR1) {
		t.Errorf("exit %d, want %d: the service killed by the SIGUSR1 sent to PID 1", st.ExitCode, 128+int(unix.SIGUSR1))
	}
}

// A process whose parent exits is given to PID 1, and the lean init reaps
// it once it exits: no zombie stays.
func TestTheLeanInitReapsTheOrphansItIsGiven(t *testing.T) {
	e := newEngine(t)
	st := run(t, e, sh("t-lean-orphan", "while true; do sleep 0.05; done"))
	awaitInit(t, st.Pid, e.o.Reaper)
	orphan := strings.TrimSpace(execOut(t, e, st.ID, "sh", "-c", "sleep 30 >/dev/null 2>&1 & echo $!"))
	stat := "/proc/" + orphan + "/stat"
	if f := strings.Fields(execOut(t, e, st.ID, "cat", stat)); len(f) < 4 || f[3] != "1" {
		t.Fatalf("the orphan %s is not PID 1's: %q", orphan, f)
	}
	execOut(t, e, st.ID, "kill", orphan)
	left := ""
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if left = execOut(t, e, st.ID, "sh", "-c", "cat "+stat+" 2>/dev/null"); left == "" {
			return
		}
	}
	t.Errorf("the orphan is not reaped: %s", left)
}

// Started by hand, without a pid, the lean init says what it is for and
// exits 2.
func TestTheLeanInitRefusesToRunWithoutAPid(t *testing.T) {
	path := leanInit(t)
	for _, args := range [][]string{nil, {""}, {"x"}, {"0"}, {"-5"}, {"+5"}, {"12a"}, {"99999999999"}} {
		cmd := exec.Command(path, args...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != 2 || stderr.String() != reaper.Usage {
			t.Errorf("stack-init %q: exit %d, stderr %q; want 2 and %q", args, code, stderr.String(), reaper.Usage)
		}
	}
}
