package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// cacheRecord is build/cache/<key>.json: what a build step made.
type cacheRecord struct {
	Empty       bool        `json:"empty,omitempty"` // the step changed no file
	DiffID      v1.Hash     `json:"diffID,omitzero"`
	Blob        v1.Hash     `json:"blob,omitzero"`
	BlobSize    int64       `json:"blobSize,omitempty"`
	Compression Compression `json:"compression,omitempty"`
	Created     time.Time   `json:"created"`
}

func (s *Store) cacheDir() string { return filepath.Join(s.dir, "build", "cache") }

// lookupCache finds the result of the step with key, if its layer is still
// stored.
func (s *Store) lookupCache(key string) (cacheRecord, layerBlob, bool) {
	var rec cacheRecord
	data, err := readFileMax(filepath.Join(s.cacheDir(), key+".json"), 1<<16)
	if err != nil || json.Unmarshal(data, &rec) != nil {
		return rec, layerBlob{}, false
	}
	if rec.Empty {
		return rec, layerBlob{}, true
	}
	info, err := s.readLayerInfo(rec.DiffID)
	if err != nil {
		return rec, layerBlob{}, false
	}
	if _, err := os.Stat(s.blobPath(rec.Blob)); err != nil {
		return rec, layerBlob{}, false
	}
	return rec, layerBlob{info: info, blob: rec.Blob, blobSize: rec.BlobSize, compression: rec.Compression}, true
}

// storeCache records the result of the step with key.
func (s *Store) storeCache(key string, rec cacheRecord) error {
	if err := os.MkdirAll(s.cacheDir(), 0o700); err != nil {
		return fmt.Errorf("store build cache: %w", err)
	}
	data, _ := json.Marshal(rec)
	return writeFileAtomic(filepath.Join(s.cacheDir(), key+".json"), data, 0o600)
}

// cacheReferences adds the layers and blobs the build cache keeps to those
// garbage collection leaves.
func (s *Store) cacheReferences(blobs, layers map[v1.Hash]bool) error {
	entries, err := os.ReadDir(s.cacheDir())
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read build cache: %w", err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		var rec cacheRecord
		data, err := readFileMax(filepath.Join(s.cacheDir(), e.Name()), 1<<16)
		if err != nil || json.Unmarshal(data, &rec) != nil || rec.Empty {
			continue // unreadable: it protects nothing and is never a hit
		}
		blobs[rec.Blob], layers[rec.DiffID] = true, true
	}
	return nil
}

// PruneBuildCache forgets every cached build step and frees the layers only
// the cache kept, as `docker builder prune -a` does.
func (s *Store) PruneBuildCache(ctx context.Context) (Collected, error) {
	l, err := lockFile(ctx, s.gcLockPath(), true)
	if err != nil {
		return Collected{}, err
	}
	defer l.unlock()
	if err := os.RemoveAll(s.cacheDir()); err != nil {
		return Collected{}, fmt.Errorf("prune build cache: %w", err)
	}
	return s.sweep()
}

// layerStep runs a file-changing step unless the cache has its result, and
// puts the layer it made (if any) on st. cached tells which it was.
func (b *builder) layerStep(st *buildState, key string, make func() (layerBlob, bool, error)) (cached bool, err error) {
	if !b.spec.NoCache {
		if _, lb, ok := b.s.lookupCache(key); ok {
			st.apply(key, lb, lb.blob.Hex == "")
			return true, nil
		}
	}
	lb, empty, err := make()
	if err != nil {
		return false, err
	}
	rec := cacheRecord{Empty: empty, Created: time.Now().UTC()}
	if !empty {
		rec.DiffID, rec.Blob, rec.BlobSize, rec.Compression = lb.info.DiffID, lb.blob, lb.blobSize, lb.compression
	}
	if err := b.s.storeCache(key, rec); err != nil {
		return false, err
	}
	st.apply(key, lb, empty)
	return false, nil
}

// apply puts a step's result on st.
func (st *buildState) apply(key string, lb layerBlob, empty bool) {
	st.key = key
	if !empty {
		st.layers = append(st.layers, lb)
		st.cfg.RootFS.DiffIDs = append(st.cfg.RootFS.DiffIDs, lb.info.DiffID)
	}
}
