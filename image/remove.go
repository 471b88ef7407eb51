package image

import (
	"context"
	"errors"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// RemoveOptions tune Remove.
type RemoveOptions struct {
	// Force deletes by ID an image tagged in several repositories, and lets
	// the last name of an image in use go (the image stays, untagged). An
	// image in use is never deleted, forced or not.
	Force bool
	// InUse reports whether a container uses the image with ID id
	// ("sha256:<hex>"). nil means no container uses any image.
	InUse func(id string) bool
}

// Removed is what Remove did, as `docker rmi` reports it.
type Removed struct {
	Untagged []string // normalised names
	Deleted  []string // image IDs
}

// Remove removes ref as `docker rmi` does. By name it untags that name and,
// if it was the image's last, deletes the image. By ID it removes the image
// and all its names. Layers and blobs no other image references are then
// freed, unless an import or load is under way (the next Remove or GC frees
// them).
func (s *Store) Remove(ctx context.Context, ref string, opt RemoveOptions) (Removed, error) {
	var out Removed
	inUse := func(id string) bool { return opt.InUse != nil && opt.InUse(id) }
	err := s.withMeta(ctx, func(r refs) (bool, error) {
		id, err := s.resolve(ref, r)
		if err != nil {
			return false, err
		}
		tags := r.tagsOf(id.String())
		name, nerr := NormalizeName(ref)
		if nerr == nil && r[name] == id.String() {
			if len(tags) > 1 || (inUse(id.String()) && opt.Force) {
				delete(r, name)
				out.Untagged = append(out.Untagged, name)
				return true, nil
			}
		} else if len(tags) > 1 && !opt.Force {
			return false, fmt.Errorf("remove image %q: tagged in %d repositories, remove it by name or force: %w",
				ref, len(tags), ErrConflict)
		}
		if inUse(id.String()) {
			return false, fmt.Errorf("remove image %q: %w", ref, ErrInUse)
		}
		for _, t := range tags {
			delete(r, t)
		}
		if err := os.Remove(s.imagePath(id)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return false, fmt.Errorf("remove image %q: %w", ref, err)
		}
		out.Untagged = append(out.Untagged, tags...)
		out.Deleted = append(out.Deleted, id.String())
		return len(tags) > 0, nil
	})
	if err != nil || len(out.Deleted) == 0 {
		return out, err
	}
	l, ok, err := tryLockFile(s.gcLockPath(), true)
	if err != nil || !ok {
		return out, nil // an import or load is under way: the next sweep frees it
	}
	defer l.unlock()
	_, err = s.sweep()
	return out, err
}

// Collected is what GC freed.
type Collected struct {
	Layers int   // layer trees removed
	Blobs  int   // blobs removed
	Bytes  int64 // their sizes: file content of the trees, bytes of the blobs
}

// GC deletes the layers and blobs that no image references and whatever
// tmp holds from interrupted work. It waits for imports and loads under way.
func (s *Store) GC(ctx context.Context) (Collected, error) {
	l, err := lockFile(ctx, s.gcLockPath(), true)
	if err != nil {
		return Collected{}, err
	}
	defer l.unlock()
	return s.sweep()
}

// referenced lists the blobs and layers the recorded images and the build
// cache use.
func (s *Store) referenced() (blobs, layers map[v1.Hash]bool, err error) {
	blobs, layers = map[v1.Hash]bool{}, map[v1.Hash]bool{}
	ids, err := s.imageIDs()
	if err != nil {
		return nil, nil, err
	}
	for _, id := range ids {
		rec, err := s.readRecord(id)
		if err != nil {
			return nil, nil, err
		}
		m, err := s.readManifest(rec.Manifest)
		if err != nil {
			return nil, nil, err
		}
		blobs[rec.Manifest], blobs[m.Config.Digest], blobs[id] = true, true, true
		for _, l := range m.Layers {
			blobs[l.Digest] = true
		}
		cf, err := s.readConfig(id)
		if err != nil {
			return nil, nil, err
		}
		for _, d := range cf.RootFS.DiffIDs {
			layers[d] = true
		}
	}
	if err := s.cacheReferences(blobs, layers); err != nil {
		return nil, nil, err
	}
	return blobs, layers, nil
}
