package image

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Get returns the image ref names: a name ("busybox", "busybox:1.36",
// "docker.io/library/busybox:latest", "name@sha256:..."), a full ID
// ("sha256:<hex>" or the bare hex) or an unambiguous prefix of one. Names are
// tried before ID prefixes, as Docker does. An unknown image is an error
// wrapping ErrNotFound that names it: `image "docker.io/library/foo:latest":
// not found`.
func (s *Store) Get(ref string) (Image, error) {
	r, err := s.readRefs()
	if err != nil {
		return Image{}, err
	}
	id, err := s.resolve(ref, r)
	if err != nil {
		return Image{}, err
	}
	return s.image(id, r)
}

// List returns every stored image, the most recently created first.
func (s *Store) List() ([]Image, error) {
	r, err := s.readRefs()
	if err != nil {
		return nil, err
	}
	ids, err := s.imageIDs()
	if err != nil {
		return nil, err
	}
	images := make([]Image, 0, len(ids))
	for _, id := range ids {
		img, err := s.image(id, r)
		if err != nil {
			return nil, err
		}
		images = append(images, img)
	}
	slices.SortStableFunc(images, func(a, b Image) int {
		if c := b.Created.Compare(a.Created); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return images, nil
}

// imageIDs lists the images that have a record.
func (s *Store) imageIDs() ([]v1.Hash, error) {
	entries, err := os.ReadDir(filepath.Join(s.dir, "images", "sha256"))
	if err != nil {
		return nil, fmt.Errorf("list images: %w", err)
	}
	var ids []v1.Hash
	for _, e := range entries {
		hex, ok := strings.CutSuffix(e.Name(), ".json")
		if ok && len(hex) == 64 && isHex(hex) {
			ids = append(ids, v1.Hash{Algorithm: "sha256", Hex: hex})
		}
	}
	return ids, nil
}

// resolve finds the image ID ref names (see Get).
func (s *Store) resolve(ref string, r refs) (v1.Hash, error) {
	if hex, ok := strings.CutPrefix(ref, "sha256:"); ok {
		return s.resolveID(ref, hex)
	}
	if len(ref) == 64 && isHex(ref) {
		return s.resolveID(ref, ref)
	}
	name, nerr := NormalizeName(ref)
	if nerr == nil {
		if strings.Contains(name, "@") {
			if id, ok := s.byRepoDigest(name); ok {
				return id, nil
			}
		} else if id, ok := r[name]; ok {
			return parseDigest(id)
		}
	}
	if isHex(ref) {
		if id, err := s.resolveID(ref, ref); err == nil || nerr != nil {
			return id, err
		}
	}
	if nerr != nil {
		return v1.Hash{}, nerr
	}
	return v1.Hash{}, fmt.Errorf("image %q: %w", name, ErrNotFound)
}

// resolveID finds the image whose ID is, or starts with, hex.
func (s *Store) resolveID(ref, hex string) (v1.Hash, error) {
	if !isHex(hex) || len(hex) > 64 {
		return v1.Hash{}, fmt.Errorf("image ID %q: %w", ref, ErrInvalidReference)
	}
	ids, err := s.imageIDs()
	if err != nil {
		return v1.Hash{}, err
	}
	var found []v1.Hash
	for _, id := range ids {
		if strings.HasPrefix(id.Hex, hex) {
			found = append(found, id)
		}
	}
	switch len(found) {
	case 0:
		return v1.Hash{}, fmt.Errorf("image %q: %w", ref, ErrNotFound)
	case 1:
		return found[0], nil
	}
	return v1.Hash{}, fmt.Errorf("image ID prefix %q matches %d images: %w", ref, len(found), ErrConflict)
}

// byRepoDigest finds the image pulled as name@digest.
func (s *Store) byRepoDigest(name string) (v1.Hash, bool) {
	ids, _ := s.imageIDs()
	for _, id := range ids {
		rec, err := s.readRecord(id)
		if err == nil && slices.Contains(rec.RepoDigests, name) {
			return id, true
		}
	}
	return v1.Hash{}, false
}
