package volume

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"
)

// overlay copies the tree src over dst as overlayfs would show src above
// it: whiteouts delete, opaque directories replace, the rest is copied.
// dst is private to the caller, and every directory on the way is made a
// real directory before anything is written under it.
func overlay(ctx context.Context, src, dst string) error {
	var dirs []string
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case rel == ".":
			if opaque(p) {
				return clear(dst)
			}
			return nil
		case whiteout(fi):
			return os.RemoveAll(to)
		case fi.IsDir():
			dirs = append(dirs, rel)
			return mkdir(p, to, fi)
		}
		if err := os.RemoveAll(to); err != nil {
			return err
		}
		return copyEntry(p, to, fi)
	})
	if err != nil {
		return err
	}
	slices.Reverse(dirs) // children change their parent's times
	for _, rel := range dirs {
		if err := copyAttrs(filepath.Join(src, rel), filepath.Join(dst, rel)); err != nil {
			return err
		}
	}
	return nil
}

// mkdir makes to a real directory, emptied if src is opaque.
func mkdir(src, to string, fi fs.FileInfo) error {
	cur, err := os.Lstat(to)
	switch {
	case err == nil && cur.IsDir() && opaque(src):
		if err := clear(to); err != nil {
			return err
		}
	case err == nil && !cur.IsDir():
		if err := os.Remove(to); err != nil {
			return err
		}
		fallthrough
	case errors.Is(err, os.ErrNotExist):
		if err := os.Mkdir(to, fi.Mode().Perm()); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	return copyAttrs(src, to)
}

// clear removes everything inside dir.
func clear(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

// copyEntry makes to, which does not exist, a copy of the non-directory src.
func copyEntry(src, to string, fi fs.FileInfo) error {
	switch mode := fi.Mode(); {
	case mode.IsRegular():
		in, err := os.Open(src)
		if err != nil {
			return err
		}
		defer in.Close()
		out, err := os.OpenFile(to, os.O_WRONLY|os.O_CREATE|os.O_EXCL|unix.O_NOFOLLOW, 0o600)
		if err != nil {
			return err
		}
		_, err = io.Copy(out, in)
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	case mode&fs.ModeSymlink != 0:
		link, err := os.Readlink(src)
		if err != nil {
			return err
		}
		if err := os.Symlink(link, to); err != nil {
			return err
		}
	default:
		st, ok := fi.Sys().(*unix.Stat_t)
		if !ok {
			return nil
		}
		if err := unix.Mknod(to, st.Mode, int(st.Rdev)); err != nil {
			return err
		}
	}
	return copyAttrs(src, to)
}

// copyAttrs gives to the owner, mode and times of src; a link's own.
func copyAttrs(src, to string) error {
	var st unix.Stat_t
	if err := unix.Lstat(src, &st); err != nil {
		return err
	}
	if err := os.Lchown(to, int(st.Uid), int(st.Gid)); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFLNK {
		if err := unix.Chmod(to, st.Mode&0o7777); err != nil {
			return err
		}
	}
	ts := []unix.Timespec{st.Atim, st.Mtim}
	return unix.UtimesNanoAt(unix.AT_FDCWD, to, ts, unix.AT_SYMLINK_NOFOLLOW)
}
