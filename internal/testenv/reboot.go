package testenv

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/nftables"
	"github.com/google/nftables/userdata"
	"github.com/vishvananda/netlink"

	"github.com/stackorch/stack/internal/owner"
)

// Reboot does to the stack root at root what a reboot of the machine
// would: every process of it is killed, its mounts, cgroups, links and
// nftables rules go, and so does its run directory (root/run, volatile
// like /run). Only root's things are touched.
func Reboot(t testing.TB, root string) {
	t.Helper()
	ids := ContainerIDs(root)
	// A monitor not yet killed may restart a container whose process was:
	// the processes are looked for again until none is left.
	deadline := time.Now().Add(10 * time.Second)
	for killed := true; killed && time.Now().Before(deadline); {
		killed = false
		var pids []int
		procs, _ := filepath.Glob("/proc/[0-9]*")
		for _, p := range procs {
			pid, _ := strconv.Atoi(filepath.Base(p))
			cmd, _ := os.ReadFile(p + "/cmdline")
			cg, _ := os.ReadFile(p + "/cgroup")
			if pid != os.Getpid() && alive(pid) && (bytes.Contains(cmd, []byte(root)) || slices.ContainsFunc(ids, func(id string) bool {
				return bytes.Contains(cg, []byte("/stack/"+id))
			})) {
				syscall.Kill(pid, syscall.SIGKILL)
				pids = append(pids, pid)
				killed = true
			}
		}
		for _, pid := range pids {
			for alive(pid) && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
		}
	}
	if data, err := os.ReadFile("/proc/self/mountinfo"); err == nil {
		var points []string
		for _, line := range strings.Split(string(data), "\n") {
			if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], root) {
				points = append(points, f[4])
			}
		}
		slices.Reverse(points) // the last mounted first
		for _, m := range points {
			syscall.Unmount(m, syscall.MNT_DETACH)
		}
	}
	for _, id := range ids {
		dirs, _ := filepath.Glob("/sys/fs/cgroup/*/stack/" + id)
		more, _ := filepath.Glob("/sys/fs/cgroup/stack/" + id)
		for _, d := range append(dirs, more...) {
			if err := os.Remove(d); err != nil && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("reboot: remove cgroup: %v", err)
			}
		}
	}
	links, _ := netlink.LinkList()
	for _, l := range links {
		if a := l.Attrs(); a.Group == owner.Group(root) || owner.Owns(a.Alias, root) {
			netlink.LinkDel(l)
		}
	}
	dropRules(t, root)
	if err := os.RemoveAll(filepath.Join(root, "run")); err != nil {
		t.Errorf("reboot: remove the run directory: %v", err)
	}
}

// alive reports whether pid runs (a zombie does not).
func alive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(data)
	return !strings.HasPrefix(s[strings.LastIndexByte(s, ')')+1:], " Z")
}

// dropRules deletes root's rules from stack's nftables table.
func dropRules(t testing.TB, root string) {
	c, err := nftables.New()
	if err != nil {
		t.Errorf("reboot: nftables: %v", err)
		return
	}
	table := &nftables.Table{Name: "stack", Family: nftables.TableFamilyIPv4}
	chains, _ := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	for _, ch := range chains {
		if ch.Table.Name != table.Name {
			continue
		}
		rules, _ := c.GetRules(table, ch)
		for _, r := range rules {
			if tag, _ := userdata.GetString(r.UserData, userdata.TypeComment); owner.Owns(tag, root) {
				c.DelRule(r)
			}
		}
	}
	if err := c.Flush(); err != nil {
		t.Errorf("reboot: delete rules: %v", err)
	}
}
