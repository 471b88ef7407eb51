package image

import (
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// layersFS is the merged view of unpacked layers, as overlayfs would show
// them: an upper layer's entry hides a lower one's, whiteouts (0:0 character
// devices) delete, opaque directories hide everything below them. Each
// layer is reached through os.Root, so no symlink leads out of it.
type layersFS struct {
	dirs  []string   // trees, bottom to top
	roots []*os.Root // opened lazily
}

func newLayersFS(trees []string) *layersFS {
	return &layersFS{dirs: trees, roots: make([]*os.Root, len(trees))}
}

func (l *layersFS) root(i int) (*os.Root, error) {
	if l.roots[i] == nil {
		r, err := os.OpenRoot(l.dirs[i])
		if err != nil {
			return nil, err
		}
		l.roots[i] = r
	}
	return l.roots[i], nil
}

func (l *layersFS) close() {
	for _, r := range l.roots {
		if r != nil {
			r.Close()
		}
	}
}

func (l *layersFS) excluded(string) bool { return false }

func isWhiteout(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return fi.Mode()&fs.ModeCharDevice != 0 && ok && st.Rdev == 0
}

// find returns the top layer that has name, and name's info there.
func (l *layersFS) find(name string) (int, fs.FileInfo, error) {
	for i := len(l.dirs) - 1; i >= 0; i-- {
		r, err := l.root(i)
		if err != nil {
			return 0, nil, err
		}
		if fi, err := r.Lstat(name); err == nil {
			if isWhiteout(fi) {
				break
			}
			return i, fi, nil
		}
		if l.hides(i, name) {
			break
		}
	}
	return 0, nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrNotExist}
}

// hides tells whether layer i hides name in the layers below: one of its
// parents there is a whiteout, not a directory, or an opaque directory.
func (l *layersFS) hides(i int, name string) bool {
	r, _ := l.root(i)
	parts := strings.Split(name, "/")
	for j := 1; j < len(parts); j++ {
		p := strings.Join(parts[:j], "/")
		fi, err := r.Lstat(p)
		if err != nil {
			return false // the layer does not have it: nothing further down to hide
		}
		if !fi.IsDir() || opaque(filepath.Join(l.dirs[i], p)) {
			return true
		}
	}
	return false
}

// opaque reads an overlayfs opaque mark. Its parents are checked to be
// directories of the layer first, so the path stays inside it.
func opaque(p string) bool {
	buf := make([]byte, 4)
	n, err := unix.Lgetxattr(p, "trusted.overlay.opaque", buf)
	return err == nil && n == 1 && buf[0] == 'y'
}

func (l *layersFS) lstat(name string) (fs.FileInfo, error) {
	_, fi, err := l.find(name)
	return fi, err
}

func (l *layersFS) open(name string) (io.ReadCloser, error) {
	i, _, err := l.find(name)
	if err != nil {
		return nil, err
	}
	return l.roots[i].Open(name)
}

func (l *layersFS) readlink(name string) (string, error) {
	i, _, err := l.find(name)
	if err != nil {
		return "", err
	}
	return l.roots[i].Readlink(name)
}

// readDir merges a directory's entries down the layers.
func (l *layersFS) readDir(name string) ([]string, error) {
	top, fi, err := l.find(name)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: syscall.ENOTDIR}
	}
	seen := map[string]bool{}
	var names []string
	for i := top; i >= 0; i-- {
		r, err := l.root(i)
		if err != nil {
			return nil, err
		}
		fi, err := r.Lstat(name)
		if err != nil {
			if l.hides(i, name) {
				break
			}
			continue
		}
		if !fi.IsDir() {
			break // a whiteout or a file hides what is below
		}
		f, err := r.Open(name)
		if err != nil {
			return nil, err
		}
		ents, err := f.Readdir(-1)
		f.Close()
		if err != nil {
			return nil, err
		}
		for _, e := range ents {
			if !seen[e.Name()] {
				seen[e.Name()] = true
				if !isWhiteout(e) {
					names = append(names, e.Name())
				}
			}
		}
		if opaque(filepath.Join(l.dirs[i], name)) {
			break
		}
	}
	slices.Sort(names)
	return names, nil
}

// resolve follows the symlinks among name's parents in the merged view,
// as a container would, staying inside the root: "bin/app" with bin ->
// usr/bin is "usr/bin/app". The last component is not followed.
func resolve(fsys srcFS, name string) string {
	todo := strings.Split(name, "/")
	var done []string
	for hops := 0; len(todo) > 1; {
		next := path.Join(append([]string{"."}, append(done, todo[0])...)...)
		if fi, err := fsys.lstat(next); err == nil && fi.Mode()&fs.ModeSymlink != 0 && hops < 40 {
			if target, err := fsys.readlink(next); err == nil {
				hops++
				base := "/" + strings.Join(done, "/")
				if path.IsAbs(target) {
					base = "/"
				}
				todo = append(strings.Split(cleanSource(path.Join(base, target)), "/"), todo[1:]...)
				done = nil
				continue
			}
		}
		done, todo = append(done, todo[0]), todo[1:]
	}
	return cleanSource(path.Join(append(done, todo...)...))
}
