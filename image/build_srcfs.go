package image

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// srcFS is what COPY and ADD read from: the build context, or the merged
// layers of a stage or image. Names are clean and relative ("." is the
// root); nothing outside the root is reachable, symlinks included.
type srcFS interface {
	lstat(name string) (fs.FileInfo, error)
	readDir(name string) ([]string, error) // sorted names
	open(name string) (io.ReadCloser, error)
	readlink(name string) (string, error)
	// excluded tells whether .dockerignore leaves name out.
	excluded(name string) bool
	// close releases what the file system holds open.
	close()
}

// contextFS is the build context, less what .dockerignore excludes.
type contextFS struct {
	root   *os.Root
	ignore *patternmatcher.PatternMatcher
}

func openContext(dir string) (*contextFS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("build context: %w", err)
	}
	c := &contextFS{root: root}
	f, err := root.Open(".dockerignore")
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("read .dockerignore: %w", err)
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err == nil {
		c.ignore, err = patternmatcher.New(patterns)
	}
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("read .dockerignore: %w", err)
	}
	return c, nil
}

func (c *contextFS) lstat(name string) (fs.FileInfo, error) { return c.root.Lstat(name) }
func (c *contextFS) readlink(name string) (string, error)   { return c.root.Readlink(name) }
func (c *contextFS) open(name string) (io.ReadCloser, error) {
	return c.root.Open(name)
}
func (c *contextFS) close() { c.root.Close() }

func (c *contextFS) readDir(name string) ([]string, error) {
	f, err := c.root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	slices.Sort(names)
	return names, err
}

func (c *contextFS) excluded(name string) bool {
	if c.ignore == nil || name == "." {
		return false
	}
	ex, _ := c.ignore.MatchesOrParentMatches(filepath.FromSlash(name))
	return ex
}

// descend tells whether a walk enters an excluded directory: only when
// some pattern re-includes what is below it.
func (c *contextFS) descend() bool { return c.ignore != nil && c.ignore.Exclusions() }

// cleanSource makes a COPY source a clean relative name: "/a/../b" -> "b".
func cleanSource(src string) string {
	p := path.Clean("/" + filepath.ToSlash(src))
	if p == "/" {
		return "."
	}
	return p[1:]
}

// glob expands a pattern of path.Match wildcards against fsys, component by
// component; names without wildcards come back as they are.
func glob(fsys srcFS, pattern string) ([]string, error) {
	if !strings.ContainsAny(pattern, `*?[\`) {
		return []string{pattern}, nil
	}
	matches := []string{"."}
	for _, part := range strings.Split(pattern, "/") {
		var next []string
		for _, m := range matches {
			if !strings.ContainsAny(part, `*?[\`) {
				next = append(next, path.Join(m, part))
				continue
			}
			names, err := fsys.readDir(m)
			if err != nil {
				continue
			}
			for _, n := range names {
				if ok, err := path.Match(part, n); err != nil {
					return nil, fmt.Errorf("pattern %q: %w", pattern, err)
				} else if ok {
					next = append(next, path.Join(m, n))
				}
			}
		}
		matches = next
	}
	var out []string
	for _, m := range matches {
		if _, err := fsys.lstat(m); err == nil && !fsys.excluded(m) {
			out = append(out, m)
		}
	}
	return out, nil
}
