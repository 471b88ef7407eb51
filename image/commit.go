package image

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// layerBlob is a layer whose blob and tree are stored.
type layerBlob struct {
	info        layerInfo
	blob        v1.Hash
	blobSize    int64
	compression Compression
}

// newManifest describes an image whose config and layer blobs are stored.
func newManifest(config []byte, configID v1.Hash, layers []layerBlob) v1.Manifest {
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     types.OCIManifestSchema1,
		Config: v1.Descriptor{
			MediaType: types.OCIConfigJSON,
			Size:      int64(len(config)),
			Digest:    configID,
		},
		Layers: []v1.Descriptor{},
	}
	for _, l := range layers {
		m.Layers = append(m.Layers, v1.Descriptor{
			MediaType: l.compression.mediaType(),
			Size:      l.blobSize,
			Digest:    l.blob,
		})
	}
	return m
}

// putManifest stores a manifest blob.
func (s *Store) putManifest(m v1.Manifest) (v1.Hash, error) {
	data, err := json.Marshal(m)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("write manifest: %w", err)
	}
	return s.putBlob(data)
}

// commit records an image whose blobs and layers are all stored and points
// names at it. An image already recorded keeps its record, gaining the
// repoDigests it lacked; names that pointed elsewhere move to it, as
// `docker load` does.
func (s *Store) commit(ctx context.Context, id, manifest v1.Hash, layers []layerBlob, names, repoDigests []string) error {
	var size int64
	for _, l := range layers {
		size += l.info.Size
	}
	// Writing names and records must not be cut short half-way by Ctrl-C.
	ctx = context.WithoutCancel(ctx)
	return s.withMeta(ctx, func(r refs) (bool, error) {
		rec, err := s.readRecord(id)
		write := errors.Is(err, ErrNotFound)
		if write {
			rec, err = imageRecord{Manifest: manifest, Size: size, Stored: time.Now().UTC()}, nil
		}
		if err != nil {
			return false, err
		}
		for _, d := range repoDigests {
			if !slices.Contains(rec.RepoDigests, d) {
				rec.RepoDigests, write = append(rec.RepoDigests, d), true
			}
		}
		if write {
			if err := s.writeRecord(id, rec); err != nil {
				return false, err
			}
		}
		for _, name := range names {
			r[name] = id.String()
		}
		return len(names) > 0, nil
	})
}
