package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"
)

// pulledImage is an image whose blobs and layers are stored, ready to be
// recorded.
type pulledImage struct {
	id, manifest v1.Hash
	layers       []layerBlob
	upToDate     bool
}

// layerTypes are the layer media types Pull fetches; decompression goes by
// the bytes themselves.
var layerTypes = map[types.MediaType]bool{
	types.DockerLayer: true, types.DockerUncompressedLayer: true, types.OCILayer: true,
	types.OCILayerZStd: true, types.OCIUncompressedLayer: true,
}

// pullImage fetches the config and layers an image manifest lists and
// stores them with the manifest.
func (s *Store) pullImage(ctx context.Context, c *registryClient, manifest []byte, opt PullOptions) (pulledImage, error) {
	var p pulledImage
	var m v1.Manifest
	if err := json.Unmarshal(manifest, &m); err != nil {
		return p, fmt.Errorf("read manifest: %v: %w", err, ErrFormat)
	}
	config, err := c.config(ctx, m.Config)
	if err != nil {
		return p, err
	}
	p.id = m.Config.Digest
	var cf v1.ConfigFile
	if err := json.Unmarshal(config, &cf); err != nil {
		return p, fmt.Errorf("image config %q: %v: %w", p.id, err, ErrFormat)
	}
	if len(cf.RootFS.DiffIDs) != len(m.Layers) {
		return p, fmt.Errorf("image %q: config lists %d layers, manifest %d: %w",
			p.id, len(cf.RootFS.DiffIDs), len(m.Layers), ErrFormat)
	}
	for i, l := range m.Layers {
		if !layerTypes[l.MediaType] {
			return p, fmt.Errorf("layer %q of type %q: not supported: %w", l.Digest, l.MediaType, ErrFormat)
		}
		if l.Digest.Algorithm != "sha256" || cf.RootFS.DiffIDs[i].Algorithm != "sha256" {
			return p, fmt.Errorf("layer %q: not a sha256 digest: %w", l.Digest, ErrFormat)
		}
	}
	if p.layers, p.upToDate, err = s.pullLayers(ctx, c, m.Layers, cf.RootFS.DiffIDs, opt); err != nil {
		return p, err
	}
	if _, err := s.putBlob(config); err != nil {
		return p, err
	}
	p.manifest, err = s.putBlob(manifest)
	return p, err
}

// config fetches and checks an image config blob.
func (c *registryClient) config(ctx context.Context, d v1.Descriptor) ([]byte, error) {
	if d.Digest.Algorithm != "sha256" || d.Size > maxJSONBlob {
		return nil, fmt.Errorf("image config %q of %d bytes: %w", d.Digest, d.Size, ErrFormat)
	}
	body, err := c.blob(ctx, d.Digest, d.Size)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxJSONBlob+1))
	if err != nil {
		return nil, fmt.Errorf("read image config %q: %w", d.Digest, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != d.Digest.Hex {
		return nil, fmt.Errorf("image config %q: content has digest \"sha256:%x\": %w", d.Digest, sum, ErrDigestMismatch)
	}
	return data, nil
}

// pullLayers fetches the layers not stored yet, opt.Jobs at a time. A blob
// listed twice is fetched once.
func (s *Store) pullLayers(ctx context.Context, c *registryClient, descs []v1.Descriptor, diffIDs []v1.Hash,
	opt PullOptions) ([]layerBlob, bool, error) {
	report := opt.Progress
	if report == nil {
		report = func(Progress) {}
	}
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = 3
	}
	out := make([]layerBlob, len(descs))
	fetched := make([]bool, len(descs))
	first := map[v1.Hash]int{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, d := range descs {
		if j, ok := first[d.Digest]; ok {
			if diffIDs[j] != diffIDs[i] {
				return nil, false, fmt.Errorf("layer %q listed with two diffIDs: %w", d.Digest, ErrFormat)
			}
			continue
		}
		first[d.Digest] = i
		report(Progress{ID: d.Digest.Hex[:12], Status: StatusWaiting, Total: d.Size})
	}
	for i, d := range descs {
		if first[d.Digest] != i {
			continue
		}
		g.Go(func() (err error) {
			out[i], fetched[i], err = s.pullLayer(gctx, c, d, diffIDs[i], report)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, false, err
	}
	upToDate := true
	for i, d := range descs {
		out[i] = out[first[d.Digest]]
		upToDate = upToDate && !fetched[i]
	}
	return out, upToDate, nil
}
