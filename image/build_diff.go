package image

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// layerFromUpper makes a layer of a container's overlayfs upper directory:
// whiteouts (0:0 character devices) become .wh. entries, opaque
// directories get .wh..wh..opq, hardlinks stay linked, xattrs other than
// overlayfs's own are kept. Stubs of the mounts that the lower layers did
// not have are left out; empty tells that nothing else changed.
func (s *Store) layerFromUpper(ctx context.Context, upper string, mounts, lower []string) (layerBlob, bool, error) {
	root, err := os.OpenRoot(upper)
	if err != nil {
		return layerBlob{}, false, fmt.Errorf("read changes: %w", err)
	}
	defer root.Close()
	base := newLayersFS(lower)
	defer base.close()
	skip := mountStubs(root, base, mounts)
	var names []string
	err = fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if skip[name] && d.IsDir() {
			return fs.SkipDir
		}
		if name != "." && !skip[name] {
			names = append(names, name)
		}
		return ctx.Err()
	})
	if err != nil {
		return layerBlob{}, false, fmt.Errorf("read changes: %w", err)
	}
	if len(names) == 0 {
		return layerBlob{}, true, nil
	}
	lb, err := s.storeTar(ctx, func(tw *tar.Writer) error {
		links := map[uint64]string{}
		for _, name := range names {
			if err := upperEntry(tw, root, upper, name, links); err != nil {
				return fmt.Errorf("read change %q: %w", name, err)
			}
		}
		return nil
	})
	return lb, false, err
}

// mountStubs finds the empty files and directories the runner's mounts
// left in upper where the lower layers had nothing, and the directories
// holding only such stubs: made for them, or copied up for them unchanged
// but for their times.
func mountStubs(root *os.Root, base srcFS, mounts []string) map[string]bool {
	skip := map[string]bool{}
	for _, m := range mounts {
		for p := cleanSource(m); p != "."; p = path.Dir(p) {
			fi, err := root.Lstat(p)
			if err != nil {
				break
			}
			bfi, berr := base.lstat(p)
			stub := fi.Mode().IsRegular() && fi.Size() == 0 && berr != nil
			if fi.IsDir() && onlySkipped(root, p, skip) && !opaque(filepath.Join(root.Name(), p)) {
				stub = berr != nil || bfi.IsDir() && sameOwnerAndMode(fi, bfi)
			}
			if !stub {
				break
			}
			skip[p] = true
		}
	}
	return skip
}

func sameOwnerAndMode(a, b fs.FileInfo) bool {
	sa, oka := a.Sys().(*syscall.Stat_t)
	sb, okb := b.Sys().(*syscall.Stat_t)
	return oka && okb && a.Mode() == b.Mode() && sa.Uid == sb.Uid && sa.Gid == sb.Gid
}

func onlySkipped(root *os.Root, dir string, skip map[string]bool) bool {
	f, err := root.Open(dir)
	if err != nil {
		return false
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	if err != nil {
		return false
	}
	for _, n := range names {
		if !skip[path.Join(dir, n)] {
			return false
		}
	}
	return true
}

// upperEntry writes the tar entry, or entries, of one name of upper.
// links maps inodes already written to their names.
func upperEntry(tw *tar.Writer, root *os.Root, upper, name string, links map[uint64]string) error {
	fi, err := root.Lstat(name)
	if err != nil {
		return err
	}
	st := fi.Sys().(*syscall.Stat_t)
	if isWhiteout(fi) {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: path.Join(path.Dir(name), ".wh."+path.Base(name)),
			ModTime: fi.ModTime(), Format: tar.FormatPAX})
	}
	// Every parent of name is a directory of upper (the walk does not follow
	// symlinks), so the path stays inside it.
	full := filepath.Join(upper, name)
	hdr, err := tar.FileInfoHeader(fi, "")
	if err != nil {
		return err
	}
	hdr.Name, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = name, int(st.Uid), int(st.Gid), "", ""
	hdr.Mode = int64(unixMode(fi))
	hdr.Format = tar.FormatPAX
	if err := xattrs(full, hdr); err != nil {
		return err
	}
	var body io.ReadCloser
	switch {
	case fi.IsDir():
		hdr.Name += "/"
	case fi.Mode()&fs.ModeSymlink != 0:
		if hdr.Linkname, err = root.Readlink(name); err != nil {
			return err
		}
	case fi.Mode().IsRegular() && st.Nlink > 1 && links[st.Ino] != "":
		hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, links[st.Ino], 0
	case fi.Mode().IsRegular():
		if st.Nlink > 1 {
			links[st.Ino] = name
		}
		if body, err = root.Open(name); err != nil {
			return err
		}
		defer body.Close()
	case fi.Mode()&fs.ModeSocket != 0:
		return nil
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return err
	}
	if body != nil {
		if _, err := io.Copy(tw, io.LimitReader(body, hdr.Size)); err != nil {
			return err
		}
	}
	if fi.IsDir() && opaque(full) {
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name + "/.wh..wh..opq", ModTime: fi.ModTime(), Format: tar.FormatPAX})
	}
	return nil
}

// xattrs copies a file's xattrs into hdr, overlayfs's own left out;
// overlayfs features stack does not turn on are refused.
func xattrs(p string, hdr *tar.Header) error {
	size, err := unix.Llistxattr(p, nil)
	if err != nil || size == 0 {
		return nil
	}
	buf := make([]byte, size)
	if size, err = unix.Llistxattr(p, buf); err != nil {
		return nil
	}
	for _, key := range strings.Split(strings.TrimRight(string(buf[:size]), "\x00"), "\x00") {
		switch {
		case key == "trusted.overlay.redirect" || key == "trusted.overlay.metacopy":
			return errors.New("overlayfs redirect_dir or metacopy: not supported")
		case strings.HasPrefix(key, "trusted.overlay."):
			continue
		}
		val := make([]byte, 64<<10)
		n, err := unix.Lgetxattr(p, key, val)
		if err != nil {
			continue
		}
		if hdr.PAXRecords == nil {
			hdr.PAXRecords = map[string]string{}
		}
		hdr.PAXRecords["SCHILY.xattr."+key] = string(val[:n])
	}
	return nil
}
