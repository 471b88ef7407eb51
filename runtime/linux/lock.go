package linux

import (
	"os"

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
