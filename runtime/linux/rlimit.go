package linux

import (
	"fmt"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime"
)

var rlimitNames = map[string]int{
	"core": unix.RLIMIT_CORE, "cpu": unix.RLIMIT_CPU, "data": unix.RLIMIT_DATA, "fsize": unix.RLIMIT_FSIZE,
	"locks": unix.RLIMIT_LOCKS, "memlock": unix.RLIMIT_MEMLOCK, "msgqueue": unix.RLIMIT_MSGQUEUE,
	"nice": unix.RLIMIT_NICE, "nofile": unix.RLIMIT_NOFILE, "nproc": unix.RLIMIT_NPROC, "rss": unix.RLIMIT_RSS,
	"rtprio": unix.RLIMIT_RTPRIO, "rttime": unix.RLIMIT_RTTIME, "sigpending": unix.RLIMIT_SIGPENDING,
	"stack": unix.RLIMIT_STACK, "as": unix.RLIMIT_AS,
}

// checkRlimits validates ulimits before anything starts: known names, soft
// not above hard, and no hard limit above the host's when stack may not
// raise it (it needs CAP_SYS_RESOURCE, which some hosts withhold).
func checkRlimits(limits []runtime.Ulimit, canRaise bool) error {
	for _, l := range limits {
		res, ok := rlimitNames[strings.ToLower(l.Name)]
		if !ok {
			return fmt.Errorf("ulimit %q: unknown resource", l.Name)
		}
		if l.Soft > l.Hard && l.Hard >= 0 {
			return fmt.Errorf("ulimit %q: soft limit %d is above the hard limit %d", l.Name, l.Soft, l.Hard)
		}
		var cur unix.Rlimit
		if err := unix.Getrlimit(res, &cur); err != nil {
			return err
		}
		if !canRaise && uint64(l.Hard) > cur.Max {
			return fmt.Errorf("ulimit %q: hard limit %d is above this host's %d, and raising it needs CAP_SYS_RESOURCE, which this host does not grant", l.Name, l.Hard, cur.Max)
		}
	}
	return nil
}

// setRlimits applies ulimits to init, which the service inherits.
func setRlimits(limits []runtime.Ulimit) error {
	for _, l := range limits {
		res := rlimitNames[strings.ToLower(l.Name)]
		lim := syscall.Rlimit{Cur: uint64(l.Soft), Max: uint64(l.Hard)}
		if err := syscall.Setrlimit(res, &lim); err != nil {
			return fmt.Errorf("ulimit %q: %w", l.Name, err)
		}
	}
	return nil
}
