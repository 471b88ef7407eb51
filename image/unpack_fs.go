package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

const maxCachedDirs = 256

// dir returns an O_PATH descriptor of the directory rel, resolved by the
// kernel with the tree as root: "..", absolute symlinks and symlinks with ".."
// in them all stay inside. With create, missing directories are made (0755,
// as tar does for parents it was not given). The descriptor belongs to the
// cache: do not close it.
func (u *unpacker) dir(rel string, create bool) (int, error) {
	if rel == "." {
		return u.root, nil
	}
	if fd, ok := u.dirs[rel]; ok {
		return fd, nil
	}
	fd, err := u.openDir(rel)
	if errors.Is(err, unix.ENOENT) && create {
		fd, err = u.makeDirs(rel)
	}
	if err != nil {
		return -1, fmt.Errorf("open directory %q: %w", rel, err)
	}
	if len(u.dirs) >= maxCachedDirs {
		u.forget()
	}
	u.dirs[rel] = fd
	return fd, nil
}

// makeDirs walks rel down from the root one component at a time, making
// what is missing, in time linear in its depth. A plain directory is opened
// beside its parent without following anything; a symlink is resolved as a
// whole prefix by openDir, inside the tree.
func (u *unpacker) makeDirs(rel string) (int, error) {
	cur, owned := u.root, false
	release := func() {
		if owned {
			unix.Close(cur)
		}
	}
	parts := strings.Split(rel, "/")
	for i, part := range parts {
		const flags = unix.O_PATH | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
		fd, err := unix.Openat(cur, part, flags, 0)
		if err == unix.ENOENT {
			if err = unix.Mkdirat(cur, part, 0o755); err == nil {
				unix.Fchmodat(cur, part, 0o755, 0) // whatever the umask
				fd, err = unix.Openat(cur, part, flags, 0)
			}
		}
		if err == unix.ENOTDIR || err == unix.ELOOP || err == unix.EEXIST {
			// A symlink (or not a directory): resolve the prefix in the tree.
			prefix := strings.Join(parts[:i+1], "/")
			fd, err = u.openDir(prefix)
			if errors.Is(err, unix.ENOENT) {
				err = fmt.Errorf("%q is a symlink leading nowhere inside the layer: %w", prefix, ErrUnsafe)
			}
		}
		release()
		if err != nil {
			return -1, err
		}
		cur, owned = fd, true
	}
	return cur, nil
}

func (u *unpacker) openDir(rel string) (int, error) {
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
	}
	for {
		fd, err := unix.Openat2(u.root, rel, &how)
		if err == unix.EAGAIN || err == unix.EINTR {
			continue
		}
		if err == unix.ENOSYS {
			return -1, fmt.Errorf("openat2 (Linux 5.6 or later) is required: %w", err)
		}
		return fd, err
	}
}

// prepare resolves the parent of a new entry and removes whatever the layer
// already has at that name, unless both are directories (tar's rule: the last
// entry for a name wins).
func (u *unpacker) prepare(parent, base string, isDir bool) (int, error) {
	pfd, err := u.dir(parent, true)
	if err != nil {
		return -1, err
	}
	var st unix.Stat_t
	err = unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	if errors.Is(err, unix.ENOENT) {
		return pfd, nil
	}
	if err != nil {
		return -1, fmt.Errorf("stat: %w", err)
	}
	if isDir && st.Mode&unix.S_IFMT == unix.S_IFDIR {
		return pfd, nil
	}
	if err := removeAt(pfd, base, st.Mode&unix.S_IFMT == unix.S_IFDIR); err != nil {
		return -1, fmt.Errorf("replace existing entry: %w", err)
	}
	// Anything cached may have been resolved through what was removed.
	u.forget()
	return u.dir(parent, true)
}

// removeAt removes name under dirfd, recursively if it is a directory,
// without following symlinks.
func removeAt(dirfd int, name string, isDir bool) error {
	if !isDir {
		return unix.Unlinkat(dirfd, name, 0)
	}
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	f := os.NewFile(uintptr(fd), name)
	entries, err := f.ReadDir(-1)
	if err == nil {
		for _, e := range entries {
			if err = removeAt(fd, e.Name(), e.IsDir()); err != nil {
				break
			}
		}
	}
	f.Close()
	if err != nil {
		return err
	}
	return unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR)
}

func (u *unpacker) forget() {
	for rel, fd := range u.dirs {
		unix.Close(fd)
		delete(u.dirs, rel)
	}
}

func (u *unpacker) close() {
	u.forget()
	unix.Close(u.root)
}

// meta applies an entry's owner, mode, xattrs and times, in that order:
// chown clears setuid bits and file capabilities, so they come after it.
// Directory times are set at the end, once their contents are written.
func (u *unpacker) meta(pfd int, base string, hdr *tar.Header, isSymlink bool) error {
	if err := unix.Fchownat(pfd, base, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("chown: %w", err)
	}
	if !isSymlink {
		if err := unix.Fchmodat(pfd, base, uint32(hdr.Mode&0o7777), 0); err != nil {
			return fmt.Errorf("chmod: %w", err)
		}
	}
	for key, value := range hdr.PAXRecords {
		name, ok := strings.CutPrefix(key, "SCHILY.xattr.")
		if !ok || !allowedXattr(name) {
			continue
		}
		if err := setxattr(pfd, base, name, []byte(value)); err != nil {
			return err
		}
	}
	if hdr.Typeflag == tar.TypeDir {
		return nil
	}
	return setTimes(pfd, base, hdr)
}

// allowedXattr keeps the namespaces an image may carry; trusted.overlay.*
// would change how overlayfs reads the layer, so only whiteouts make them.
func allowedXattr(name string) bool {
	switch {
	case strings.HasPrefix(name, "trusted.overlay."):
		return false
	case strings.HasPrefix(name, "user."), strings.HasPrefix(name, "security."),
		strings.HasPrefix(name, "trusted."), strings.HasPrefix(name, "system.posix_acl_"):
		return true
	}
	return false
}

// setxattr sets an xattr on base under the directory pfd without following a
// final symlink; /proc/self/fd names pfd, which O_PATH cannot fsetxattr.
func setxattr(pfd int, base, name string, value []byte) error {
	p := "/proc/self/fd/" + strconv.Itoa(pfd) + "/" + base
	err := unix.Lsetxattr(p, name, value, 0)
	if err == unix.ENOTSUP {
		return nil // the file system has no such namespace; docker ignores it too
	}
	if err != nil {
		return fmt.Errorf("set xattr %q: %w", name, err)
	}
	return nil
}

func setTimes(pfd int, base string, hdr *tar.Header) error {
	atime := hdr.AccessTime
	if atime.IsZero() {
		atime = hdr.ModTime
	}
	ts := []unix.Timespec{
		{Sec: atime.Unix(), Nsec: int64(atime.Nanosecond())},
		{Sec: hdr.ModTime.Unix(), Nsec: int64(hdr.ModTime.Nanosecond())},
	}
	if err := unix.UtimesNanoAt(pfd, base, ts, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("set times: %w", err)
	}
	return nil
}

// setDirTimes sets directories' times last, since writing into a directory
// changes its mtime. A directory replaced since by something else is skipped.
func (u *unpacker) setDirTimes() error {
	for _, d := range u.dirTimes {
		parent, base := splitName(d.name)
		if d.name == "." {
			parent, base = ".", "."
		}
		pfd, err := u.dir(parent, false)
		if err != nil {
			continue
		}
		var st unix.Stat_t
		if unix.Fstatat(pfd, base, &st, unix.AT_SYMLINK_NOFOLLOW) != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
			continue
		}
		if err := setTimes(pfd, base, d.header); err != nil {
			return fmt.Errorf("unpack entry %q: %w", shorten(d.header.Name), err)
		}
	}
	return nil
}
