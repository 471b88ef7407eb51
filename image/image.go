package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Config is the OCI image config the engine runs with: Entrypoint, Cmd, Env,
// WorkingDir, User, ExposedPorts, Volumes, Labels, StopSignal, Healthcheck.
type Config = v1.Config

// HealthConfig is an image's healthcheck.
type HealthConfig = v1.HealthConfig

// Image is a stored image.
type Image struct {
	ID          string   // "sha256:<hex>", the digest of the image config
	RepoTags    []string // normalised names: "docker.io/library/busybox:latest"
	RepoDigests []string // name@digest of the manifest, for images from a registry
	Manifest    string   // digest of the image's manifest blob
	Config      Config
	// Layers are the unpacked layer trees, bottom to top. overlayfs's
	// lowerdir= option lists the top one first: reverse them for it.
	Layers       []string
	DiffIDs      []string // of the layers, bottom to top
	Size         int64    // bytes of the layers' files
	Created      time.Time
	Stored       time.Time // when this store got the image
	Architecture string
	OS           string
	Variant      string
	Author       string
}

// imageRecord is images/sha256/<id>.json.
type imageRecord struct {
	Manifest    v1.Hash   `json:"manifest"`
	RepoDigests []string  `json:"repoDigests,omitempty"`
	Size        int64     `json:"size"`
	Stored      time.Time `json:"stored"`
}

func (s *Store) readRecord(id v1.Hash) (imageRecord, error) {
	var rec imageRecord
	data, err := readFileMax(s.imagePath(id), 1<<20)
	if errors.Is(err, os.ErrNotExist) {
		return rec, fmt.Errorf("image %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return rec, fmt.Errorf("read image %q: %w", id, err)
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return rec, fmt.Errorf("read image %q: %w", id, err)
	}
	return rec, nil
}

func (s *Store) writeRecord(id v1.Hash, rec imageRecord) error {
	data, err := json.MarshalIndent(rec, "", "\t")
	if err != nil {
		return fmt.Errorf("write image %q: %w", id, err)
	}
	return writeFileAtomic(s.imagePath(id), append(data, '\n'), 0o600)
}

// readConfig reads and parses an image's config blob.
func (s *Store) readConfig(id v1.Hash) (*v1.ConfigFile, error) {
	data, err := s.readBlob(id)
	if err != nil {
		return nil, err
	}
	var cf v1.ConfigFile
	if err := json.Unmarshal(data, &cf); err != nil {
		return nil, fmt.Errorf("image config %q: %v: %w", id, err, ErrFormat)
	}
	return &cf, nil
}

// image assembles the Image with ID id from its record, config and names.
func (s *Store) image(id v1.Hash, r refs) (Image, error) {
	rec, err := s.readRecord(id)
	if err != nil {
		return Image{}, err
	}
	cf, err := s.readConfig(id)
	if err != nil {
		return Image{}, err
	}
	img := Image{
		ID:           id.String(),
		RepoTags:     r.tagsOf(id.String()),
		RepoDigests:  rec.RepoDigests,
		Manifest:     rec.Manifest.String(),
		Config:       cf.Config,
		Size:         rec.Size,
		Created:      cf.Created.Time,
		Stored:       rec.Stored,
		Architecture: cf.Architecture,
		OS:           cf.OS,
		Variant:      cf.Variant,
		Author:       cf.Author,
	}
	for _, d := range cf.RootFS.DiffIDs {
		img.DiffIDs = append(img.DiffIDs, d.String())
		img.Layers = append(img.Layers, s.layerTree(d))
	}
	return img, nil
}
