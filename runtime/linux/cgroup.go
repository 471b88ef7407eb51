package linux

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// The engine makes a container's cgroup, with its limits, through
// runtime/linux/limits before it starts the monitor (see Options.Limits).
// The monitor, and exec, only use its files: join, freeze, read OOM kills
// and remove it. They link no cgroups library, which a process per
// container would pay for.

// cgroupRoot is where the cgroup file systems are mounted.
const cgroupRoot = "/sys/fs/cgroup"

// cgroupParent is where every container's cgroup lives, in each hierarchy.
const cgroupParent = "/stack"

func cgroupPath(id string) string { return cgroupParent + "/" + id }

// cgroupHierarchies are the v1 hierarchies a container's cgroup can be in
// (those runtime/linux/limits joins).
var cgroupHierarchies = []string{"memory", "cpu", "cpuacct", "pids", "freezer", "devices", "cpuset"}

// cgroupV2 reports whether the host has cgroup v2 alone (a hybrid host's
// controllers are v1's).
var cgroupV2 = sync.OnceValue(func() bool {
	var st unix.Statfs_t
	return unix.Statfs(cgroupRoot, &st) == nil && st.Type == unix.CGROUP2_SUPER_MAGIC
})

// cgroup is a container's cgroup by its directories: one per v1 hierarchy
// it is in, or v2's one.
type cgroup struct {
	path string // under each hierarchy: /stack/<id>
	v2   bool
	dirs []string
}

// loadCgroup finds the container's cgroup, or returns nil when no
// hierarchy has it. It looks at each path: a glob would list every
// container's cgroup.
func loadCgroup(id string) *cgroup {
	c := &cgroup{path: cgroupPath(id), v2: cgroupV2()}
	if c.v2 {
		c.dirs = existingDirs([]string{filepath.Join(cgroupRoot, c.path)})
	} else {
		var dirs []string
		for _, h := range cgroupHierarchies {
			dirs = append(dirs, filepath.Join(cgroupRoot, h, c.path))
		}
		c.dirs = existingDirs(dirs)
	}
	if len(c.dirs) == 0 {
		return nil
	}
	return c
}

// existingDirs are those of dirs that exist, each directory once (cpu and
// cpuacct can be one hierarchy, mounted at both names).
func existingDirs(dirs []string) []string {
	var out []string
	var seen []os.FileInfo
	for _, d := range dirs {
		fi, err := os.Stat(d)
		if err != nil || slices.ContainsFunc(seen, func(s os.FileInfo) bool { return os.SameFile(s, fi) }) {
			continue
		}
		seen = append(seen, fi)
		out = append(out, d)
	}
	return out
}

// tasksFiles are the v1 "tasks" files of the cgroup in every hierarchy it
// has (nil on v2).
func (c *cgroup) tasksFiles() []string {
	if c.v2 {
		return nil
	}
	var out []string
	for _, d := range c.dirs {
		out = append(out, filepath.Join(d, "tasks"))
	}
	return out
}

// v2fd opens the cgroup's directory on v2 for CLONE_INTO_CGROUP, or
// returns nil on v1.
func (c *cgroup) v2fd() (*os.File, error) {
	if !c.v2 {
		return nil, nil
	}
	return os.Open(c.dirs[0])
}

// oomKills is how many processes the kernel's OOM killer has killed in the
// cgroup so far.
func (c *cgroup) oomKills() uint64 {
	path := filepath.Join(cgroupRoot, "memory", c.path, "memory.oom_control")
	if c.v2 {
		path = filepath.Join(c.dirs[0], "memory.events")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "oom_kill "); ok {
			n, _ := strconv.ParseUint(v, 10, 64)
			return n
		}
	}
	return 0
}

// ownTasksFiles are the v1 "tasks" files of the cgroups the calling process
// is in, in the hierarchies of paths (as tasksFiles gives them).
func ownTasksFiles(paths []string) []string {
	data, _ := os.ReadFile("/proc/self/cgroup")
	own := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		if parts := strings.SplitN(line, ":", 3); len(parts) == 3 {
			for _, name := range strings.Split(parts[1], ",") {
				own[name] = parts[2]
			}
		}
	}
	var out []string
	for _, p := range paths {
		name := strings.Split(strings.TrimPrefix(p, cgroupRoot+"/"), "/")[0]
		out = append(out, filepath.Join(cgroupRoot, name, own[name], "tasks"))
	}
	return out
}

// joinSelf moves the calling thread into the cgroups whose tasks files are
// open in files, so that what it forks or execs next starts there. A
// thread that moves itself ("0") spares the kernel the global lock and the
// RCU grace period that moving a whole process costs on cgroup v1: that
// wait was most of a container's start time.
func joinSelf(files []*os.File) error {
	for _, f := range files {
		if _, err := f.WriteString("0"); err != nil {
			return fmt.Errorf("join cgroup %q: %w", filepath.Dir(f.Name()), err)
		}
	}
	return nil
}

// openTasks opens tasks files for joinSelf.
func openTasks(paths []string) ([]*os.File, error) {
	var out []*os.File
	for _, p := range paths {
		f, err := os.OpenFile(p, os.O_WRONLY, 0)
		if err != nil {
			closeAll(out)
			return nil, fmt.Errorf("open cgroup: %w", err)
		}
		out = append(out, f)
	}
	return out, nil
}

func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}
