package linux

import (
	"fmt"
	"os"
	"testing"

	"github.com/containerd/cgroups/v3/cgroup2"

	"github.com/stackorch/stack/runtime"
)

func TestDeviceCgroupAllowsOnlyTheDefaultNodes(t *testing.T) {
	e := newEngine(t)
	// CAP_MKNOD is a default capability: making a node works, using one
	// the container was not given does not.
	for i, c := range []struct{ path, want string }{{"/tmp/lc", errEPERM}, {"/dev/null", "0"}, {"/dev/urandom", "0"}} {
		calls := []string{"open:" + c.path}
		if c.path == "/tmp/lc" {
			calls = append([]string{"mknod:/tmp/lc:10:237"}, calls...)
		}
		got := probeRun(t, e, runtime.Spec{Name: fmt.Sprintf("t-dev-def-%d", i)}, calls...)
		if c.path == "/tmp/lc" && got["mknod"] != "0" {
			t.Errorf("mknod /tmp/lc c 10 237: errno %s, want success", got["mknod"])
		}
		if got["open"] != c.want {
			t.Errorf("open %s: errno %s, want %s", c.path, got["open"], c.want)
		}
	}
}

func TestDevicesEntryIsAllowedInTheDeviceCgroup(t *testing.T) {
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		t.Skip("no /dev/loop-control on this host")
	}
	e := newEngine(t)
	spec := runtime.Spec{Name: "t-dev-entry", Devices: []runtime.Device{{Source: "/dev/loop-control", Target: "/dev/loop-control", Permissions: "r"}}}
	if got := probeRun(t, e, spec, "open:/dev/loop-control"); got["open"] != "0" {
		t.Fatalf("open of a devices: entry: errno %s, want success", got["open"])
	}
	// The same node made by hand, without the entry, stays closed.
	if got := probeRun(t, e, runtime.Spec{Name: "t-dev-noentry"}, "mknod:/tmp/lc:10:237", "open:/tmp/lc"); got["open"] != errEPERM {
		t.Fatalf("open of /dev/loop-control's node without the entry: errno %s, want EPERM", got["open"])
	}
}

func TestPrivilegedContainerMayOpenAnyDevice(t *testing.T) {
	e := newEngine(t)
	spec := runtime.Spec{Name: "t-dev-priv", Privileged: true}
	if got := probeRun(t, e, spec, "mknod:/tmp/lc:10:237", "open:/tmp/lc"); got["mknod"] != "0" || got["open"] != "0" {
		t.Fatalf("privileged: %v, want the node made and opened", got)
	}
}

// This host has cgroup v1; on v2 the same rules become an eBPF program.
// At least it must assemble.
func TestDeviceRulesAssembleToACgroupV2Program(t *testing.T) {
	for _, privileged := range []bool{false, true} {
		rules := deviceRules(privileged, []initDevice{{Char: true, Major: 10, Minor: 237, Access: "r"}})
		if _, _, err := cgroup2.DeviceFilter(rules); err != nil {
			t.Fatalf("privileged %v: %v", privileged, err)
		}
	}
}
