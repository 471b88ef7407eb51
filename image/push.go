package image

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync/atomic"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"
)

// PushOptions tune Push.
type PushOptions struct {
	RegistryOptions
	// Progress, when set, is told how each layer goes (StatusPushing,
	// StatusPushed, StatusLayerExists), from several goroutines.
	Progress func(Progress)
	// Jobs bounds the layers sent at once; 0 means 5, as Docker.
	Jobs int
}

// Pushed is what Push sent.
type Pushed struct {
	Name   string // the normalised name:tag pushed
	Digest string // of the manifest
	Size   int64  // of the manifest
}

// Push sends the image named ref (name:tag; "app" means app:latest) to its
// registry: the blobs the registry lacks, as the store keeps them, then the
// manifest under the tag. The image gains name@digest in RepoDigests.
func (s *Store) Push(ctx context.Context, ref string, opt PushOptions) (_ Pushed, err error) {
	normalized, err := normalizeTag(ref)
	if err != nil {
		return Pushed{}, err
	}
	out := Pushed{Name: normalized}
	defer func() {
		if err != nil {
			err = fmt.Errorf("push image %q: %w", normalized, err)
		}
	}()
	img, err := s.Get(normalized)
	if err != nil {
		return out, err
	}
	rec, err := s.readRecord(v1.Hash{Algorithm: "sha256", Hex: strings.TrimPrefix(img.ID, "sha256:")})
	if err != nil {
		return out, err
	}
	manifest, err := s.readBlob(rec.Manifest)
	if err != nil {
		return out, err
	}
	m, err := s.readManifest(rec.Manifest)
	if err != nil {
		return out, err
	}
	r, err := opt.parseRemote(normalized)
	if err != nil {
		return out, err
	}
	pusher, err := remote.NewPusher(remote.WithAuthFromKeychain(opt.keychain()), remote.WithTransport(opt.transport()))
	if err != nil {
		return out, err
	}
	blobs := append([]v1.Descriptor{m.Config}, m.Layers...)
	if err := s.pushBlobs(ctx, pusher, r.Context(), blobs, len(m.Layers), opt); err != nil {
		return out, err
	}
	mt := m.MediaType
	if mt == "" {
		mt = mediaTypeOf("", manifest)
	}
	if err := pusher.Put(ctx, r, rawManifest{manifest, mt}); err != nil {
		return out, registryError(err, "manifest")
	}
	out.Digest, out.Size = rec.Manifest.String(), int64(len(manifest))
	id, _ := parseDigest(img.ID)
	return out, s.commit(ctx, id, rec.Manifest, nil, nil, []string{repoDigest(normalized, rec.Manifest)})
}

// pushBlobs uploads the blobs (the config, then the layers) the registry
// lacks. Layers are reported; the config is not, as Docker does.
func (s *Store) pushBlobs(ctx context.Context, pusher *remote.Pusher, repo name.Repository, blobs []v1.Descriptor,
	layers int, opt PushOptions) error {
	report := opt.Progress
	if report == nil {
		report = func(Progress) {}
	}
	jobs := opt.Jobs
	if jobs <= 0 {
		jobs = 5
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for i, d := range blobs {
		id := d.Digest.Hex[:12]
		quiet := i == 0
		if !quiet {
			report(Progress{ID: id, Status: StatusWaiting, Total: d.Size})
		}
		g.Go(func() error {
			l := &storeBlob{s: s, d: d, report: func(n int64) {
				if !quiet {
					report(Progress{ID: id, Status: StatusPushing, Current: n, Total: d.Size})
				}
			}}
			if err := pusher.Upload(gctx, repo, l); err != nil {
				return fmt.Errorf("upload blob %q: %w", d.Digest, registryError(err, "repository"))
			}
			if status := StatusLayerExists; !quiet {
				if l.opened.Load() {
					status = StatusPushed
				}
				report(Progress{ID: id, Status: status, Current: d.Size, Total: d.Size})
			}
			return nil
		})
	}
	return g.Wait()
}

// rawManifest is a stored manifest as go-containerregistry's Put takes it.
type rawManifest struct {
	data []byte
	mt   types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.data, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mt, nil }

// storeBlob is a stored blob as a go-containerregistry layer: its bytes as
// they are kept, counted as they are read.
type storeBlob struct {
	s      *Store
	d      v1.Descriptor
	report func(n int64)
	opened atomic.Bool
}

func (b *storeBlob) Digest() (v1.Hash, error)            { return b.d.Digest, nil }
func (b *storeBlob) DiffID() (v1.Hash, error)            { return b.d.Digest, nil } // unused by uploads
func (b *storeBlob) Size() (int64, error)                { return b.d.Size, nil }
func (b *storeBlob) MediaType() (types.MediaType, error) { return b.d.MediaType, nil }

func (b *storeBlob) Compressed() (io.ReadCloser, error) {
	f, err := b.s.OpenBlob(b.d.Digest.String())
	if err != nil {
		return nil, err
	}
	b.opened.Store(true)
	return &countingReadCloser{r: f, report: b.report}, nil
}

func (b *storeBlob) Uncompressed() (io.ReadCloser, error) {
	return nil, fmt.Errorf("blob %q: uncompressed form not kept: %w", b.d.Digest, ErrFormat)
}

type countingReadCloser struct {
	r      io.ReadCloser
	report func(int64)
	n      int64
	last   int64
}

func (c *countingReadCloser) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n-c.last >= 512<<10 || err == io.EOF {
		c.last = c.n
		c.report(c.n)
	}
	return n, err
}

func (c *countingReadCloser) Close() error { return c.r.Close() }
