// Package limits makes a container's cgroup with its resource limits and
// device rules, through github.com/containerd/cgroups/v3, on cgroup v1 and
// v2. The engine (runtime/linux) calls it from the CLI before it starts a
// container's monitor; it lives apart so that the monitor, one per
// container, does not link the library and what it pulls in (protobuf,
// eBPF, D-Bus): the monitor only needs the cgroup's paths.
package limits

import (
	"errors"
	"os"

	"github.com/containerd/cgroups/v3"
	"github.com/containerd/cgroups/v3/cgroup1"
	"github.com/containerd/cgroups/v3/cgroup2"
	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/stackorch/stack/runtime"
)

// Make creates the cgroup at path (under every v1 hierarchy it needs, or
// under v2's) and writes r and the device rules into it. A limit the
// kernel refuses is an error and leaves nothing behind.
func Make(path string, r runtime.Resources, devices []specs.LinuxDeviceCgroup) error {
	res := resources(r)
	res.Devices = devices
	if cgroups.Mode() == cgroups.Unified {
		// The library turns the rules into an eBPF device program attached
		// to the cgroup (cgroup v2 has no devices files); the attachment
		// outlives this process.
		r2 := cgroup2.ToResources(res)
		r2.Devices = devices
		_, err := cgroup2.NewManager("/sys/fs/cgroup", path, r2)
		return err
	}
	var err error
	for try := 0; try < 5; try++ {
		// The parent may be removed by another container's removal just as
		// this one creates it: try again.
		if _, err = cgroup1.New(cgroup1.StaticPath(path), res, cgroup1.WithHierarchy(controllers(r))); err == nil {
			return nil
		}
		if c, lerr := cgroup1.Load(cgroup1.StaticPath(path)); lerr == nil {
			c.Delete()
		}
		if !errors.Is(err, os.ErrNotExist) {
			break
		}
	}
	return err
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
