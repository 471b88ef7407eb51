package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/stackorch/stack/internal/testenv"
	"golang.org/x/sys/unix"
)

func TestRunPassesStdinToTheOneOffAndClosesItAtItsEnd(t *testing.T) {
	t.Parallel()
	p := newProject(t, withDeps)
	cmd := exec.Command(stackBin, "run", "--rm", "--no-deps", "app", "sh", "-c", `while read l; do echo "got $l"; done; echo end >&2; exit 7`)
	cmd.Dir, cmd.Env = p.dir, p.env()
	cmd.Stdin = strings.NewReader("one\ntwo\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.ProcessState.ExitCode() != 7 || stdout.String() != "got one\ngot two\n" || !strings.Contains(stderr.String(), "end\n") {
		t.Fatalf("run with stdin: %v, stdout %q, stderr %q", err, stdout.String(), stderr.String())
	}
}

// On a terminal, `stack run SERVICE sh` is an interactive shell on a
// terminal of the container's own, as big as stack's.
func TestRunOnATerminalIsAnInteractiveShell(t *testing.T) {
	t.Parallel()
	p := newProject(t, withDeps)
	master, slave := openTestPTY(t)
	unix.IoctlSetWinsize(int(slave.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 31, Col: 97})
	cmd := exec.Command(stackBin, "run", "--rm", "--no-deps", "app", "sh")
	cmd.Dir, cmd.Env = p.dir, append(p.env(), "TERM=xterm")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &unix.SysProcAttr{Setsid: true, Setctty: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	var out testenv.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&out, master); close(copied) }()
	waitFor := func(what string) {
		t.Helper()
		deadline := time.Now().Add(guard)
		for !strings.Contains(out.String(), what) {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("no %q on the terminal: %q", what, out.String())
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitFor("# ")
	fmt.Fprintf(master, "stty size; tty; echo $((6*7))\r")
	waitFor("42\r\n")
	fmt.Fprintf(master, "exit 4\r")
	err := cmd.Wait()
	<-copied
	if cmd.ProcessState.ExitCode() != 4 {
		t.Errorf("exit: %v", err)
	}
	if s := out.String(); !strings.Contains(s, "31 97\r\n") || !strings.Contains(s, "/dev/pts/0\r\n") {
		t.Errorf("terminal: %q", s)
	}
}

// openTestPTY opens a pseudo-terminal pair.
func openTestPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	return m, s
}
