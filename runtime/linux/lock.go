package linux

import (
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// lockMonitor takes the container's monitor lock, held for the monitor's
// whole life: the kernel drops it when the monitor dies however it dies, so
// others can tell a live monitor from a dead one without trusting pids.
func lockMonitor(path string) (*os.File, bool, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		return nil, false, nil
	}
	return f, true, nil
}

// lockMonitorAfter takes the lock like lockMonitor, trying again for a
// moment: monitorAlive's probes hold it shared for an instant, and a
// monitor on its way out (leaving: its container ended for good) only has
// its last writes to make before it lets go, so for that one up to wait.
func lockMonitorAfter(path string, wait time.Duration, leaving func() bool) (*os.File, bool, error) {
	start := time.Now()
	for {
		f, ok, err := lockMonitor(path)
		if ok || err != nil {
			return f, ok, err
		}
		if waited := time.Since(start); waited > wait || waited > probeHold && !leaving() {
			return nil, false, nil
		}
		time.Sleep(time.Millisecond)
	}
}

// probeHold is longer than any monitorAlive probe holds the lock.
const probeHold = 100 * time.Millisecond

// monitorAlive reports whether a monitor holds the lock at path.
func monitorAlive(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_SH|unix.LOCK_NB); err != nil {
		return err == unix.EWOULDBLOCK
	}
	return false
}

// awaitUnlocked waits up to timeout until no monitor holds the lock at
// path, and reports whether none does. A shared lock asked for without
// LOCK_NB is granted the instant the monitor's process ends, so this wakes
// at once rather than on a poll's tick; it is let go as soon as it is had.
// Past the timeout the request stays queued in its goroutine, and goes
// with the monitor.
func awaitUnlocked(path string, timeout time.Duration) bool {
	f, err := os.Open(path)
	if err != nil {
		return true
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer f.Close()
		for unix.Flock(int(f.Fd()), unix.LOCK_SH) == unix.EINTR {
		}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		return false
	}
}
