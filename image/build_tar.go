package image

import (
	"archive/tar"
	"context"
	"errors"
	"io"
	"io/fs"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/klauspost/compress/gzip"
)

// storeTar stores the layer write produces, streamed through gzip into the
// store: the compressed stream is kept as the layer's blob and unpacked
// into its tree as it goes.
func (s *Store) storeTar(ctx context.Context, write func(tw *tar.Writer) error) (layerBlob, error) {
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		zw, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed)
		tw := tar.NewWriter(zw)
		err := write(tw)
		if err == nil {
			err = tw.Close()
		}
		if err == nil {
			err = zw.Close()
		}
		pw.CloseWithError(err)
		done <- err
	}()
	lb, err := s.importLayer(ctx, pr)
	pr.CloseWithError(errors.New("layer reader gone")) // frees a writer left behind
	if werr := <-done; err == nil && werr != nil {
		err = werr
	}
	return lb, err
}

// layerTar writes entries on top of base, the merged view of the layers
// below: each entry's missing parents first, with the metadata base has
// for them, else 0755 root:root.
type layerTar struct {
	tw   *tar.Writer
	base srcFS
	dirs map[string]bool // directories written
	now  time.Time
}

func newLayerTar(tw *tar.Writer, base srcFS) *layerTar {
	return &layerTar{tw: tw, base: base, dirs: map[string]bool{}, now: time.Now().UTC().Truncate(time.Second)}
}

// add writes hdr (a clean relative name) and body, parents first.
func (w *layerTar) add(hdr *tar.Header, body io.Reader) error {
	name := strings.TrimSuffix(hdr.Name, "/")
	if err := w.parents(name); err != nil {
		return err
	}
	if hdr.Typeflag == tar.TypeDir {
		if w.dirs[name] {
			return nil
		}
		w.dirs[name] = true
		hdr.Name = name + "/"
	}
	if err := w.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if body != nil && hdr.Typeflag == tar.TypeReg {
		if _, err := io.Copy(w.tw, body); err != nil {
			return err
		}
	}
	return nil
}

// parents writes the directories above name that are not written yet.
func (w *layerTar) parents(name string) error {
	dir := path.Dir(name)
	if dir == "." || dir == "/" || w.dirs[dir] {
		return nil
	}
	if err := w.parents(dir); err != nil {
		return err
	}
	hdr := &tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: w.now}
	if fi, err := w.base.lstat(dir); err == nil && fi.IsDir() {
		hdr.Mode, hdr.ModTime = int64(unixMode(fi)), fi.ModTime()
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			hdr.Uid, hdr.Gid = int(st.Uid), int(st.Gid)
		}
	}
	w.dirs[dir] = true
	return w.tw.WriteHeader(hdr)
}

// unixMode is a file's permission bits with setuid, setgid and sticky, as
// tar keeps them.
func unixMode(fi fs.FileInfo) uint32 {
	m := uint32(fi.Mode().Perm())
	if fi.Mode()&fs.ModeSetuid != 0 {
		m |= syscall.S_ISUID
	}
	if fi.Mode()&fs.ModeSetgid != 0 {
		m |= syscall.S_ISGID
	}
	if fi.Mode()&fs.ModeSticky != 0 {
		m |= syscall.S_ISVTX
	}
	return m
}
