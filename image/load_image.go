package image

import (
	"context"
	"encoding/json"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// archImage is one image found in an archive, not yet checked.
type archImage struct {
	config   spooled
	layers   []spooled
	names    []string
	manifest *spooled // an OCI layout's own manifest, kept as it is
}

// preparedImage is an image whose blobs and layers are stored and checked,
// ready to be recorded.
type preparedImage struct {
	id, manifest v1.Hash
	layers       []layerBlob
	names        []string
}

// prepareImage checks an archive's image and stores its blobs and layers.
func (s *Store) prepareImage(ctx context.Context, im archImage) (preparedImage, error) {
	id := im.config.digest
	p := preparedImage{id: id, names: im.names}
	config, err := readFileMax(im.config.path, maxJSONBlob)
	if err != nil {
		return p, fmt.Errorf("image config %q: %w", id, err)
	}
	var cf v1.ConfigFile
	if err := json.Unmarshal(config, &cf); err != nil {
		return p, fmt.Errorf("image config %q: %v: %w", id, err, ErrFormat)
	}
	if len(cf.RootFS.DiffIDs) != len(im.layers) {
		return p, fmt.Errorf("image %q: config lists %d layers, manifest %d: %w",
			id, len(cf.RootFS.DiffIDs), len(im.layers), ErrFormat)
	}
	for i, l := range im.layers {
		diffID := cf.RootFS.DiffIDs[i]
		if diffID.Algorithm != "sha256" {
			return p, fmt.Errorf("image %q: layer %q: %w", id, diffID, ErrFormat)
		}
		info, err := s.layerFromBlob(ctx, l, diffID)
		if err != nil {
			return p, fmt.Errorf("image %q: %w", id, err)
		}
		if err := s.commitBlob(l); err != nil {
			return p, err
		}
		p.layers = append(p.layers, layerBlob{info: info, blob: l.digest, blobSize: l.size,
			compression: blobCompression(l.path)})
	}
	if err := s.commitBlob(im.config); err != nil {
		return p, err
	}
	if im.manifest != nil {
		if err := s.commitBlob(*im.manifest); err != nil {
			return p, err
		}
		p.manifest = im.manifest.digest
		return p, nil
	}
	p.manifest, err = s.putManifest(newManifest(config, id, p.layers))
	return p, err
}
