package image

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// readManifest reads a stored image manifest.
func (s *Store) readManifest(h v1.Hash) (*v1.Manifest, error) {
	data, err := s.readBlob(h)
	if err != nil {
		return nil, err
	}
	var m v1.Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read manifest %q: %v: %w", h, err, ErrFormat)
	}
	return &m, nil
}

// release drops the shared gc.lock of an import, load or pull; if it
// failed, what it stored before failing is swept at once, unless other work
// is under way (then the next Remove or GC sweeps it). If it succeeded,
// what tmp holds of work killed before (a pull cut short) goes, when no
// other work is under way.
func (s *Store) release(shared *fileLock, failed *error) {
	shared.unlock()
	if l, ok, err := tryLockFile(s.gcLockPath(), true); err == nil && ok {
		if *failed != nil {
			s.sweep()
		} else {
			s.sweepTmp()
		}
		l.unlock()
	}
}

// sweep deletes what no image references. The caller holds gc.lock
// exclusively, so no import or load is under way. If an image cannot be
// read, nothing is deleted: what it references is unknown.
func (s *Store) sweep() (Collected, error) {
	var c Collected
	blobs, layers, err := s.referenced()
	if err != nil {
		return c, fmt.Errorf("collect garbage: %w", err)
	}
	layerRoot := filepath.Join(s.dir, "layers", "sha256")
	entries, err := os.ReadDir(layerRoot)
	if err != nil {
		return c, fmt.Errorf("collect garbage: %w", err)
	}
	for _, e := range entries {
		h := v1.Hash{Algorithm: "sha256", Hex: e.Name()}
		if layers[h] {
			continue
		}
		info, _ := s.readLayerInfo(h)
		// Renamed away first, so a half-deleted layer never looks whole.
		trash, err := s.mkTemp("gc-")
		if err != nil {
			return c, fmt.Errorf("collect garbage: %w", err)
		}
		if err := os.Rename(filepath.Join(layerRoot, e.Name()), filepath.Join(trash, "layer")); err != nil {
			return c, fmt.Errorf("remove layer %q: %w", h, err)
		}
		c.Layers++
		c.Bytes += info.Size
	}
	blobRoot := filepath.Join(s.dir, "blobs", "sha256")
	if entries, err = os.ReadDir(blobRoot); err != nil {
		return c, fmt.Errorf("collect garbage: %w", err)
	}
	for _, e := range entries {
		if blobs[v1.Hash{Algorithm: "sha256", Hex: e.Name()}] {
			continue
		}
		if fi, err := e.Info(); err == nil {
			c.Bytes += fi.Size()
		}
		if err := os.Remove(filepath.Join(blobRoot, e.Name())); err != nil {
			return c, fmt.Errorf("remove blob %q: %w", e.Name(), err)
		}
		c.Blobs++
	}
	return c, s.sweepTmp()
}

// sweepTmp empties tmp. The caller holds gc.lock exclusively, so nothing
// is under way: all of tmp is left over.
func (s *Store) sweepTmp() error {
	entries, err := os.ReadDir(s.tmpDir())
	if err != nil {
		return fmt.Errorf("collect garbage: %w", err)
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(s.tmpDir(), e.Name())); err != nil {
			return fmt.Errorf("collect garbage: %w", err)
		}
	}
	return nil
}
