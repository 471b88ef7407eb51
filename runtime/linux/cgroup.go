package linux

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/cgroups/v3"
	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/stackorch/stack/runtime"
)

// cgroupParent is where every container's cgroup lives, in each hierarchy.
const cgroupParent = "/stack"

// cgroup is a container's cgroup, on v1 (every controller) or v2.
type cgroup struct {
	path string
	v1   cgroup1.Cgroup
	v2   *cgroup2.Manager
}

func cgroupPath(id string) string { return cgroupParent + "/" + id }

// resources converts a spec's limits to the runtime-spec form the cgroups
// library takes.
func resources(r runtime.Resources) *specs.LinuxResources {
	out := &specs.LinuxResources{}
	if r.Memory > 0 || r.MemoryReservation > 0 || r.MemorySwap != 0 {
		m := &specs.LinuxMemory{}
		if r.Memory > 0 {
			m.Limit = &r.Memory
		}
		if r.MemoryReservation > 0 {
			m.Reservation = &r.MemoryReservation
		}
		if r.MemorySwap != 0 {
			m.Swap = &r.MemorySwap
		}
		if r.OOMKillDisable {
			m.DisableOOMKiller = &r.OOMKillDisable
		}
		out.Memory = m
	}
	if r.NanoCPUs > 0 || r.CPUShares > 0 || r.CPUSet != "" || r.CPUQuota > 0 || r.CPUPeriod > 0 {
		c := &specs.LinuxCPU{Cpus: r.CPUSet}
		if r.NanoCPUs > 0 {
			period := uint64(100000)
			quota := r.NanoCPUs * int64(period) / 1e9
			c.Period, c.Quota = &period, &quota
		}
		if r.CPUPeriod > 0 {
			period := uint64(r.CPUPeriod)
			c.Period = &period
		}
		if r.CPUQuota > 0 {
			quota := r.CPUQuota
			c.Quota = &quota
		}
		if r.CPUShares > 0 {
			shares := uint64(r.CPUShares)
			c.Shares = &shares
		}
		out.CPU = c
	}
	if r.PidsLimit != 0 {
		limit := r.PidsLimit
		out.Pids = &specs.LinuxPids{Limit: &limit}
	}
	return out
}

// controllers are the v1 hierarchies a container joins: those its limits,
// stats, OOM reports, pause and device rules need, and cpuset only when it
// is pinned. Each hierarchy joined is one more cgroup migration at start.
func controllers(r runtime.Resources) cgroup1.Hierarchy {
	want := map[cgroup1.Name]bool{
		cgroup1.Memory: true, cgroup1.Cpu: true, cgroup1.Cpuacct: true, cgroup1.Pids: true,
		cgroup1.Freezer: true, cgroup1.Devices: true, cgroup1.Cpuset: r.CPUSet != "",
	}
	return func() ([]cgroup1.Subsystem, error) {
		all, err := cgroup1.Default()
		if err != nil {
			return nil, err
		}
		var out []cgroup1.Subsystem
		for _, s := range all {
			if want[s.Name()] {
				out = append(out, s)
			}
		}
		return out, nil
	}
}

// newCgroup creates the container's cgroup with its limits and device
// rules (see deviceRules). A limit the kernel refuses is an error and
// leaves nothing behind.
func newCgroup(id string, r runtime.Resources, devices []specs.LinuxDeviceCgroup) (*cgroup, error) {
	res := resources(r)
	res.Devices = devices
	if cgroups.Mode() == cgroups.Unified {
		// The library turns the rules into an eBPF device program attached
		// to the cgroup (cgroup v2 has no devices files).
		r2 := cgroup2.ToResources(res)
		r2.Devices = devices
		m, err := cgroup2.NewManager("/sys/fs/cgroup", cgroupPath(id), r2)
		if err != nil {
			return nil, err
		}
		return &cgroup{path: cgroupPath(id), v2: m}, nil
	}
	var err error
	for try := 0; try < 5; try++ {
		var cg cgroup1.Cgroup
		// The parent may be removed by another container's teardown just
		// as this one creates it: try again.
		if cg, err = cgroup1.New(cgroup1.StaticPath(cgroupPath(id)), res, cgroup1.WithHierarchy(controllers(r))); err == nil {
			return &cgroup{path: cgroupPath(id), v1: cg}, nil
		}
		if c, lerr := cgroup1.Load(cgroup1.StaticPath(cgroupPath(id))); lerr == nil {
			c.Delete()
		}
		if !errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	return nil, err
}

// loadCgroup opens an existing container cgroup, or returns nil.
func loadCgroup(id string) *cgroup {
	if !cgroupExists(id) {
		return nil // at no cost: the library reads mountinfo to find out
	}
	if cgroups.Mode() == cgroups.Unified {
		m, err := cgroup2.Load(cgroupPath(id))
		if err != nil {
			return nil
		}
		return &cgroup{path: cgroupPath(id), v2: m}
	}
	cg, err := cgroup1.Load(cgroup1.StaticPath(cgroupPath(id)), cgroup1.WithHierarchy(controllers(runtime.Resources{CPUSet: "any"})))
	if err != nil {
		return nil
	}
	return &cgroup{path: cgroupPath(id), v1: cg}
}

// cgroupExists reports whether any hierarchy has the container's cgroup.
// It looks at each path: a glob would list every container's cgroup.
func cgroupExists(id string) bool {
	for _, h := range cgroupHierarchies {
		if _, err := os.Lstat(filepath.Join("/sys/fs/cgroup", h, cgroupPath(id))); err == nil {
			return true
		}
	}
	return false
}

// cgroupHierarchies are where a container's cgroup can be: v2's unified
// tree, and every v1 hierarchy controllers may join.
var cgroupHierarchies = []string{"", "memory", "cpu", "cpuacct", "pids", "freezer", "devices", "cpuset"}

// tasksFiles are the v1 "tasks" files of the cgroup in every hierarchy it
// has (nil on v2).
func (c *cgroup) tasksFiles() []string {
	if c.v2 != nil {
		return nil
	}
	var out []string
	for _, s := range c.v1.Subsystems() {
		out = append(out, filepath.Join("/sys/fs/cgroup", string(s.Name()), c.path, "tasks"))
	}
	return out
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
		name := strings.Split(strings.TrimPrefix(p, "/sys/fs/cgroup/"), "/")[0]
		out = append(out, filepath.Join("/sys/fs/cgroup", name, own[name], "tasks"))
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

// v2fd opens the cgroup's directory on v2 for CLONE_INTO_CGROUP, or
// returns nil on v1.
func (c *cgroup) v2fd() (*os.File, error) {
	if c.v2 == nil {
		return nil, nil
	}
	return os.Open(filepath.Join("/sys/fs/cgroup", c.path))
}

func (c *cgroup) freeze() error {
	if c.v2 != nil {
		return c.v2.Freeze()
	}
	return c.v1.Freeze()
}

func (c *cgroup) thaw() error {
	if c.v2 != nil {
		return c.v2.Thaw()
	}
	return c.v1.Thaw()
}

// delete removes the cgroup (its processes must be gone) and the shared
// parent when it is the last one.
func (c *cgroup) delete() error {
	var err error
	for try := 0; try < 50; try++ {
		if c.v2 != nil {
			err = c.v2.Delete()
		} else {
			err = c.v1.Delete()
		}
		if err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond) // the last process is still exiting
	}
	removeCgroupParents()
	return err
}

// removeCgroupParents removes the /stack directory of every hierarchy that
// holds no container any more; a busy one stays.
func removeCgroupParents() {
	dirs, _ := filepath.Glob("/sys/fs/cgroup/*" + cgroupParent)
	if cgroups.Mode() == cgroups.Unified {
		dirs = []string{"/sys/fs/cgroup" + cgroupParent}
	}
	for _, d := range dirs {
		os.Remove(d)
	}
}

// oomKills is how many processes the kernel's OOM killer has killed in the
// cgroup so far.
func (c *cgroup) oomKills(id string) uint64 {
	var path, key string
	if c.v2 != nil {
		path, key = filepath.Join("/sys/fs/cgroup", cgroupPath(id), "memory.events"), "oom_kill"
	} else {
		path, key = filepath.Join("/sys/fs/cgroup/memory", cgroupPath(id), "memory.oom_control"), "oom_kill"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, key+" "); ok {
			n, _ := strconv.ParseUint(v, 10, 64)
			return n
		}
	}
	return 0
}
