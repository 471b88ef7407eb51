package linux

import (
	"testing"
)

// escapeSource is a static program that tries to break out of its
// container: each argument names an attempt, and it prints "name=errno"
// (0 when the kernel let it through) for each.
const escapeSource = `package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unsafe"
)

func errno(err error) syscall.Errno {
	if err == nil {
		return 0
	}
	if e, ok := err.(syscall.Errno); ok {
		return e
	}
	return syscall.EINVAL
}

func main() {
	for _, arg := range os.Args[1:] {
		f := strings.SplitN(arg, ":", 2)
		var e syscall.Errno
		switch f[0] {
		case "mount": // a tmpfs on /mnt
			os.MkdirAll("/mnt", 0o755)
			e = errno(syscall.Mount("none", "/mnt", "tmpfs", 0, ""))
		case "umount": // detach /proc, unmasking what it hides
			e = errno(syscall.Unmount("/proc", syscall.MNT_DETACH))
		case "remount": // make / writable again... or /sys
			e = errno(syscall.Mount("", "/sys", "", syscall.MS_REMOUNT|syscall.MS_BIND, ""))
		case "init_module": // an invalid module image: EPERM before it is read
			img := make([]byte, 64)
			param := []byte{0}
			_, _, e = syscall.Syscall(syscall.SYS_INIT_MODULE, uintptr(unsafe.Pointer(&img[0])), uintptr(len(img)), uintptr(unsafe.Pointer(&param[0])))
		case "finit_module": // this program as a module
			fd, err := syscall.Open("/proc/self/exe", syscall.O_RDONLY, 0)
			if err != nil {
				e = errno(err)
				break
			}
			param := []byte{0}
			_, _, e = syscall.Syscall(313, uintptr(fd), uintptr(unsafe.Pointer(&param[0])), 0)
			syscall.Close(fd)
		case "ptrace": // ptrace:PID, attach
			pid, _ := strconv.Atoi(f[1])
			_, _, e = syscall.RawSyscall(syscall.SYS_PTRACE, syscall.PTRACE_ATTACH, uintptr(pid), 0)
			if e == 0 {
				syscall.RawSyscall(syscall.SYS_PTRACE, syscall.PTRACE_DETACH, uintptr(pid), 0)
			}
		case "write": // write:PATH, open for writing without creating
			fd, err := syscall.Open(f[1], syscall.O_WRONLY, 0)
			if e = errno(err); err == nil {
				syscall.Close(fd)
			}
		case "read": // read:PATH
			fd, err := syscall.Open(f[1], syscall.O_RDONLY, 0)
			if e = errno(err); err == nil {
				syscall.Close(fd)
			}
		case "chdir": // chdir:PATH, then reach /TARGET by climbing: chdir:PATH:TARGET
			parts := strings.SplitN(f[1], ":", 2)
			if e = errno(syscall.Chdir(parts[0])); e == 0 && len(parts) == 2 {
				up := strings.Repeat("../", 40) + strings.TrimPrefix(parts[1], "/")
				_, err := os.Stat(up)
				e = errno(err)
				if os.IsNotExist(err) {
					e = syscall.ENOENT
				}
			}
		default:
			fmt.Fprintln(os.Stderr, "unknown attempt", arg)
			os.Exit(2)
		}
		fmt.Printf("%s=%d\n", arg, int(e))
	}
}
`

// escapeImage makes the image "escape": busybox with /bin/escape on top.
func escapeImage(t *testing.T) string { return programImage(t, "escape", escapeSource) }
