package linux

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// Docker's masked and read-only paths.
var (
	maskedPaths = []string{
		"/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
		"/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
		"/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap",
	}
	readonlyPaths = []string{"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}
)

// setupRootfs builds the container's file system under c.Rootfs in init's
// fresh mount namespace and pivots into it. Nothing it mounts is visible on
// the host: the namespace dies with the container.
// The overlay is rootfs, the detached mount the monitor made (see
// openOverlay), or mounted here when there is none.
func setupRootfs(c *initConfig, rootfs *os.File) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make / private: %w", err)
	}
	if rootfs != nil {
		err := unix.MoveMount(int(rootfs.Fd()), "", unix.AT_FDCWD, c.Rootfs, unix.MOVE_MOUNT_F_EMPTY_PATH)
		rootfs.Close()
		if err != nil {
			return fmt.Errorf("mount overlay root file system: %w", err)
		}
	} else if err := mountOverlay(c); err != nil {
		return err
	}
	root := c.Rootfs
	if err := mountProc(root); err != nil {
		return err
	}
	if err := mountDev(root, c); err != nil {
		return err
	}
	if err := mountIn(root, "/sys", "sysfs", "sysfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC|ro(!c.Privileged), "", true); err != nil {
		return err
	}
	for _, m := range c.Mounts {
		if err := bindOrTmpfs(root, m); err != nil {
			return err
		}
	}
	for target, src := range c.Files {
		if err := bindOrTmpfs(root, initMount{Source: src, Target: target, Type: "bind", File: true}); err != nil {
			return err
		}
	}
	for k, v := range c.Sysctls {
		p := filepath.Join(root, "proc/sys", strings.ReplaceAll(k, ".", "/"))
		if err := os.WriteFile(p, []byte(v), 0); err != nil {
			return fmt.Errorf("sysctl %q: %w", k, err)
		}
	}
	if !c.Privileged {
		if err := maskPaths(root); err != nil {
			return err
		}
	}
	if c.ReadOnly {
		if err := unix.Mount(root, root, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY, ""); err != nil {
			return fmt.Errorf("make root file system read-only: %w", err)
		}
	}
	return pivot(root)
}

func ro(b bool) uintptr {
	if b {
		return unix.MS_RDONLY
	}
	return 0
}

// lowerDirs are the overlay's lower directories, top first.
func lowerDirs(c *initConfig) ([]string, error) {
	if len(c.Lower) > 0 {
		return c.Lower, nil
	}
	// An image without layers: overlay needs one lower directory.
	empty := filepath.Join(filepath.Dir(c.Upper), "empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		return nil, err
	}
	return []string{empty}, nil
}

func mountOverlay(c *initConfig) error {
	lower, err := lowerDirs(c)
	if err != nil {
		return err
	}
	opts := "lowerdir=" + strings.Join(lower, ":") + ",upperdir=" + c.Upper + ",workdir=" + c.Work + ",index=off"
	if len(opts) >= unix.Getpagesize() {
		return fmt.Errorf("mount overlay: %d layers make the options longer than a page", len(lower))
	}
	if err := unix.Mount("overlay", c.Rootfs, "overlay", 0, opts); err != nil {
		return fmt.Errorf("mount overlay root file system: %w", err)
	}
	return nil
}

// openTarget creates target inside root (a directory, or an empty file when
// file is set) without following any symlink out of root, and returns an
// O_PATH handle to mount onto through /proc/self/fd.
func openTarget(root *os.File, target string, file bool) (*os.File, error) {
	if !file {
		return pathrs.MkdirAllHandle(root, target, 0o755)
	}
	if h, err := pathrs.OpenatInRoot(root, target); err == nil {
		return h, nil
	}
	dir, err := pathrs.MkdirAllHandle(root, filepath.Dir(target), 0o755)
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	fd, err := unix.Openat(int(dir.Fd()), filepath.Base(target), unix.O_CREAT|unix.O_WRONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, err
	}
	unix.Close(fd)
	return pathrs.OpenatInRoot(root, target)
}

// mountIn mounts a file system of type fstype at target inside root.
func mountIn(root, target, source, fstype string, flags uintptr, data string, dir bool) error {
	r, err := os.Open(root)
	if err != nil {
		return err
	}
	defer r.Close()
	h, err := openTarget(r, target, !dir)
	if err != nil {
		return fmt.Errorf("mount %s at %q: %w", fstype, target, err)
	}
	defer h.Close()
	if err := unix.Mount(source, procFd(h), fstype, flags, data); err != nil {
		return fmt.Errorf("mount %s at %q: %w", fstype, target, err)
	}
	return nil
}

func procFd(f *os.File) string { return fmt.Sprintf("/proc/self/fd/%d", f.Fd()) }

// bindOrTmpfs makes one of the service's mounts.
func bindOrTmpfs(root string, m initMount) error {
	if m.Type == "tmpfs" {
		return mountIn(root, m.Target, "tmpfs", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|ro(m.ReadOnly), m.Data, true)
	}
	r, err := os.Open(root)
	if err != nil {
		return err
	}
	defer r.Close()
	h, err := openTarget(r, m.Target, m.File)
	if err != nil {
		return fmt.Errorf("bind %q: %w", m.Target, err)
	}
	defer h.Close()
	target := procFd(h)
	if err := unix.Mount(m.Source, target, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %q at %q: %w", m.Source, m.Target, err)
	}
	if m.ReadOnly {
		// Reach the new mount through a fresh handle: the old one is below it.
		top, err := pathrs.OpenatInRoot(r, m.Target)
		if err != nil {
			return fmt.Errorf("bind %q read-only: %w", m.Target, err)
		}
		defer top.Close()
		if err := unix.Mount("", procFd(top), "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("bind %q read-only: %w", m.Target, err)
		}
	}
	return nil
}

func mountProc(root string) error {
	return mountIn(root, "/proc", "proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "", true)
}

// devices are the nodes of a fresh /dev, as Docker makes them.
var defaultDevices = []struct {
	name         string
	major, minor uint32
}{
	{"null", 1, 3}, {"zero", 1, 5}, {"full", 1, 7}, {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
}

func mountDev(root string, c *initConfig) error {
	if err := mountIn(root, "/dev", "tmpfs", "tmpfs", unix.MS_NOSUID|unix.MS_STRICTATIME, "mode=755,size=65536k", true); err != nil {
		return err
	}
	dev := filepath.Join(root, "dev") // a fresh tmpfs: no symlink can be in it
	for _, d := range defaultDevices {
		p := filepath.Join(dev, d.name)
		if err := unix.Mknod(p, unix.S_IFCHR|0o666, int(unix.Mkdev(d.major, d.minor))); err != nil {
			return fmt.Errorf("make device %q: %w", "/dev/"+d.name, err)
		}
		if err := os.Chmod(p, 0o666); err != nil {
			return err
		}
	}
	for _, d := range c.Devices {
		if err := makeDevice(root, d); err != nil {
			return err
		}
	}
	for _, d := range []string{"pts", "shm", "mqueue"} {
		if err := os.Mkdir(filepath.Join(dev, d), 0o755); err != nil {
			return err
		}
	}
	if err := unix.Mount("devpts", filepath.Join(dev, "pts"), "devpts", unix.MS_NOSUID|unix.MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5"); err != nil {
		return fmt.Errorf("mount devpts: %w", err)
	}
	shm := c.ShmSize
	if shm <= 0 {
		shm = 64 << 20
	}
	if err := unix.Mount("shm", filepath.Join(dev, "shm"), "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, fmt.Sprintf("mode=1777,size=%d", shm)); err != nil {
		return fmt.Errorf("mount /dev/shm: %w", err)
	}
	if err := unix.Mount("mqueue", filepath.Join(dev, "mqueue"), "mqueue", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mount /dev/mqueue: %w", err)
	}
	for name, to := range map[string]string{
		"ptmx": "pts/ptmx", "fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
		"stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2", "core": "/proc/kcore",
	} {
		if err := os.Symlink(to, filepath.Join(dev, name)); err != nil {
			return err
		}
	}
	return nil
}

// maskPaths hides Docker's masked paths and makes its read-only paths so.
func maskPaths(root string) error {
	for _, p := range maskedPaths {
		full := filepath.Join(root, p)
		fi, err := os.Lstat(full)
		if err != nil {
			continue // not on this kernel
		}
		if fi.IsDir() {
			err = unix.Mount("tmpfs", full, "tmpfs", unix.MS_RDONLY, "")
		} else {
			err = unix.Mount("/dev/null", full, "", unix.MS_BIND, "")
		}
		if err != nil {
			return fmt.Errorf("mask %q: %w", p, err)
		}
	}
	for _, p := range readonlyPaths {
		full := filepath.Join(root, p)
		if _, err := os.Lstat(full); err != nil {
			continue
		}
		if err := unix.Mount(full, full, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
			return fmt.Errorf("read-only %q: %w", p, err)
		}
		if err := unix.Mount("", full, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_REC|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
			return fmt.Errorf("read-only %q: %w", p, err)
		}
	}
	return nil
}

// pivot makes root the root of the mount namespace and detaches the old one.
func pivot(root string) error {
	if err := unix.Chdir(root); err != nil {
		return err
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach old root: %w", err)
	}
	return unix.Chdir("/")
}

// makeDevice creates one of the service's devices inside the container.
func makeDevice(root string, d initDevice) error {
	r, err := os.Open(root)
	if err != nil {
		return err
	}
	defer r.Close()
	dir, err := pathrs.MkdirAllHandle(r, filepath.Dir(d.Path), 0o755)
	if err != nil {
		return fmt.Errorf("device %q: %w", d.Path, err)
	}
	defer dir.Close()
	mode := uint32(unix.S_IFBLK)
	if d.Char {
		mode = unix.S_IFCHR
	}
	name := filepath.Base(d.Path)
	unix.Unlinkat(int(dir.Fd()), name, 0)
	if err := unix.Mknodat(int(dir.Fd()), name, mode|d.Mode&0o7777, int(unix.Mkdev(d.Major, d.Minor))); err != nil {
		return fmt.Errorf("device %q: %w", d.Path, err)
	}
	return unix.Fchownat(int(dir.Fd()), name, d.UID, d.GID, unix.AT_SYMLINK_NOFOLLOW)
}
