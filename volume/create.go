package volume

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/stackorch/stack/internal/atomicfile"
)

// Options shape a volume Create makes.
type Options struct {
	Labels map[string]string
	// Fill, if not nil, fills the new volume's directory before the volume
	// appears: Docker's copy-up of the image's content at the mount point.
	// It is not called for a volume that exists.
	Fill func(ctx context.Context, dir string) error
}

// Create returns the volume called name, making it first if it does not
// exist; created says whether this call made it. Two processes creating the
// same volume at once both get the one that won.
func (s *Store) Create(ctx context.Context, name string, o Options) (v Volume, created bool, err error) {
	if v, err := s.Get(name); !errors.Is(err, ErrNotFound) {
		return v, false, err
	}
	fail := func(err error) (Volume, bool, error) {
		return Volume{}, false, fmt.Errorf("create volume %q: %w", name, err)
	}
	tmp, err := os.MkdirTemp(s.dir, ".new-")
	if err != nil {
		return fail(err)
	}
	defer os.RemoveAll(tmp) // empty once renamed into place
	if err := os.Chmod(tmp, 0o711); err != nil {
		return fail(err)
	}
	data := filepath.Join(tmp, "_data")
	if err := os.Mkdir(data, 0o755); err != nil {
		return fail(err)
	}
	if o.Fill != nil {
		if err := o.Fill(ctx, data); err != nil {
			return fail(err)
		}
	}
	meta := meta{Labels: o.Labels, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	if err := atomicfile.WriteJSON(filepath.Join(tmp, "volume.json"), meta, 0o600); err != nil {
		return fail(err)
	}
	if err := os.Rename(tmp, filepath.Join(s.dir, name)); err != nil {
		if errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY) {
			v, err := s.Get(name) // made meanwhile by someone else
			return v, false, err
		}
		return fail(err)
	}
	v, err = s.Get(name)
	return v, err == nil, err
}

// Remove deletes the volume called name and its content.
func (s *Store) Remove(ctx context.Context, name string) error {
	if _, err := s.Get(name); err != nil {
		return err
	}
	trash, err := os.MkdirTemp(s.dir, ".rm-")
	if err != nil {
		return fmt.Errorf("remove volume %q: %w", name, err)
	}
	// Renamed away first, so that a half-removed volume is never seen.
	if err := os.Rename(filepath.Join(s.dir, name), filepath.Join(trash, name)); err != nil {
		os.Remove(trash)
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("volume %q: %w", name, ErrNotFound)
		}
		return fmt.Errorf("remove volume %q: %w", name, err)
	}
	if err := os.RemoveAll(trash); err != nil {
		return fmt.Errorf("remove volume %q: %w", name, err)
	}
	return nil
}
