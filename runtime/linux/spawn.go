package linux

import (
	"os"
	goruntime "runtime"

	"golang.org/x/sys/unix"
)

// forkOnLastingThread runs fork, which starts a run's init, on a thread
// that outlives the run: init's parent-death signal fires when the thread
// that forked it exits, not only the monitor. Without namespaces to join,
// that is the calling goroutine's: the monitor's main goroutine, locked to
// the main thread, which lives as long as the monitor (see monitorMain),
// so a run costs no thread. Joining another container's namespaces taints
// a thread: a locked goroutine joins and forks, and keeps its thread until
// exited is closed, when the thread ends with it.
func forkOnLastingThread(join []*os.File, exited <-chan struct{}, fork func() (int, error)) (int, error) {
	if len(join) == 0 {
		return fork()
	}
	type result struct {
		pid int
		err error
	}
	started := make(chan result, 1)
	go func() {
		goruntime.LockOSThread() // never unlocked: the thread ends with the run
		for _, f := range join {
			if err := unix.Setns(int(f.Fd()), 0); err != nil {
				started <- result{0, err}
				return
			}
		}
		pid, err := fork()
		started <- result{pid, err}
		if err == nil {
			<-exited
		}
	}()
	r := <-started
	return r.pid, r.err
}

// awaitReadable waits in the poller until f has something to read or has
// ended, and reads nothing; an error if f is not in the poller.
func awaitReadable(f *os.File) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	return rc.Read(func(fd uintptr) bool {
		// Ready already, or wait: the poller forgets, as Read starts,
		// what it saw before.
		n, _ := unix.Poll([]unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}, 0)
		return n != 0
	})
}
