package linux

import (
	"context"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Watch tells, on the channel it returns, whenever a container may have
// been created, removed or changed state (each state write is a rename
// into the container's directory), until ctx ends. Signals are coalesced:
// one may stand for several changes, so the receiver looks again.
func (e *Engine) Watch(ctx context.Context) (<-chan struct{}, error) {
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(fd), "inotify")
	dir := e.o.Paths.containers()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		f.Close()
		return nil, err
	}
	const inDir = unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_TO | unix.IN_MOVED_FROM | unix.IN_ONLYDIR
	if _, err := unix.InotifyAddWatch(fd, dir, inDir); err != nil {
		f.Close()
		return nil, err
	}
	entries, _ := os.ReadDir(dir)
	for _, d := range entries {
		unix.InotifyAddWatch(fd, filepath.Join(dir, d.Name()), unix.IN_MOVED_TO|unix.IN_ONLYDIR)
	}
	ch := make(chan struct{}, 1)
	context.AfterFunc(ctx, func() { f.Close() })
	go func() {
		defer close(ch)
		buf := make([]byte, 16<<10)
		for {
			n, err := f.Read(buf)
			if err != nil {
				return
			}
			for off := 0; off+unix.SizeofInotifyEvent <= n; {
				ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
				name := buf[off+unix.SizeofInotifyEvent : off+unix.SizeofInotifyEvent+int(ev.Len)]
				if ev.Mask&(unix.IN_CREATE|unix.IN_ISDIR) == unix.IN_CREATE|unix.IN_ISDIR {
					// A new container: watch it too.
					if i := indexZero(name); i > 0 {
						unix.InotifyAddWatch(fd, filepath.Join(dir, string(name[:i])), unix.IN_MOVED_TO|unix.IN_ONLYDIR)
					}
				}
				off += unix.SizeofInotifyEvent + int(ev.Len)
			}
			select {
			case ch <- struct{}{}:
			default:
			}
		}
	}()
	return ch, nil
}

func indexZero(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return len(b)
}
