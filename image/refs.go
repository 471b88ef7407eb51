package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
)

// refs maps normalised name:tag to an image ID ("sha256:<hex>").
type refs map[string]string

// readRefs reads references.json. It is replaced atomically, so a read
// without the lock sees one whole version.
func (s *Store) readRefs() (refs, error) {
	r := refs{}
	data, err := os.ReadFile(s.refsPath())
	if errors.Is(err, os.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read references: %w", err)
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("read references %q: %w", s.refsPath(), err)
	}
	return r, nil
}

// tagsOf returns the names pointing at id, sorted.
func (r refs) tagsOf(id string) []string {
	var tags []string
	for name, target := range r {
		if target == id {
			tags = append(tags, name)
		}
	}
	slices.Sort(tags)
	return tags
}

// withMeta runs fn with references.lock held and the current references;
// if fn returns changed, the references are written back. Image records are
// written and deleted inside fn too, so names and images change together.
func (s *Store) withMeta(ctx context.Context, fn func(r refs) (changed bool, err error)) error {
	l, err := lockFile(ctx, s.refsLockPath(), true)
	if err != nil {
		return err
	}
	defer l.unlock()
	r, err := s.readRefs()
	if err != nil {
		return err
	}
	changed, err := fn(r)
	if err != nil || !changed {
		return err
	}
	data, err := json.MarshalIndent(r, "", "\t")
	if err != nil {
		return fmt.Errorf("write references: %w", err)
	}
	return writeFileAtomic(s.refsPath(), append(data, '\n'), 0o600)
}
