package linux

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	pathrs "github.com/cyphar/filepath-securejoin/pathrs-lite"
	"golang.org/x/sys/unix"
)

// tarFrom writes src (relative to root, resolved inside it) to w as a tar
// archive whose names start with src's last element.
func tarFrom(ctx context.Context, root *os.File, src string, w io.Writer) error {
	rel := inside(src)
	dir, err := pathrs.OpenatInRoot(root, path.Dir(rel))
	if err != nil {
		return fmt.Errorf("%q: %w", src, err)
	}
	defer dir.Close()
	tw := tar.NewWriter(w)
	name := path.Base(rel)
	if rel == "." {
		name = "."
	}
	if err := tarEntry(ctx, tw, int(dir.Fd()), path.Base(rel), name); err != nil {
		return err
	}
	return tw.Close()
}

// tarEntry writes the entry entry of the directory dirfd, and what is
// under it, as name; nothing is followed.
func tarEntry(ctx context.Context, tw *tar.Writer, dirfd int, entry, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, entry, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return fmt.Errorf("%q: %w", name, err)
	}
	hdr := &tar.Header{Name: name, Mode: int64(st.Mode & 0o7777), Uid: int(st.Uid), Gid: int(st.Gid),
		ModTime: time.Unix(st.Mtim.Unix()), Format: tar.FormatPAX}
	switch st.Mode & unix.S_IFMT {
	case unix.S_IFDIR:
		hdr.Typeflag, hdr.Name = tar.TypeDir, name+"/"
	case unix.S_IFREG:
		hdr.Typeflag, hdr.Size = tar.TypeReg, st.Size
	case unix.S_IFLNK:
		buf := make([]byte, unix.PathMax)
		n, err := unix.Readlinkat(dirfd, entry, buf)
		if err != nil {
			return fmt.Errorf("%q: %w", name, err)
		}
		hdr.Typeflag, hdr.Linkname = tar.TypeSymlink, string(buf[:n])
	case unix.S_IFIFO:
		hdr.Typeflag = tar.TypeFifo
	case unix.S_IFCHR, unix.S_IFBLK:
		hdr.Typeflag = tar.TypeChar
		if st.Mode&unix.S_IFMT == unix.S_IFBLK {
			hdr.Typeflag = tar.TypeBlock
		}
		hdr.Devmajor, hdr.Devminor = int64(unix.Major(st.Rdev)), int64(unix.Minor(st.Rdev))
	default:
		return nil // sockets are not archived
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	switch hdr.Typeflag {
	case tar.TypeReg:
		fd, err := unix.Openat(dirfd, entry, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("%q: %w", name, err)
		}
		f := os.NewFile(uintptr(fd), name)
		_, err = io.CopyN(tw, f, st.Size)
		f.Close()
		if err != nil {
			return fmt.Errorf("%q: %w", name, err)
		}
	case tar.TypeDir:
		fd, err := unix.Openat(dirfd, entry, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			return fmt.Errorf("%q: %w", name, err)
		}
		d := os.NewFile(uintptr(fd), name)
		defer d.Close()
		names, err := d.Readdirnames(-1)
		if err != nil {
			return fmt.Errorf("%q: %w", name, err)
		}
		slices.Sort(names)
		for _, child := range names {
			if err := tarEntry(ctx, tw, fd, child, path.Join(name, child)); err != nil {
				return err
			}
		}
	}
	return nil
}

// untarInto extracts r into the existing directory dst (relative to root).
// Every entry is made through a handle on its parent resolved inside root,
// and never through a symlink at the entry itself.
func untarInto(ctx context.Context, root *os.File, dst string, r io.Reader) error {
	base := inside(dst)
	h, err := pathrs.OpenatInRoot(root, base)
	if err != nil {
		return fmt.Errorf("%q: %w", dst, err)
	}
	var st unix.Stat_t
	err = unix.Fstat(int(h.Fd()), &st)
	h.Close()
	if err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return fmt.Errorf("%q: not a directory", dst)
	}
	tr := tar.NewReader(r)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean("/" + hdr.Name)[1:]
		if name == "" || slices.Contains(strings.Split(hdr.Name, "/"), "..") {
			if name == "" && hdr.Typeflag == tar.TypeDir {
				continue
			}
			return fmt.Errorf("archive entry %q: leaves the destination", hdr.Name)
		}
		if err := untarEntry(root, path.Join(base, name), hdr, tr); err != nil {
			return fmt.Errorf("%q: %w", hdr.Name, err)
		}
	}
}

// untarEntry makes one archive entry at rel inside root.
func untarEntry(root *os.File, rel string, hdr *tar.Header, r io.Reader) error {
	parent, err := pathrs.MkdirAllHandle(root, path.Dir(rel), 0o755)
	if err != nil {
		return err
	}
	defer parent.Close()
	dirfd, leaf := int(parent.Fd()), path.Base(rel)
	mode := uint32(hdr.Mode & 0o7777)
	// Owner and mode are set through a descriptor of the entry itself, so a
	// symlink swapped in meanwhile is never followed.
	var fd int
	switch hdr.Typeflag {
	case tar.TypeDir:
		if err := unix.Mkdirat(dirfd, leaf, mode); err != nil && err != unix.EEXIST {
			return err
		}
		if fd, err = unix.Openat(dirfd, leaf, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0); err != nil {
			return err
		}
	case tar.TypeReg:
		fd, err = unix.Openat(dirfd, leaf, unix.O_WRONLY|unix.O_CREAT|unix.O_TRUNC|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode)
		if err == unix.ELOOP { // a symlink is there: replace it, never write through it
			unix.Unlinkat(dirfd, leaf, 0)
			fd, err = unix.Openat(dirfd, leaf, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, mode)
		}
		if err != nil {
			return err
		}
		// Write through a plain descriptor: an *os.File would close it again
		// when collected, after the unix.Close below.
		if _, err := io.Copy(fdWriter(fd), r); err != nil {
			unix.Close(fd)
			return err
		}
	case tar.TypeSymlink:
		unix.Unlinkat(dirfd, leaf, 0)
		if err := unix.Symlinkat(hdr.Linkname, dirfd, leaf); err != nil {
			return err
		}
		unix.Fchownat(dirfd, leaf, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW)
		return nil
	case tar.TypeFifo:
		unix.Unlinkat(dirfd, leaf, 0)
		if err := unix.Mkfifoat(dirfd, leaf, mode); err != nil {
			return err
		}
		unix.Fchownat(dirfd, leaf, hdr.Uid, hdr.Gid, unix.AT_SYMLINK_NOFOLLOW)
		return nil
	default:
		return fmt.Errorf("entries of type %q are not copied", string(hdr.Typeflag))
	}
	defer unix.Close(fd)
	unix.Fchown(fd, hdr.Uid, hdr.Gid)
	if err := unix.Fchmod(fd, mode); err != nil {
		return err
	}
	t := unix.NsecToTimeval(hdr.ModTime.UnixNano())
	return unix.Futimes(fd, []unix.Timeval{t, t})
}

// fdWriter writes to a raw descriptor it does not own.
type fdWriter int

func (w fdWriter) Write(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		m, err := unix.Write(int(w), p[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return n, err
		}
		n += m
	}
	return n, nil
}
