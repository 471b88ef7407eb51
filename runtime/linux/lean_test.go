package linux

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// zombies counts, from inside, the container's processes that exited and
// were never reaped, after an orphan has exited.
const zombies = `sh -c 'sleep 0.05 &'; sleep 0.3; n=0
	for f in /proc/[0-9]*/stat; do case "$(cat $f 2>/dev/null)" in *") Z "*) n=$((n+1));; esac; done
	echo zombies=$n
	cat /proc/1/exe >/dev/null 2>&1 && echo read-exe
	trap 'exit 9' TERM; while true; do sleep 0.05; done`

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
	// It hands over once Start has returned.
	got, err := "", error(nil)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && got != exe; time.Sleep(10 * time.Millisecond) {
		got, err = os.Readlink(fmt.Sprintf("/proc/%d/exe", st.Pid))
	}
	if got != exe {
		t.Errorf("PID 1 runs %q (%v), want %q", got, err, exe)
	}
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
