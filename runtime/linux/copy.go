package linux

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	goruntime "runtime"
	"strings"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime"
)

// CopyFrom writes to w a tar archive of src in the container: the file,
// or the directory and everything under it, named from src's last element,
// as docker cp does. Symlinks inside the container resolve inside it.
func (e *Engine) CopyFrom(ctx context.Context, ref, src string, w io.Writer) error {
	rec, st, err := e.load(ref)
	if err != nil {
		return err
	}
	err = e.inRoot(rec, st, func(root *os.File) error { return tarFrom(ctx, root, src, w) })
	if err != nil {
		return fmt.Errorf("copy from container %q: %w", rec.Spec.Name, err)
	}
	return nil
}

// CopyTo extracts the tar archive r into the directory dst of the
// container, which must exist. Nothing is written outside the container's
// root: names climbing out are refused and symlinks resolve inside it.
func (e *Engine) CopyTo(ctx context.Context, ref, dst string, r io.Reader) error {
	rec, st, err := e.load(ref)
	if err != nil {
		return err
	}
	if rec.Spec.ReadOnly {
		return fmt.Errorf("copy to container %q: its root file system is read-only", rec.Spec.Name)
	}
	err = e.inRoot(rec, st, func(root *os.File) error { return untarInto(ctx, root, dst, r) })
	if err != nil {
		return fmt.Errorf("copy to container %q: %w", rec.Spec.Name, err)
	}
	return nil
}

// inRoot calls fn with a handle on the container's root directory: the
// running container's own, mounts included, through /proc; for a stopped
// one, its overlay mounted in a private mount namespace of a thread that
// dies afterwards, so the mount never shows on the host.
func (e *Engine) inRoot(rec *record, st status, fn func(root *os.File) error) error {
	if st.Status == runtime.StatusRunning && st.Pid != 0 {
		root, err := os.Open(fmt.Sprintf("/proc/%d/root", st.Pid))
		if err != nil {
			return err
		}
		defer root.Close()
		return fn(root)
	}
	if st.Status == runtime.StatusPaused {
		return errors.New("the container is paused")
	}
	done := make(chan error, 1)
	go func() {
		goruntime.LockOSThread() // never unlocked: the thread and its mount go together
		done <- func() error {
			if err := unix.Unshare(unix.CLONE_FS | unix.CLONE_NEWNS); err != nil {
				return err
			}
			if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
				return err
			}
			c := rec.Init
			if err := mountOverlay(&c); err != nil {
				return err
			}
			root, err := os.Open(c.Rootfs)
			if err != nil {
				return err
			}
			defer root.Close()
			return fn(root)
		}()
	}()
	return <-done
}

// inside is p as a path relative to the container's root.
func inside(p string) string {
	rel := strings.TrimPrefix(path.Clean("/"+p), "/")
	if rel == "" {
		return "."
	}
	return rel
}

// PathKind says what p is in the container: "dir", "file" (anything else
// that exists) or "" when nothing is there.
func (e *Engine) PathKind(ctx context.Context, ref, p string) (string, error) {
	rec, st, err := e.load(ref)
	if err != nil {
		return "", err
	}
	kind := ""
	err = e.inRoot(rec, st, func(root *os.File) error {
		h, err := pathrs.OpenatInRoot(root, inside(p))
		if err != nil {
			return nil // not there
		}
		defer h.Close()
		var s unix.Stat_t
		if err := unix.Fstat(int(h.Fd()), &s); err != nil {
			return err
		}
		kind = "file"
		if s.Mode&unix.S_IFMT == unix.S_IFDIR {
			kind = "dir"
		}
		return nil
	})
	return kind, err
}
