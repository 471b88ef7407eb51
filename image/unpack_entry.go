package image

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

const (
	whiteoutPrefix = ".wh."
	whiteoutMeta   = ".wh..wh."
	whiteoutOpaque = ".wh..wh..opq"

	maxPathLen = 4096
	maxNameLen = 255
)

// unpacker holds the state of one Unpack: the tree's root, a cache of its
// resolved directories, and what the limits count.
type unpacker struct {
	root     int            // O_PATH descriptor of the tree's root
	dirs     map[string]int // O_PATH descriptors of resolved directories
	lim      Limits
	size     int64
	entries  int64
	dirTimes []dirTime
	buf      []byte
}

type dirTime struct {
	name   string
	header *tar.Header
}

// entry creates one tar entry in the tree.
func (u *unpacker) entry(tr *tar.Reader, hdr *tar.Header) error {
	name, err := cleanName(hdr.Name)
	if err != nil {
		return err
	}
	if hdr.Uid < 0 || hdr.Gid < 0 || hdr.Uid > 1<<32-2 || hdr.Gid > 1<<32-2 {
		return fmt.Errorf("owner %d:%d out of range: %w", hdr.Uid, hdr.Gid, ErrFormat)
	}
	if name == "." {
		if hdr.Typeflag != tar.TypeDir {
			return fmt.Errorf("the layer root must be a directory: %w", ErrUnsafe)
		}
		u.dirTimes = append(u.dirTimes, dirTime{name, hdr})
		return u.meta(u.root, ".", hdr, false)
	}
	parent, base := splitName(name)
	if strings.HasPrefix(base, whiteoutPrefix) {
		return u.whiteout(parent, base, hdr)
	}
	switch hdr.Typeflag {
	case tar.TypeXGlobalHeader:
		return nil
	case tar.TypeReg, tar.TypeRegA, tar.TypeGNUSparse:
		return u.file(tr, parent, base, hdr)
	case tar.TypeDir:
		return u.directory(parent, base, hdr)
	case tar.TypeSymlink:
		return u.symlink(parent, base, hdr)
	case tar.TypeLink:
		return u.hardlink(parent, base, hdr)
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
		return u.node(parent, base, hdr)
	}
	return fmt.Errorf("entry type %q: %w", hdr.Typeflag, ErrFormat)
}

// cleanName makes a tar name relative to the layer root. A leading "/" is
// dropped (GNU tar's rule); a name that climbs above the root is refused.
func cleanName(name string) (string, error) {
	if len(name) > maxPathLen {
		return "", fmt.Errorf("name longer than %d bytes: %w", maxPathLen, ErrLimit)
	}
	if strings.IndexByte(name, 0) >= 0 {
		return "", fmt.Errorf("name contains a NUL byte: %w", ErrUnsafe)
	}
	clean := path.Clean(strings.TrimLeft(name, "/"))
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return "", fmt.Errorf("name leaves the layer: %w", ErrUnsafe)
	}
	for _, part := range strings.Split(clean, "/") {
		if len(part) > maxNameLen {
			return "", fmt.Errorf("name component longer than %d bytes: %w", maxNameLen, ErrLimit)
		}
	}
	return clean, nil
}

// splitName splits a clean name into its parent directory and last part.
func splitName(name string) (parent, base string) {
	i := strings.LastIndexByte(name, '/')
	if i < 0 {
		return ".", name
	}
	return name[:i], name[i+1:]
}

func (u *unpacker) file(tr *tar.Reader, parent, base string, hdr *tar.Header) error {
	if u.size += hdr.Size; u.lim.MaxBytes > 0 && u.size > u.lim.MaxBytes {
		return fmt.Errorf("files larger than %d bytes in all: %w", u.lim.MaxBytes, ErrLimit)
	}
	pfd, err := u.prepare(parent, base, false)
	if err != nil {
		return err
	}
	fd, err := unix.Openat(pfd, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return fmt.Errorf("create file: %w", err)
	}
	f := os.NewFile(uintptr(fd), base)
	defer f.Close()
	if _, err := io.CopyBuffer(writerOnly{f}, readerOnly{tr}, u.buf); err != nil {
		return fmt.Errorf("write file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write file: %w", err)
	}
	return u.meta(pfd, base, hdr, false)
}

func (u *unpacker) directory(parent, base string, hdr *tar.Header) error {
	pfd, err := u.prepare(parent, base, true)
	if err != nil {
		return err
	}
	if err := unix.Mkdirat(pfd, base, 0o700); err != nil && err != unix.EEXIST {
		return fmt.Errorf("create directory: %w", err)
	}
	u.dirTimes = append(u.dirTimes, dirTime{path.Join(parent, base), hdr})
	return u.meta(pfd, base, hdr, false)
}

func (u *unpacker) symlink(parent, base string, hdr *tar.Header) error {
	if len(hdr.Linkname) >= maxPathLen || hdr.Linkname == "" {
		return fmt.Errorf("symlink target of %d bytes: %w", len(hdr.Linkname), ErrLimit)
	}
	pfd, err := u.prepare(parent, base, false)
	if err != nil {
		return err
	}
	if err := unix.Symlinkat(hdr.Linkname, pfd, base); err != nil {
		return fmt.Errorf("create symlink: %w", err)
	}
	return u.meta(pfd, base, hdr, true)
}

// hardlink links to a file already unpacked in this layer; the target is
// resolved inside the layer like any name, so it cannot be a host file.
func (u *unpacker) hardlink(parent, base string, hdr *tar.Header) error {
	target, err := cleanName(hdr.Linkname)
	if err != nil {
		return fmt.Errorf("hardlink target %q: %w", shorten(hdr.Linkname), err)
	}
	pfd, err := u.prepare(parent, base, false)
	if err != nil {
		return err
	}
	tparent, tbase := splitName(target)
	tfd, err := u.dir(tparent, false)
	if err != nil {
		return fmt.Errorf("hardlink target %q: not in this layer: %w", shorten(hdr.Linkname), err)
	}
	if err := unix.Linkat(tfd, tbase, pfd, base, 0); err != nil {
		return fmt.Errorf("create hardlink to %q: %w", shorten(hdr.Linkname), err)
	}
	return nil
}

func (u *unpacker) node(parent, base string, hdr *tar.Header) error {
	pfd, err := u.prepare(parent, base, false)
	if err != nil {
		return err
	}
	mode := uint32(unix.S_IFIFO)
	switch hdr.Typeflag {
	case tar.TypeChar:
		mode = unix.S_IFCHR
	case tar.TypeBlock:
		mode = unix.S_IFBLK
	}
	dev := unix.Mkdev(uint32(hdr.Devmajor), uint32(hdr.Devminor))
	if err := unix.Mknodat(pfd, base, mode|0o600, int(dev)); err != nil {
		return fmt.Errorf("create device node: %w", err)
	}
	return u.meta(pfd, base, hdr, false)
}

// whiteout converts an AUFS-style whiteout to the overlayfs format.
func (u *unpacker) whiteout(parent, base string, hdr *tar.Header) error {
	if base == whiteoutOpaque {
		pfd, err := u.dir(parent, true)
		if err != nil {
			return err
		}
		return setxattr(pfd, ".", "trusted.overlay.opaque", []byte("y"))
	}
	if strings.HasPrefix(base, whiteoutMeta) {
		return nil // AUFS bookkeeping (.wh..wh.plnk, ...): nothing to do
	}
	target := strings.TrimPrefix(base, whiteoutPrefix)
	if target == "" || target == "." || target == ".." {
		return fmt.Errorf("whiteout of %q: %w", target, ErrUnsafe)
	}
	pfd, err := u.prepare(parent, target, false)
	if err != nil {
		return err
	}
	if err := unix.Mknodat(pfd, target, unix.S_IFCHR, 0); err != nil {
		return fmt.Errorf("create whiteout: %w", err)
	}
	if err := unix.Fchownat(pfd, target, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("chown whiteout: %w", err)
	}
	return nil
}

type writerOnly struct{ io.Writer }
type readerOnly struct{ io.Reader }
