package testenv

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// CheckNoLeaks fails the test if anything of the stack root at root is
// left on the machine: a mount under it, a process naming it (monitors
// carry their root in their arguments), or a cgroup of one of ids.
func CheckNoLeaks(t testing.TB, root string, ids ...string) {
	t.Helper()
	// Processes exit asynchronously after a stop: give them a moment.
	deadline := time.Now().Add(5 * time.Second)
	for {
		leaks := findLeaks(root, ids)
		if len(leaks) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("left behind:\n  %s", strings.Join(leaks, "\n  "))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func findLeaks(root string, ids []string) []string {
	var leaks []string
	if data, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if strings.Contains(line, root) {
				leaks = append(leaks, "mount: "+line)
			}
		}
	}
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		data, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(data, []byte(root)) {
			continue
		}
		leaks = append(leaks, "process "+filepath.Base(filepath.Dir(p))+": "+strings.ReplaceAll(string(data), "\x00", " "))
	}
	for _, id := range ids {
		dirs, _ := filepath.Glob("/sys/fs/cgroup/*/stack/" + id)
		more, _ := filepath.Glob("/sys/fs/cgroup/stack/" + id)
		for _, d := range append(dirs, more...) {
			leaks = append(leaks, "cgroup: "+d)
		}
	}
	return leaks
}
