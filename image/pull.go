package image

import (
	"context"
	"encoding/json"
	"fmt"
	goruntime "runtime"
	"strings"

	"github.com/distribution/reference"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// PullOptions tune Pull.
type PullOptions struct {
	RegistryOptions
	// Progress, when set, is told how each layer goes. It is called from
	// the goroutines fetching layers, so it must be safe for that.
	Progress func(Progress)
	// Jobs bounds the layers fetched at once; 0 means 3, as Docker.
	Jobs int
}

// Progress is news of one layer of a pull or push.
type Progress struct {
	ID      string // the layer blob's digest, 12 hex digits, as Docker shows it
	Status  string // one of the Status constants
	Current int64  // bytes fetched or sent so far
	Total   int64  // bytes of the blob
}

// Statuses of a layer, with Docker's words.
const (
	StatusWaiting     = "Waiting"
	StatusDownloading = "Downloading"
	StatusExists      = "Already exists"
	StatusPulled      = "Pull complete"
	StatusPushing     = "Pushing"
	StatusPushed      = "Pushed"
	StatusLayerExists = "Layer already exists"
)

// Pulled is what Pull stored.
type Pulled struct {
	Image    Image
	Name     string // the normalised reference pulled
	Digest   string // of the manifest or index the reference named
	UpToDate bool   // the image and all its layers were stored already
}

// Pull fetches the image ref names ("redis", "redis:7", "host:5000/app@sha256:...")
// from its registry into the store, Docker's way: short names are
// normalised, an index resolves to the linux image of this machine's
// architecture, layers (gzip, zstd or plain) are fetched a few at a time,
// each unpacked as it streams in and checked against its digest and diffID,
// and layers already stored are not fetched again. A reference by tag tags
// the image; every pull records name@digest in RepoDigests. Errors name the
// image and wrap ErrNotFound (unknown repository, tag or digest),
// ErrUnauthorized or ErrDigestMismatch; nothing of a failed pull stays.
func (s *Store) Pull(ctx context.Context, ref string, opt PullOptions) (_ Pulled, err error) {
	normalized, err := NormalizeName(ref)
	if err != nil {
		return Pulled{}, err
	}
	out := Pulled{Name: normalized}
	defer func() {
		if err != nil {
			err = fmt.Errorf("pull image %q: %w", normalized, err)
		}
	}()
	r, err := opt.parseRemote(normalized)
	if err != nil {
		return out, err
	}
	c, err := newRegistryClient(ctx, r.Context(), opt.RegistryOptions)
	if err != nil {
		return out, err
	}
	data, mt, top, err := c.manifest(ctx, r.Identifier())
	if err != nil {
		return out, err
	}
	out.Digest = top.String()
	if mt == types.OCIImageIndex || mt == types.DockerManifestList {
		if data, mt, err = c.platformManifest(ctx, data); err != nil {
			return out, err
		}
	}
	if mt != types.OCIManifestSchema1 && mt != types.DockerManifestSchema2 {
		return out, fmt.Errorf("manifest of type %q: not supported: %w", mt, ErrFormat)
	}
	gc, err := lockFile(ctx, s.gcLockPath(), false)
	if err != nil {
		return out, err
	}
	defer s.release(gc, &err)
	p, err := s.pullImage(ctx, c, data, opt)
	if err != nil {
		return out, err
	}
	var names []string
	if !strings.Contains(normalized, "@") {
		names = []string{normalized}
	}
	if err := s.commit(ctx, p.id, p.manifest, p.layers, names, []string{repoDigest(normalized, top)}); err != nil {
		return out, err
	}
	out.UpToDate = p.upToDate
	out.Image, err = s.Get(p.id.String())
	return out, err
}

// repoDigest is name@digest for a normalised name, as RepoDigests hold it.
func repoDigest(normalized string, d v1.Hash) string {
	named, err := reference.ParseNormalizedNamed(normalized)
	if err != nil {
		return normalized + "@" + d.String()
	}
	return reference.TrimNamed(named).Name() + "@" + d.String()
}

// platformManifest picks the linux image of this machine's architecture
// from an index and fetches its manifest.
func (c *registryClient) platformManifest(ctx context.Context, data []byte) ([]byte, types.MediaType, error) {
	var idx v1.IndexManifest
	if err := json.Unmarshal(data, &idx); err != nil {
		return nil, "", fmt.Errorf("read index: %v: %w", err, ErrFormat)
	}
	for _, d := range idx.Manifests {
		p := d.Platform
		if p == nil || p.OS != "linux" || p.Architecture != goruntime.GOARCH {
			continue
		}
		data, mt, _, err := c.manifest(ctx, d.Digest.String())
		return data, mt, err
	}
	return nil, "", fmt.Errorf("no image for linux/%s in the index: %w", goruntime.GOARCH, ErrNotFound)
}
