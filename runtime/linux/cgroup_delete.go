package linux

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
)

// deleteTimeout bounds how long delete waits for the cgroup's last
// processes to leave it.
const deleteTimeout = 500 * time.Millisecond

// delete removes the cgroup's directories. The kernel refuses (EBUSY)
// while a process is still in one, as the container's last ones may be
// for a moment after its init is reaped: it tries again, briefly.
func (c *cgroup) delete() error {
	deadline := time.Now().Add(deleteTimeout)
	for _, d := range c.dirs {
		for wait := 200 * time.Microsecond; ; wait = min(2*wait, 20*time.Millisecond) {
			err := unix.Rmdir(d)
			if err == nil || errors.Is(err, unix.ENOENT) {
				break
			}
			if !errors.Is(err, unix.EBUSY) || time.Now().After(deadline) {
				return fmt.Errorf("remove cgroup %q: %w", d, err)
			}
			time.Sleep(wait)
		}
	}
	return nil
}

// removeCgroupParents removes the /stack directory of every hierarchy that
// holds no container's cgroup any more; a busy one (EBUSY) stays. It runs
// where a container is removed, not at every monitor's exit: most tries
// meet another container's cgroup.
func removeCgroupParents() {
	if cgroupV2() {
		unix.Rmdir(cgroupRoot + cgroupParent)
		return
	}
	for _, h := range cgroupHierarchies {
		unix.Rmdir(filepath.Join(cgroupRoot, h) + cgroupParent)
	}
}
