package linux

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stackorch/stack/runtime"
)

func TestRestartOnFailureStopsAfterMaxRetries(t *testing.T) {
	e := newEngine(t)
	spec := sh("t-restart-1", "echo run; exit 1")
	spec.Restart = runtime.RestartPolicy{Name: "on-failure", MaxRetries: 2}
	st := run(t, e, spec)
	st = waitExit(t, e, st.ID)
	if st.RestartCount != 2 || st.ExitCode != 1 {
		t.Fatalf("restarts %d exit %d, want 2 and 1", st.RestartCount, st.ExitCode)
	}
	if n := strings.Count(logText(t, e, st.ID), `"log":"run\n"`); n != 3 {
		t.Errorf("ran %d times, want 3", n)
	}
}

func TestRestartAlwaysIsStoppedByStop(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	spec := sh("t-restart-2", "sleep 0.05")
	spec.Restart = runtime.RestartPolicy{Name: "always"}
	st := run(t, e, spec)
	deadline := time.Now().Add(20 * time.Second)
	for {
		s, _ := e.Inspect(ctx, st.ID)
		if s.RestartCount >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("never restarted: %+v", s)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := e.Stop(ctx, st.ID, time.Second); err != nil {
		t.Fatal(err)
	}
	st = waitExit(t, e, st.ID)
	n := st.RestartCount
	time.Sleep(300 * time.Millisecond)
	if s, _ := e.Inspect(ctx, st.ID); s.Status != runtime.StatusExited || s.RestartCount != n {
		mlog, _ := os.ReadFile(filepath.Join(e.o.Paths.container(st.ID), "monitor.log"))
		t.Fatalf("restarted after stop: %+v\nmonitor log:\n%s", s, mlog)
	}
}

func TestStopSendsStopSignalThenKills(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	// Exits 143 on TERM when it may handle it.
	st := run(t, e, sh("t-stop-1", "sleep 30"))
	if err := e.Stop(ctx, st.ID, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if st, _ = e.Inspect(ctx, st.ID); st.ExitCode != 143 {
		t.Errorf("TERM: exit %d, want 143", st.ExitCode)
	}
	// stop_signal honoured.
	spec := sh("t-stop-2", "trap 'echo got-usr1; exit 7' USR1; while true; do sleep 0.05; done")
	spec.StopSignal = "SIGUSR1"
	st = run(t, e, spec)
	time.Sleep(100 * time.Millisecond) // let the shell install its trap
	if err := e.Stop(ctx, st.ID, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	if st, _ = e.Inspect(ctx, st.ID); st.ExitCode != 7 {
		t.Errorf("stop_signal: exit %d, want 7", st.ExitCode)
	}
	// A process ignoring the signal is killed after the grace period.
	off := false
	spec = sh("t-stop-3", "trap '' TERM; while true; do sleep 0.05; done")
	spec.Init = &off
	st = run(t, e, spec)
	if err := e.Stop(ctx, st.ID, 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if st, _ = e.Inspect(ctx, st.ID); st.ExitCode != 137 {
		t.Errorf("ignoring TERM: exit %d, want 137", st.ExitCode)
	}
}

func TestKilledMonitorIsReportedAndStartRepairs(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	st := run(t, e, sh("t-monitor-1", "echo before; sleep 30"))
	var s status
	if err := jsonUnmarshal(readFile(t, e.o.Paths.stateFile(st.ID)), &s); err != nil {
		t.Fatal(err)
	}
	initPid := s.Pid
	for !strings.Contains(logText(t, e, st.ID), "before") {
		time.Sleep(10 * time.Millisecond)
	}
	if err := syscall.Kill(s.Monitor, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for monitorAlive(e.o.Paths.lockFile(st.ID)) {
		time.Sleep(10 * time.Millisecond)
	}
	st, _ = e.Inspect(ctx, st.ID)
	if st.Status != runtime.StatusDead || !strings.Contains(st.Error, "monitor") {
		t.Fatalf("after monitor kill: %s %q", st.Status, st.Error)
	}
	// The container died with its monitor: nothing runs unaccounted for.
	deadline := time.Now().Add(5 * time.Second)
	for processExists(initPid) {
		if time.Now().After(deadline) {
			t.Fatalf("init %d outlived its monitor", initPid)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(logText(t, e, st.ID), "before") {
		t.Error("logs before the kill were lost")
	}
	if err := e.Start(ctx, st.ID); err != nil {
		t.Fatalf("start after monitor kill: %v", err)
	}
	if st, _ = e.Inspect(ctx, st.ID); st.Status != runtime.StatusRunning {
		t.Fatalf("not repaired: %s", st.Status)
	}
}

func processExists(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	// A zombie waiting for its parent counts as gone.
	f := strings.Fields(string(data))
	return len(f) > 2 && f[2] != "Z"
}

func TestHealthcheckBecomesHealthyOrUnhealthy(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	spec := sh("t-health-1", "sleep 0.3; touch /tmp/ready; sleep 30")
	spec.Healthcheck = &runtime.Healthcheck{Test: []string{"CMD", "test", "-e", "/tmp/ready"}, Interval: 50 * time.Millisecond, Retries: 100}
	st := run(t, e, spec)
	if st.Health != runtime.HealthStarting {
		t.Errorf("health at start = %q, want starting", st.Health)
	}
	wctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if st, _ = e.Wait(wctx, st.ID, runtime.UntilHealthy); st.Health != runtime.HealthHealthy {
		t.Fatalf("health = %q, want healthy; state %s", st.Health, readFile(t, e.o.Paths.stateFile(st.ID)))
	}
	spec = sh("t-health-2", "sleep 30")
	spec.Healthcheck = &runtime.Healthcheck{Test: []string{"CMD-SHELL", "exit 1"}, Interval: 30 * time.Millisecond, Retries: 2}
	st = run(t, e, spec)
	if st, _ = e.Wait(wctx, st.ID, runtime.UntilHealthy); st.Health != runtime.HealthUnhealthy {
		t.Fatalf("health = %q, want unhealthy", st.Health)
	}
}

func TestExecJoinsTheContainer(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	spec := sh("t-exec-1", "sleep 30")
	spec.Hostname = "inside"
	spec.Env = []string{"SVC=1"}
	st := run(t, e, spec)
	r, w, _ := os.Pipe()
	in, inW, _ := os.Pipe()
	inW.WriteString("from-stdin\n")
	inW.Close()
	code, err := e.Exec(ctx, st.ID, Process{
		Args: []string{"sh", "-c", "hostname; echo $SVC $EXTRA; id -u; pwd; cat; ls /proc | grep -c '^[0-9]'; grep CapEff /proc/self/status; exit 5"},
		Env:  []string{"EXTRA=2"}, User: "app", WorkingDir: "/tmp", Stdin: in, Stdout: w, Stderr: w,
	})
	w.Close()
	in.Close()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, 4096)
	n, _ := r.Read(out)
	got := string(out[:n])
	if code != 5 {
		t.Errorf("exit code %d, want 5", code)
	}
	for _, want := range []string{"inside\n", "1 2\n", "1000\n", "/tmp\n", "from-stdin\n", "CapEff:\t0000000000000000"} {
		if !strings.Contains(got, want) {
			t.Errorf("exec output %q lacks %q", got, want)
		}
	}
}

func TestPauseFreezesAndUnpauseThaws(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	st := run(t, e, sh("t-pause-1", "while true; do echo tick; sleep 0.02; done"))
	if err := e.Pause(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	if s, _ := e.Inspect(ctx, st.ID); s.Status != runtime.StatusPaused {
		t.Fatalf("status %s, want paused", s.Status)
	}
	time.Sleep(50 * time.Millisecond)
	before := strings.Count(logText(t, e, st.ID), "tick")
	time.Sleep(200 * time.Millisecond)
	if after := strings.Count(logText(t, e, st.ID), "tick"); after != before {
		t.Errorf("paused container logged %d more lines", after-before)
	}
	if err := e.Unpause(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if after := strings.Count(logText(t, e, st.ID), "tick"); after == before {
		t.Error("unpaused container does not run")
	}
}

func TestRemoveRefusesRunningUnlessForced(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	st := run(t, e, sh("t-rm-1", "sleep 30"))
	if err := e.Remove(ctx, st.ID, false); err == nil || !strings.Contains(err.Error(), "running") {
		t.Fatalf("remove running: %v", err)
	}
	if err := e.Remove(ctx, "t-rm-1", true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Inspect(ctx, st.ID); err == nil {
		t.Fatal("still there after remove")
	}
	if _, err := e.Create(ctx, runtime.Spec{Name: "t-rm-1", Image: "busybox", Command: []string{"true"}}); err != nil {
		t.Fatalf("name not freed: %v", err)
	}
}

func TestManyContainersStartStopAndRemoveCleanly(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	var ids []string
	for i := 0; i < 20; i++ {
		st := run(t, e, runtime.Spec{Name: "t-many-" + strconv.Itoa(i), Command: []string{"sleep", "300"}})
		ids = append(ids, st.ID)
	}
	for _, id := range ids {
		if err := e.Stop(ctx, id, 0); err != nil {
			t.Fatal(err)
		}
		if st, _ := e.Inspect(ctx, id); st.Status != runtime.StatusExited {
			t.Fatalf("%s after stop: %s", st.Name, st.Status)
		}
		if err := e.Remove(ctx, id, false); err != nil {
			t.Fatal(err)
		}
	}
}

func TestTtyServiceAndExecGetATerminalInsideTheContainer(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	for _, init := range []bool{true, false} {
		spec := sh("t-tty-"+strconv.FormatBool(init), "tty; echo TERM=$TERM; sleep 30")
		spec.Tty, spec.Init = true, &init
		st := run(t, e, spec)
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(logText(t, e, st.ID), "TERM=") && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		log := logText(t, e, st.ID)
		if !strings.Contains(log, `"log":"/dev/pts/0\r\n","stream":"stdout"`) || !strings.Contains(log, "TERM=xterm") {
			t.Fatalf("init=%v: tty service log: %s", init, log)
		}
		r, w, _ := os.Pipe()
		code, err := e.Exec(ctx, st.ID, Process{Args: []string{"tty"}, Tty: true, Stdout: w})
		w.Close()
		out := make([]byte, 256)
		n, _ := r.Read(out)
		if err != nil || code != 0 || !strings.HasPrefix(string(out[:n]), "/dev/pts/") {
			t.Fatalf("init=%v: exec -t tty: %q code %d err %v", init, out[:n], code, err)
		}
		if err := e.Stop(ctx, st.ID, time.Second); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAServiceThatExitsAtOnceIsRecordedExitedNotDead(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	for i := 0; i < 15; i++ {
		st := run(t, e, runtime.Spec{Name: "t-quick-" + strconv.Itoa(i), Command: []string{"true"}})
		waitExit(t, e, st.ID)
		e.awaitMonitorExit(st.ID)
		if st, _ = e.Inspect(ctx, st.ID); st.Status != runtime.StatusExited || st.ExitCode != 0 {
			t.Fatalf("run %d: %s (exit %d, %q), want exited 0", i, st.Status, st.ExitCode, st.Error)
		}
		if st.FinishedAt.Before(st.StartedAt) {
			t.Fatalf("run %d: finished %v before it started %v", i, st.FinishedAt, st.StartedAt)
		}
	}
}

// The moment a container has exited, its monitor may still be making its
// last writes: starting the container again then waits for it rather than
// failing with "it already has a monitor".
func TestStartRightAfterAnExitWaitsForTheLeavingMonitor(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	st := run(t, e, sh("t-restart-quick", "true"))
	for i := 0; i < 20; i++ {
		for s, _ := e.Inspect(ctx, st.ID); s.Running(); s, _ = e.Inspect(ctx, st.ID) {
			time.Sleep(time.Millisecond) // as up sees it: the state says exited
		}
		if err := e.Start(ctx, st.ID); err != nil {
			t.Fatalf("start %d right after the exit: %v", i+2, err)
		}
	}
	waitExit(t, e, st.ID)
}
