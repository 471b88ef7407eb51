// Package reaper is what stays of a container's init once its service
// runs: forward every signal to the service, reap every child, and exit
// with the service's status. Init reaps with it in place when there is no
// lean init; cmd/stack-init, which init execs into once the service is
// forked, is this package's Main wherever it is not assembly (amd64). It
// imports nothing of stack's and little of Go's, so that such a
// cmd/stack-init costs a container as little memory as a Go process can.
package reaper

import (
	"os"
	"os/signal"
	"syscall"
)

// Signals starts receiving every signal a process can catch: call it
// before the service is forked, so that none is lost.
func Signals() chan os.Signal {
	c := make(chan os.Signal, 64)
	signal.Notify(c)
	return c
}

// Reap forwards every signal from sigs to service, reaps every child, and
// returns the service's exit code once it exits (128+n when signal n
// killed it, as Docker reports).
func Reap(service int, sigs <-chan os.Signal) int {
	for {
		if code, done := reapAll(service); done {
			return code
		}
		sig := (<-sigs).(syscall.Signal)
		switch sig {
		case syscall.SIGCHLD, syscall.SIGURG: // SIGURG: Go's own preemption
		default:
			syscall.Kill(service, sig)
		}
	}
}

// reapAll collects every exited child; done reports the service was one.
func reapAll(service int) (code int, done bool) {
	for {
		var ws syscall.WaitStatus
		pid, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return 0, false
		}
		if pid == service {
			return ExitCode(ws), true
		}
	}
}

// ExitCode is a wait status as Docker reports it: the exit status, or
// 128+n for a process that signal n killed.
func ExitCode(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}
