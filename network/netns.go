package network

import (
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"

	"golang.org/x/sys/unix"
)

// inNetns runs fn on the calling goroutine's OS thread, locked to it and
// moved into the network namespace at path for fn's time; "" runs fn where
// it is. Sockets fn creates stay in that namespace. No other goroutine is
// started, so no other thread is needed: a thread that ever runs a
// monitor's goroutine stays for the monitor's life. A thread that cannot
// return to its own namespace must never run another goroutine: that is
// a panic.
func inNetns(path string, fn func() error) error {
	if path == "" {
		return fn()
	}
	target, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", path, err)
	}
	defer unix.Close(target)
	goruntime.LockOSThread()
	defer goruntime.UnlockOSThread()
	orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open own netns: %w", err)
	}
	defer unix.Close(orig)
	if err := unix.Setns(target, unix.CLONE_NEWNET); err != nil {
		return fmt.Errorf("enter netns %q: %w", path, err)
	}
	defer func() {
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
			panic(fmt.Sprintf("return from netns %q: %v", path, err))
		}
	}()
	return fn()
}

// writeSysctl sets a sysctl under /proc/sys/net in the namespace at path:
// /proc/sys/net shows the namespace of whoever opens it.
func writeSysctl(path, key, value string) error {
	return inNetns(path, func() error {
		f := filepath.Join("/proc/sys", filepath.FromSlash(key))
		if cur, err := os.ReadFile(f); err == nil && string(cur) == value+"\n" {
			return nil
		}
		return os.WriteFile(f, []byte(value), 0o644)
	})
}

// nsIdentity is the device and inode of a network namespace file: the
// same namespace has the same identity whatever path names it.
type nsIdentity struct{ Dev, Ino uint64 }

func identify(path string) (nsIdentity, error) {
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		return nsIdentity{}, err
	}
	return nsIdentity{Dev: uint64(st.Dev), Ino: st.Ino}, nil
}

// loopbackUp sets lo up in the calling thread's network namespace, with
// two ioctls: no netlink socket, nothing to wait for.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("flags of lo: %w", err)
	}
	if flags := ifr.Uint16(); flags&unix.IFF_UP == 0 {
		ifr.SetUint16(flags | unix.IFF_UP)
		if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
			return fmt.Errorf("set lo up: %w", err)
		}
	}
	return nil
}
