package image

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
)

// copyInto writes one COPY item into the layer.
func copyInto(w *layerTar, src srcFS, it copyItem, own copyOwner) error {
	if it.Heredoc {
		hdr := own.header(&tar.Header{Typeflag: tar.TypeReg, Name: it.Dst, Mode: 0o644, Size: int64(len(it.Data)), ModTime: w.now})
		return w.add(hdr, strings.NewReader(it.Data))
	}
	if it.Archive {
		return extractArchive(w, src, it.Src, it.Dst)
	}
	return walkSource(src, it.Src, func(name string, fi fs.FileInfo) error {
		rel := strings.TrimPrefix(strings.TrimPrefix(name, it.Src), "/")
		if it.Src == "." {
			rel = name
		}
		dst := it.Dst
		if rel != "." && rel != "" {
			dst = path.Join(it.Dst, rel)
		}
		if dst == "." {
			return nil // the image's root keeps its own metadata
		}
		hdr := &tar.Header{Name: dst, ModTime: fi.ModTime(), Mode: int64(unixMode(fi))}
		var body io.ReadCloser
		switch {
		case fi.IsDir():
			hdr.Typeflag = tar.TypeDir
			if dst == it.Dst {
				if bfi, err := w.base.lstat(dst); err == nil && bfi.IsDir() {
					return nil // an existing destination keeps its metadata
				}
				hdr.Mode = 0o755
			}
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := src.readlink(name)
			if err != nil {
				return err
			}
			hdr.Typeflag, hdr.Linkname, hdr.Mode = tar.TypeSymlink, target, 0o777
		case fi.Mode().IsRegular():
			f, err := src.open(name)
			if err != nil {
				return err
			}
			defer f.Close()
			hdr.Typeflag, hdr.Size, body = tar.TypeReg, fi.Size(), f
		default:
			return nil // devices, pipes and sockets are not copied
		}
		if hdr.Typeflag != tar.TypeSymlink {
			own.header(hdr)
		} else {
			hdr.Uid, hdr.Gid = own.UID, own.GID
		}
		if err := w.add(hdr, body); err != nil {
			return fmt.Errorf("copy %q: %w", name, err)
		}
		return nil
	})
}

// header sets the owner and, with --chmod, the mode of hdr.
func (o copyOwner) header(hdr *tar.Header) *tar.Header {
	hdr.Uid, hdr.Gid = o.UID, o.GID
	if o.Mode != nil {
		hdr.Mode = *o.Mode
	}
	return hdr
}

// walkSource calls fn for src and everything below it, parents first, in
// name order; names .dockerignore excludes are left out.
func walkSource(fsys srcFS, src string, fn func(name string, fi fs.FileInfo) error) error {
	fi, err := fsys.lstat(src)
	if err != nil {
		return err
	}
	excluded := fsys.excluded(src)
	if !excluded {
		if err := fn(src, fi); err != nil {
			return err
		}
	}
	if !fi.IsDir() {
		return nil
	}
	if c, ok := fsys.(*contextFS); excluded && (!ok || !c.descend()) {
		return nil
	}
	names, err := fsys.readDir(src)
	if err != nil {
		return err
	}
	for _, n := range names {
		if err := walkSource(fsys, path.Join(src, n), fn); err != nil {
			return err
		}
	}
	return nil
}

// isArchive tells whether a file is a tar archive, compressed or not.
func isArchive(fsys srcFS, name string) bool {
	f, err := fsys.open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	zr, _, err := decompress(f)
	if err != nil {
		return false
	}
	defer zr.Close()
	_, err = tar.NewReader(zr).Next()
	return err == nil
}

// extractArchive writes an archive's entries under dst, as ADD does. Names
// cannot climb out of dst, and whiteouts are dropped: an archive adds
// files, it deletes none.
func extractArchive(w *layerTar, fsys srcFS, name, dst string) error {
	f, err := fsys.open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	zr, _, err := decompress(f)
	if err != nil {
		return err
	}
	defer zr.Close()
	tr := tar.NewReader(zr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return fmt.Errorf("read archive %q: %w", name, err)
		}
		rel := cleanSource(hdr.Name)
		if rel == "." || strings.HasPrefix(path.Base(rel), ".wh.") {
			continue
		}
		hdr.Name = path.Join(dst, rel)
		if hdr.Typeflag == tar.TypeLink {
			hdr.Linkname = path.Join(dst, cleanSource(hdr.Linkname))
		}
		hdr.Uname, hdr.Gname = "", ""
		if err := w.add(hdr, tr); err != nil {
			return fmt.Errorf("unpack archive %q: %w", name, err)
		}
	}
}
