package linux

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackorch/stack/internal/testenv"
	"github.com/stackorch/stack/runtime"
)

func TestAttachFeedsStdinAndStdinOnceEndsIt(t *testing.T) {
	e := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	spec := sh("t-attach-1", "echo before; cat; echo after >&2")
	spec.StdinOpen, spec.StdinOnce = true, true
	st := run(t, e, spec)
	var out, errOut bytes.Buffer
	err := e.Attach(ctx, st.ID, AttachOptions{Stdin: strings.NewReader("one\ntwo\n"), Stdout: &out, Stderr: &errOut})
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "before\none\ntwo\n" || errOut.String() != "after\n" {
		t.Errorf("stdout %q, stderr %q", out.String(), errOut.String())
	}
	if st = waitExit(t, e, st.ID); st.ExitCode != 0 {
		t.Errorf("exit code %d", st.ExitCode)
	}
	if log := logText(t, e, st.ID); !strings.Contains(log, `"log":"two\n","stream":"stdout"`) {
		t.Errorf("the output is not logged: %s", log)
	}
}

// Without StdinOnce (stdin_open in a compose file) the service's stdin
// stays open when a client goes: `sh` waits for the next one.
func TestStdinOpenKeepsTheServiceWaitingForInput(t *testing.T) {
	e := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	spec := sh("t-attach-2", "cat")
	spec.StdinOpen = true
	st := run(t, e, spec)
	attached := make(chan error, 1)
	var out testenv.Buffer
	go func() {
		attached <- e.Attach(ctx, st.ID, AttachOptions{Stdin: strings.NewReader("hi\n"), Stdout: &out})
	}()
	deadline := time.Now().Add(10 * time.Second)
	for out.String() != "hi\n" && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got, _ := e.Inspect(ctx, st.ID); got.Status != runtime.StatusRunning || out.String() != "hi\n" {
		t.Fatalf("after the client's input ended: %s, output %q", got.Status, out.String())
	}
	if err := e.Stop(ctx, st.ID, time.Second); err != nil {
		t.Fatal(err)
	}
	if err := <-attached; err != nil {
		t.Errorf("attach ended with %v when the container stopped", err)
	}
}

func TestAttachToATerminalRunsAnInteractiveShell(t *testing.T) {
	e := newEngine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	spec := runtime.Spec{Name: "t-attach-3", Image: "busybox", Command: []string{"sh"}, Tty: true, StdinOpen: true, StdinOnce: true}
	st := run(t, e, spec)
	if err := e.Resize(ctx, st.ID, 33, 111); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	in := strings.NewReader("stty size; echo $((6*7)); exit 5\n")
	if err := e.Attach(ctx, st.ID, AttachOptions{Stdin: in, Stdout: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "33 111\r\n") || !strings.Contains(out.String(), "42\r\n") {
		t.Errorf("terminal output %q", out.String())
	}
	if st = waitExit(t, e, st.ID); st.ExitCode != 5 {
		t.Errorf("exit code %d", st.ExitCode)
	}
}

func TestAttachToAStoppedContainerSaysItIsNotRunning(t *testing.T) {
	e := newEngine(t)
	st := run(t, e, sh("t-attach-4", "true"))
	waitExit(t, e, st.ID)
	err := e.Attach(context.Background(), st.ID, AttachOptions{Stdout: &bytes.Buffer{}})
	if err == nil || !strings.Contains(err.Error(), "not running") {
		t.Errorf("attach to an exited container: %v", err)
	}
}
