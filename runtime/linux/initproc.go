package linux

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// forkInit starts init from the calling thread, with stdin (nil: none),
// stdout, stderr and the sync socket as fd 3, cloned into new namespaces
// (clone) and, on cgroup v2, born in the container's cgroup (cgfd).
func forkInit(clone uintptr, cgfd, stdin, stdout, stderr, sync *os.File) (int, error) {
	if stdin == nil {
		null, err := os.Open(os.DevNull)
		if err != nil {
			return 0, err
		}
		defer null.Close()
		stdin = null
	}
	sys := &syscall.SysProcAttr{Cloneflags: clone, Pdeathsig: syscall.SIGKILL}
	if cgfd != nil {
		sys.UseCgroupFD, sys.CgroupFD = true, int(cgfd.Fd())
	}
	return syscall.ForkExec("/proc/self/exe", []string{"stack", "init"}, &syscall.ProcAttr{
		Env:   []string{reexecEnv + "=init", "GOMAXPROCS=1"},
		Files: []uintptr{stdin.Fd(), stdout.Fd(), stderr.Fd(), sync.Fd()},
		Sys:   sys,
	})
}

// reapChild waits for the child pid to end, reaps it and returns how it
// ended (ok false: it could not be reaped). It waits through the poller,
// on the child's pidfd: a wait blocked in the kernel would hold the
// monitor's one P, and the start going on beside it would wait for sysmon
// to take the P back (up to a millisecond). Without pidfds it blocks.
func reapChild(pid int) (ws unix.WaitStatus, ok bool) {
	reap := func(flags int) (done bool) {
		for {
			wpid, err := unix.Wait4(pid, &ws, flags, nil)
			if err == unix.EINTR {
				continue
			}
			ok = err == nil && wpid == pid
			return ok || err != nil
		}
	}
	if fd, err := unix.PidfdOpen(pid, 0); err == nil {
		unix.SetNonblock(fd, true) // so that os.NewFile hands it to the poller
		f := os.NewFile(uintptr(fd), "pidfd")
		defer f.Close()
		if rc, err := f.SyscallConn(); err == nil {
			done := false
			rc.Read(func(uintptr) bool {
				done = reap(unix.WNOHANG)
				return done
			})
			if done {
				return ws, ok
			}
		}
	}
	reap(0)
	return ws, ok
}
