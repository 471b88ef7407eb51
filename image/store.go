package image

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Store is the image store under one stack root. It is safe for concurrent
// use by goroutines and by processes sharing the root.
type Store struct {
	dir string // <root>/image
	// Limits bound each layer the store unpacks; DefaultLimits unless set.
	Limits Limits
}

// Open opens the store under root (the stack root, /var/lib/stack by
// default), creating its directories on first use.
func Open(root string) (*Store, error) {
	root, err := filepath.Abs(root) // layer paths end up in mount options
	if err != nil {
		return nil, fmt.Errorf("open image store: %w", err)
	}
	s := &Store{dir: filepath.Join(root, "image"), Limits: DefaultLimits}
	if err := os.MkdirAll(root, 0o711); err != nil {
		return nil, fmt.Errorf("open image store %q: %w", s.dir, err)
	}
	if err := os.Mkdir(s.dir, 0o700); err != nil && !os.IsExist(err) {
		return nil, fmt.Errorf("open image store %q: %w", s.dir, err)
	}
	for _, d := range []string{"blobs/sha256", "layers/sha256", "images/sha256", "tmp"} {
		if err := os.MkdirAll(filepath.Join(s.dir, d), 0o700); err != nil {
			return nil, fmt.Errorf("open image store %q: %w", s.dir, err)
		}
	}
	return s, nil
}

// Dir is the store's directory, <root>/image.
func (s *Store) Dir() string { return s.dir }

func (s *Store) blobPath(h v1.Hash) string {
	return filepath.Join(s.dir, "blobs", "sha256", h.Hex)
}

func (s *Store) layerDir(diffID v1.Hash) string {
	return filepath.Join(s.dir, "layers", "sha256", diffID.Hex)
}

// layerTree is the unpacked tree of a layer: what the engine mounts.
func (s *Store) layerTree(diffID v1.Hash) string {
	return filepath.Join(s.layerDir(diffID), "tree")
}

func (s *Store) imagePath(id v1.Hash) string {
	return filepath.Join(s.dir, "images", "sha256", id.Hex+".json")
}

func (s *Store) tmpDir() string                  { return filepath.Join(s.dir, "tmp") }
func (s *Store) refsPath() string                { return filepath.Join(s.dir, "references.json") }
func (s *Store) refsLockPath() string            { return filepath.Join(s.dir, "references.lock") }
func (s *Store) gcLockPath() string              { return filepath.Join(s.dir, "gc.lock") }
func (s *Store) mkTemp(p string) (string, error) { return os.MkdirTemp(s.tmpDir(), p) }

// parseDigest parses "sha256:<64 hex>", the only digest the store keeps.
func parseDigest(s string) (v1.Hash, error) {
	h, err := v1.NewHash(s)
	if err != nil || h.Algorithm != "sha256" {
		return v1.Hash{}, fmt.Errorf("digest %q: %w", s, ErrFormat)
	}
	return h, nil
}

// isHex tells whether s is a non-empty run of lowercase hex digits.
func isHex(s string) bool {
	return s != "" && strings.Trim(s, "0123456789abcdef") == ""
}
