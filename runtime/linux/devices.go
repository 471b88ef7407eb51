package linux

import (
	"fmt"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// deviceRule is one line of a device cgroup's allow list; -1 is any
// number (both cgroup versions of the library read it so, and v2's needs
// the numbers set).
func deviceRule(kind string, major, minor int64, access string) specs.LinuxDeviceCgroup {
	return specs.LinuxDeviceCgroup{Allow: true, Type: kind, Major: &major, Minor: &minor, Access: access}
}

// defaultDeviceRules are Docker's: make any node, use only those every
// container has (null, zero, full, random, urandom, tty, console, ptmx and
// the pts terminals) and tun.
var defaultDeviceRules = []specs.LinuxDeviceCgroup{
	deviceRule("c", -1, -1, "m"), deviceRule("b", -1, -1, "m"),
	deviceRule("c", 1, 3, "rwm"), deviceRule("c", 1, 5, "rwm"), deviceRule("c", 1, 7, "rwm"),
	deviceRule("c", 1, 8, "rwm"), deviceRule("c", 1, 9, "rwm"), deviceRule("c", 5, 0, "rwm"),
	deviceRule("c", 5, 1, "rwm"), deviceRule("c", 5, 2, "rwm"), deviceRule("c", 136, -1, "rwm"),
	deviceRule("c", 10, 200, "rwm"),
}

// deviceRules is a container's device cgroup: everything when privileged,
// else nothing but Docker's defaults and the service's devices.
func deviceRules(privileged bool, devs []initDevice) []specs.LinuxDeviceCgroup {
	if privileged {
		return []specs.LinuxDeviceCgroup{deviceRule("a", -1, -1, "rwm")}
	}
	deny := deviceRule("a", -1, -1, "rwm")
	deny.Allow = false
	out := []specs.LinuxDeviceCgroup{deny}
	out = append(out, defaultDeviceRules...)
	for _, d := range devs {
		kind := "b"
		if d.Char {
			kind = "c"
		}
		out = append(out, deviceRule(kind, int64(d.Major), int64(d.Minor), firstOf(d.Access, "rwm")))
	}
	return out
}

// checkDeviceAccess accepts Docker's permissions of a device: some of r,
// w and m.
func checkDeviceAccess(source, perms string) error {
	if perms == "" || strings.Trim(perms, "rwm") != "" {
		return fmt.Errorf("device %q: permissions %q: want some of r, w and m", source, perms)
	}
	return nil
}
