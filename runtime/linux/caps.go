package linux

import (
	"fmt"
	"slices"
	"strings"

	"golang.org/x/sys/unix"
)

// capNames maps capability names, without the CAP_ prefix, to numbers.
var capNames = map[string]int{
	"CHOWN": unix.CAP_CHOWN, "DAC_OVERRIDE": unix.CAP_DAC_OVERRIDE, "DAC_READ_SEARCH": unix.CAP_DAC_READ_SEARCH,
	"FOWNER": unix.CAP_FOWNER, "FSETID": unix.CAP_FSETID, "KILL": unix.CAP_KILL, "SETGID": unix.CAP_SETGID,
	"SETUID": unix.CAP_SETUID, "SETPCAP": unix.CAP_SETPCAP, "LINUX_IMMUTABLE": unix.CAP_LINUX_IMMUTABLE,
	"NET_BIND_SERVICE": unix.CAP_NET_BIND_SERVICE, "NET_BROADCAST": unix.CAP_NET_BROADCAST,
	"NET_ADMIN": unix.CAP_NET_ADMIN, "NET_RAW": unix.CAP_NET_RAW, "IPC_LOCK": unix.CAP_IPC_LOCK,
	"IPC_OWNER": unix.CAP_IPC_OWNER, "SYS_MODULE": unix.CAP_SYS_MODULE, "SYS_RAWIO": unix.CAP_SYS_RAWIO,
	"SYS_CHROOT": unix.CAP_SYS_CHROOT, "SYS_PTRACE": unix.CAP_SYS_PTRACE, "SYS_PACCT": unix.CAP_SYS_PACCT,
	"SYS_ADMIN": unix.CAP_SYS_ADMIN, "SYS_BOOT": unix.CAP_SYS_BOOT, "SYS_NICE": unix.CAP_SYS_NICE,
	"SYS_RESOURCE": unix.CAP_SYS_RESOURCE, "SYS_TIME": unix.CAP_SYS_TIME, "SYS_TTY_CONFIG": unix.CAP_SYS_TTY_CONFIG,
	"MKNOD": unix.CAP_MKNOD, "LEASE": unix.CAP_LEASE, "AUDIT_WRITE": unix.CAP_AUDIT_WRITE,
	"AUDIT_CONTROL": unix.CAP_AUDIT_CONTROL, "SETFCAP": unix.CAP_SETFCAP, "MAC_OVERRIDE": unix.CAP_MAC_OVERRIDE,
	"MAC_ADMIN": unix.CAP_MAC_ADMIN, "SYSLOG": unix.CAP_SYSLOG, "WAKE_ALARM": unix.CAP_WAKE_ALARM,
	"BLOCK_SUSPEND": unix.CAP_BLOCK_SUSPEND, "AUDIT_READ": unix.CAP_AUDIT_READ, "PERFMON": unix.CAP_PERFMON,
	"BPF": unix.CAP_BPF, "CHECKPOINT_RESTORE": unix.CAP_CHECKPOINT_RESTORE,
}

// DefaultCaps are the 14 capabilities Docker gives a container.
var DefaultCaps = []string{
	"CHOWN", "DAC_OVERRIDE", "FSETID", "FOWNER", "MKNOD", "NET_RAW", "SETGID", "SETUID",
	"SETFCAP", "SETPCAP", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL", "AUDIT_WRITE",
}

func normCap(name string) string {
	return strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(name)), "CAP_")
}

// capSet computes a container's capabilities from Docker's defaults and the
// service's cap_add, cap_drop and privileged, as Docker does: "ALL" in
// cap_add adds every capability, "ALL" in cap_drop starts from none, and
// cap_add wins over cap_drop for the same name. host is what stack itself
// may hand out: privileged and "ALL" get what it has, a named cap_add it
// lacks is an error.
func capSet(add, drop []string, privileged bool, host map[string]bool) ([]string, error) {
	var all []string
	for n := range capNames {
		if host[n] {
			all = append(all, n)
		}
	}
	slices.Sort(all)
	if privileged {
		return all, nil
	}
	for _, c := range append(slices.Clone(add), drop...) {
		if _, ok := capNames[normCap(c)]; !ok && normCap(c) != "ALL" {
			return nil, fmt.Errorf("unknown capability %q", c)
		}
	}
	set := map[string]bool{}
	if !slices.ContainsFunc(drop, func(c string) bool { return normCap(c) == "ALL" }) {
		for _, c := range DefaultCaps {
			set[c] = host[c]
		}
	}
	for _, c := range drop {
		delete(set, normCap(c))
	}
	for _, c := range add {
		n := normCap(c)
		if n == "ALL" {
			return all, nil
		}
		if !host[n] {
			return nil, fmt.Errorf("cap_add %q: this host does not grant CAP_%s to stack", c, n)
		}
		set[n] = true
	}
	out := make([]string, 0, len(set))
	for c, ok := range set {
		if ok {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out, nil
}

// dropBounding removes every capability but caps from the calling
// thread's bounding set. The caller has locked its OS thread: capability
// sets are per thread, and what it forks or execs inherits them.
func dropBounding(caps []string) error {
	keep := capNumbers(caps)
	for c := 0; c <= lastCap(); c++ {
		if keep[c] {
			continue
		}
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil {
			return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
		}
	}
	return nil
}

// setCaps makes caps the calling thread's permitted and effective sets;
// inheritable and ambient stay empty.
func setCaps(caps []string) error {
	var data [2]unix.CapUserData
	for c := range capNumbers(caps) {
		data[c/32].Effective |= 1 << (uint(c) % 32)
		data[c/32].Permitted |= 1 << (uint(c) % 32)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("set capabilities: %w", err)
	}
	return nil
}

func capNumbers(caps []string) map[int]bool {
	keep := map[int]bool{}
	for _, c := range caps {
		if n, ok := capNames[normCap(c)]; ok {
			keep[n] = true
		}
	}
	return keep
}

// hostCaps is the calling thread's bounding set: a container cannot have a
// capability the host withholds from stack.
func hostCaps() map[string]bool {
	have := map[string]bool{}
	for name, n := range capNames {
		if ok, _ := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(n), 0, 0, 0); ok == 1 {
			have[name] = true
		}
	}
	return have
}

// lastCap is the highest capability the running kernel knows.
func lastCap() int {
	last := unix.CAP_LAST_CAP
	for c := last + 1; c < 64; c++ {
		if _, err := unix.PrctlRetInt(unix.PR_CAPBSET_READ, uintptr(c), 0, 0, 0); err != nil {
			break
		}
		last = c
	}
	return last
}
