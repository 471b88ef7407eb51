package volume

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// CopyUp copies into dst what a container of an image sees at target: the
// merge of the image's unpacked layers (bottom to top, whiteouts in
// overlayfs's format) at that path, with modes, owners and times. This is
// Docker's copy-up, which fills a new volume from the image. A target that
// is missing or not a directory copies nothing. Symbolic links on the way to
// target resolve inside the image, never on the host.
func CopyUp(ctx context.Context, dst string, layers []string, target string) error {
	m := merged{layers: layers}
	dir, ok := m.resolve(target)
	if !ok {
		return nil
	}
	srcs := m.contributors(dir)
	if len(srcs) == 0 {
		return nil
	}
	if err := copyAttrs(filepath.Join(srcs[len(srcs)-1], dir), dst); err != nil {
		return fmt.Errorf("copy %q from the image: %w", target, err)
	}
	for _, layer := range srcs {
		if err := overlay(ctx, filepath.Join(layer, dir), dst); err != nil {
			return fmt.Errorf("copy %q from the image: %w", target, err)
		}
	}
	return nil
}

// merged is the overlay of an image's layers, read without mounting it.
type merged struct{ layers []string }

// lookup returns the topmost layer's entry at p (clean, relative), or
// false if no layer has it or a whiteout hides it.
func (m merged) lookup(p string) (string, fs.FileInfo, bool) {
	for i := len(m.layers) - 1; i >= 0; i-- {
		full := filepath.Join(m.layers[i], p)
		fi, err := os.Lstat(full)
		if err != nil {
			continue
		}
		if whiteout(fi) {
			return "", nil, false
		}
		return full, fi, true
	}
	return "", nil, false
}

// resolve follows target inside the image to a directory, relative to
// the image's root; false if it is missing or not a directory.
func (m merged) resolve(target string) (string, bool) {
	rest := strings.Split(strings.Trim(path.Clean("/"+target), "/"), "/")
	cur := ""
	for hops := 0; len(rest) > 0; {
		name := rest[0]
		rest = rest[1:]
		if name == "" || name == "." {
			continue
		}
		if name == ".." {
			cur = path.Dir("/" + cur)[1:]
			continue
		}
		next := path.Join(cur, name)
		full, fi, ok := m.lookup(next)
		switch {
		case !ok:
			return "", false
		case fi.Mode()&fs.ModeSymlink != 0:
			if hops++; hops > 40 {
				return "", false
			}
			link, err := os.Readlink(full)
			if err != nil {
				return "", false
			}
			if path.IsAbs(link) {
				cur = ""
			}
			rest = append(strings.Split(link, "/"), rest...)
		case !fi.IsDir():
			return "", false
		default:
			cur = next
		}
	}
	return cur, true
}

// contributors lists, bottom to top, the layers whose directory dir shows
// in the merge: from the top down until one hides those below it.
func (m merged) contributors(dir string) []string {
	var out []string
	parts := strings.Split(dir, "/")
	for i := len(m.layers) - 1; i >= 0; i-- {
		has, stop := true, false
		for j := range parts {
			fi, err := os.Lstat(filepath.Join(m.layers[i], filepath.Join(parts[:j+1]...)))
			if err != nil {
				has = false
				break
			}
			if !fi.IsDir() {
				has, stop = false, true // a whiteout, a file or a link hides the lower layers
				break
			}
			if opaque(filepath.Join(m.layers[i], filepath.Join(parts[:j+1]...))) {
				stop = true
			}
		}
		if has {
			out = append([]string{m.layers[i]}, out...)
		}
		if stop {
			break
		}
	}
	return out
}

func whiteout(fi fs.FileInfo) bool {
	if fi.Mode()&fs.ModeCharDevice == 0 {
		return false
	}
	st, ok := fi.Sys().(*unix.Stat_t)
	return !ok || st.Rdev == 0
}

func opaque(dir string) bool {
	buf := make([]byte, 2)
	n, err := unix.Lgetxattr(dir, "trusted.overlay.opaque", buf)
	return err == nil && n == 1 && buf[0] == 'y'
}
