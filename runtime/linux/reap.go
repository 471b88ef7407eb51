package linux

import (
	"os"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime/linux/reaper"
)

// initSignals receives every signal init gets once it has a service.
var initSignals chan os.Signal

func exitCode(ws unix.WaitStatus) int { return reaper.ExitCode(syscall.WaitStatus(ws)) }

// threadSetgroups sets the supplementary groups of the calling thread only
// (the libc and Go wrappers change every thread).
func threadSetgroups(groups []uint32) error {
	var p unsafe.Pointer
	if len(groups) > 0 {
		p = unsafe.Pointer(&groups[0])
	}
	if _, _, e := unix.RawSyscall(unix.SYS_SETGROUPS, uintptr(len(groups)), uintptr(p), 0); e != 0 {
		return e
	}
	return nil
}
