// Package volume keeps named volumes: directories under the stack root,
// <root>/volumes/<name>/_data, each with its labels in volume.json beside
// it. A volume appears whole or not at all: it is made in a temporary
// directory, filled (Docker's copy-up of the image's content), then renamed
// into place. It knows nothing of projects or containers: callers label
// volumes and decide which to remove.
package volume

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"

	"github.com/stackorch/stack/internal/atomicfile"
)

// Sentinel errors; check them with errors.Is.
var (
	ErrNotFound = errors.New("no such volume")
	ErrInvalid  = errors.New("invalid volume name")
)

// Labels the callers put on volumes, as Docker and Docker Compose do.
const (
	LabelAnonymous = "com.docker.volume.anonymous"
	// LabelContainer names the container an anonymous volume belongs to.
	LabelContainer = "io.stack.container"
)

// Volume is one named volume.
type Volume struct {
	Name       string
	Driver     string // always "local"
	Labels     map[string]string
	CreatedAt  time.Time
	Mountpoint string // the directory containers see
	Scope      string // always "local"
}

// Store is the volumes under one stack root. Processes sharing the root
// may use it at once.
type Store struct{ dir string }

// Open opens the volumes under root (the stack root), creating their
// directory on first use.
func Open(root string) (*Store, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("open volumes: %w", err)
	}
	s := &Store{dir: filepath.Join(root, "volumes")}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return nil, fmt.Errorf("open volumes %q: %w", s.dir, err)
	}
	return s, nil
}

var validName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

func check(name string) error {
	if !validName.MatchString(name) || len(name) > 255 {
		return fmt.Errorf("volume %q: %w: use letters, digits, '_', '.' and '-'", name, ErrInvalid)
	}
	return nil
}

// Path is the directory containers of volume name mount.
func (s *Store) Path(name string) string { return filepath.Join(s.dir, name, "_data") }

func (s *Store) metaFile(name string) string { return filepath.Join(s.dir, name, "volume.json") }

// Get returns the volume called name.
func (s *Store) Get(name string) (Volume, error) {
	if err := check(name); err != nil {
		return Volume{}, err
	}
	var m meta
	if err := atomicfile.ReadJSON(s.metaFile(name), &m); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Volume{}, fmt.Errorf("volume %q: %w", name, ErrNotFound)
		}
		return Volume{}, fmt.Errorf("read volume %q: %w", name, err)
	}
	return Volume{Name: name, Driver: "local", Labels: m.Labels, CreatedAt: m.CreatedAt, Mountpoint: s.Path(name), Scope: "local"}, nil
}

// meta is a volume's volume.json.
type meta struct {
	Labels    map[string]string `json:",omitempty"`
	CreatedAt time.Time
}

// List returns every volume whose labels include labels, by name.
func (s *Store) List(labels map[string]string) ([]Volume, error) {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return nil, fmt.Errorf("list volumes: %w", err)
	}
	var out []Volume
	for _, e := range entries {
		if !e.IsDir() || check(e.Name()) != nil {
			continue // a temporary or a removal in progress
		}
		v, err := s.Get(e.Name())
		if err != nil {
			continue
		}
		if matches(v.Labels, labels) {
			out = append(out, v)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func matches(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}
