package linux

import (
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// initSignals receives every signal init gets once it has a service.
var initSignals = make(chan os.Signal, 64)

// reap is init's life after the service started: forward every signal to
// the service, reap every child, and return the service's exit code when it
// exits (128+n when a signal killed it, as Docker reports).
func reap(service int) int {
	for {
		if code, done := reapAll(service); done {
			return code
		}
		sig := (<-initSignals).(syscall.Signal)
		switch sig {
		case syscall.SIGCHLD, syscall.SIGURG: // SIGURG: Go's own preemption
		default:
			unix.Kill(service, sig)
		}
	}
}

// reapAll collects every exited child; done reports the service was one.
func reapAll(service int) (code int, done bool) {
	for {
		var ws unix.WaitStatus
		pid, err := unix.Wait4(-1, &ws, unix.WNOHANG, nil)
		if err == unix.EINTR {
			continue
		}
		if err != nil || pid <= 0 {
			return 0, false
		}
		if pid == service {
			return exitCode(ws), true
		}
	}
}

func exitCode(ws unix.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

// threadSetgroups sets the supplementary groups of the calling thread only
// (the libc and Go wrappers change every thread).
func threadSetgroups(groups []uint32) error {
	var p unsafe.Pointer
	if len(groups) > 0 {
		p = unsafe.Pointer(&groups[0])
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(groups)), uintptr(p), 0); e != 0 {
		return e
	}
	return nil
}
