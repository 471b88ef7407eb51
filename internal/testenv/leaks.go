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
// left on the machine: a mount under it (netns pins included), a process
// naming it (monitors carry their root in their arguments) or living in
// the cgroup of one of its containers, a cgroup directory of one of ids or
// of a container still under root, a link (bridge, veth) or an nftables
// rule the root made (internal/owner marks them) in the test's own network
// namespace. Only root's things count: other roots on the machine, other
// tests', are left alone.
func CheckNoLeaks(t testing.TB, root string, ids ...string) {
	t.Helper()
	CheckNoLeaksIn(t, root, "", ids...)
}

// CheckNoLeaksIn is CheckNoLeaks with the links and rules looked for in
// the network namespace at netns, the one that played the host ("" is the
// test's own).
func CheckNoLeaksIn(t testing.TB, root, netns string, ids ...string) {
	t.Helper()
	ids = append(ids, ContainerIDs(root)...)
	// Processes exit and links go asynchronously after a stop: give them
	// a moment.
	deadline := time.Now().Add(5 * time.Second)
	for {
		leaks := findLeaks(root, ids)
		leaks = append(leaks, netLeaks(root, netns)...)
		if len(leaks) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("left behind by %s:\n  %s", root, strings.Join(leaks, "\n  "))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// LeakCheck registers a cleanup that checks root for leaks once the test
// and the cleanups registered after this one are done: register it before
// the cleanup that removes the test's containers and networks.
func LeakCheck(t testing.TB, root string) {
	t.Helper()
	t.Cleanup(func() { CheckNoLeaks(t, root) })
}

// ContainerIDs lists the ids of the containers under root, half-removed
// ones included.
func ContainerIDs(root string) []string {
	entries, _ := os.ReadDir(filepath.Join(root, "containers"))
	var ids []string
	for _, e := range entries {
		if id := strings.TrimPrefix(e.Name(), ".removing-"); e.IsDir() && len(id) == 64 {
			ids = append(ids, id)
		}
	}
	return ids
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
	var cgroups [][]byte
	for _, id := range ids {
		cgroups = append(cgroups, []byte("/stack/"+id))
	}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, p := range procs {
		data, err := os.ReadFile(p + "/cmdline")
		if err != nil {
			continue
		}
		if bytes.Contains(data, []byte(root)) {
			leaks = append(leaks, "process "+filepath.Base(p)+": "+strings.ReplaceAll(string(data), "\x00", " "))
			continue
		}
		if len(cgroups) == 0 {
			continue
		}
		// A container's processes name nothing of the root: their cgroup does.
		cg, err := os.ReadFile(p + "/cgroup")
		if err != nil {
			continue
		}
		for _, c := range cgroups {
			if bytes.Contains(cg, c) {
				leaks = append(leaks, "process "+filepath.Base(p)+" in cgroup "+string(c)+": "+strings.ReplaceAll(string(data), "\x00", " "))
				break
			}
		}
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
