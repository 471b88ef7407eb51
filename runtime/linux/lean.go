package linux

import (
	"strconv"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ReaperEnv names, in a monitor's environment, the lean init
// (cmd/stack-init) that init execs into once the service is forked: what
// stays of init for the container's whole life is then a fresh process
// that only forwards signals and reaps, not this binary with the heap its
// setup left (on amd64, a few pages of assembly without the Go runtime).
// Without it, init reaps in place.
const ReaperEnv = "_STACK_REAPER"

// openReaper opens the lean init by its host path, before pivot_root
// hides it; -1 when there is none.
func openReaper(path string) (int, error) {
	if path == "" {
		return -1, nil
	}
	return unix.Open(path, unix.O_PATH|unix.O_CLOEXEC, 0)
}

// execReaper replaces init with the lean init, which closes the sync
// socket (fd 3) once it forwards signals. It returns only if the exec
// failed.
//
// The lean init is never dumpable, not even before its first instruction:
// its file is execute-only (0111), and init execs it without
// CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH in its effective set, so the
// kernel finds the file unreadable and keeps the new image undumpable
// (fs.suid_dumpable): no process of the container can open /proc/1/exe.
// The permitted set is untouched, so the exec gains no capability and the
// parent-death signal stays.
func execReaper(fd, service int) error {
	if _, err := unix.FcntlInt(3, unix.F_SETFD, 0); err != nil {
		return err
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capget(&hdr, &data[0]); err != nil {
		return err
	}
	data[0].Effective &^= 1<<unix.CAP_DAC_OVERRIDE | 1<<unix.CAP_DAC_READ_SEARCH
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return err
	}
	argv, err := syscall.SlicePtrFromStrings([]string{"stack-init", strconv.Itoa(service)})
	if err != nil {
		return err
	}
	// For its Go build (other than amd64); the assembly reads no
	// environment.
	envv, err := syscall.SlicePtrFromStrings([]string{"GOMAXPROCS=1"})
	if err != nil {
		return err
	}
	empty, _ := syscall.BytePtrFromString("")
	_, _, e := unix.RawSyscall6(unix.SYS_EXECVEAT, uintptr(fd), uintptr(unsafe.Pointer(empty)),
		uintptr(unsafe.Pointer(&argv[0])), uintptr(unsafe.Pointer(&envv[0])), unix.AT_EMPTY_PATH, 0)
	return e
}
