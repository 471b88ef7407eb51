package linux

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// freeze stops every process of the cgroup, and returns once all are.
func (c *cgroup) freeze() error { return c.setFrozen(true) }

// thaw lets the cgroup's processes run again.
func (c *cgroup) thaw() error { return c.setFrozen(false) }

// freezeTimeout bounds the wait for the kernel to freeze or thaw every
// process (a process in an uninterruptible sleep holds a v1 freeze up).
const freezeTimeout = 10 * time.Second

// setFrozen asks the kernel to freeze or thaw the cgroup and waits until
// it says it has: v1's freezer.state reads FREEZING meanwhile, v2's
// cgroup.events says "frozen 1" once done. The request is written again
// at each look, as a v1 freeze that met a forking process needs.
func (c *cgroup) setFrozen(on bool) error {
	dir := filepath.Join(cgroupRoot, "freezer", c.path)
	file, value, events, want := "freezer.state", "THAWED", "freezer.state", "THAWED"
	if on {
		value, want = "FROZEN", "FROZEN"
	}
	if c.v2 {
		dir, file, value, events, want = c.dirs[0], "cgroup.freeze", "0", "cgroup.events", "frozen 0"
		if on {
			value, want = "1", "frozen 1"
		}
	}
	op := map[bool]string{true: "freeze", false: "thaw"}[on]
	deadline := time.Now().Add(freezeTimeout)
	for wait := 100 * time.Microsecond; ; wait = min(2*wait, 10*time.Millisecond) {
		if err := os.WriteFile(filepath.Join(dir, file), []byte(value), 0); err != nil {
			return fmt.Errorf("%s cgroup: %w", op, err)
		}
		data, err := os.ReadFile(filepath.Join(dir, events))
		if err != nil {
			return fmt.Errorf("%s cgroup: %w", op, err)
		}
		for _, line := range bytes.Split(data, []byte("\n")) {
			if string(bytes.TrimSpace(line)) == want {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s cgroup %q: not done after %v", op, dir, freezeTimeout)
		}
		time.Sleep(wait)
	}
}
