package network

import (
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"

	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// inNetns runs fn on an OS thread that has joined the network namespace at
// path; "" runs fn where it is. Sockets fn creates stay in that namespace.
// A thread that cannot return to its namespace is never reused: it exits
// with its goroutine.
func inNetns(path string, fn func() error) error {
	if path == "" {
		return fn()
	}
	target, err := netns.GetFromPath(path)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", path, err)
	}
	defer target.Close()
	errc := make(chan error, 1)
	go func() {
		goruntime.LockOSThread()
		orig, err := netns.Get()
		if err != nil {
			goruntime.UnlockOSThread()
			errc <- err
			return
		}
		defer orig.Close()
		if err := netns.Set(target); err != nil {
			goruntime.UnlockOSThread()
			errc <- fmt.Errorf("enter netns %q: %w", path, err)
			return
		}
		err = fn()
		if netns.Set(orig) == nil {
			goruntime.UnlockOSThread()
		}
		errc <- err
	}()
	return <-errc
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
