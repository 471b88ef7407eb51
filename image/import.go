package image

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	goruntime "runtime"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// DefaultPath is the PATH of an imported image, Docker's default.
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Import stores a root filesystem tarball (plain, gzip or zstd) read from r
// as a one-layer image named ref ("" leaves it untagged). changes are
// Dockerfile instructions applied to its config, as `docker import --change`:
// CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, STOPSIGNAL, USER, VOLUME, WORKDIR.
// The default config has no command and Env PATH=DefaultPath. The tarball is
// kept as the layer's blob, as it arrived.
func (s *Store) Import(ctx context.Context, r io.Reader, ref string, changes ...string) (_ Image, err error) {
	var names []string
	if ref != "" {
		name, err := normalizeTag(ref)
		if err != nil {
			return Image{}, err
		}
		names = append(names, name)
	}
	cfg := Config{Env: []string{DefaultPath}}
	for _, c := range changes {
		if err := applyChange(&cfg, c); err != nil {
			return Image{}, fmt.Errorf("import image: %w", err)
		}
	}
	gc, err := lockFile(ctx, s.gcLockPath(), false)
	if err != nil {
		return Image{}, err
	}
	defer s.release(gc, &err)

	layer, err := s.importLayer(ctx, r)
	if err != nil {
		return Image{}, fmt.Errorf("import image: %w", err)
	}
	now := v1.Time{Time: time.Now().UTC().Truncate(time.Second)}
	cf := v1.ConfigFile{
		Architecture: goruntime.GOARCH,
		OS:           "linux",
		Created:      now,
		Config:       cfg,
		RootFS:       v1.RootFS{Type: "layers", DiffIDs: []v1.Hash{layer.info.DiffID}},
		History:      []v1.History{{Created: now, CreatedBy: "stack image import", Comment: "Imported from tarball"}},
	}
	config, err := json.Marshal(cf)
	if err != nil {
		return Image{}, fmt.Errorf("import image: %w", err)
	}
	id, err := s.putBlob(config)
	if err != nil {
		return Image{}, fmt.Errorf("import image: %w", err)
	}
	manifest, err := s.putManifest(newManifest(config, id, []layerBlob{layer}))
	if err != nil {
		return Image{}, fmt.Errorf("import image: %w", err)
	}
	if err := s.commit(ctx, id, manifest, []layerBlob{layer}, names, nil); err != nil {
		return Image{}, fmt.Errorf("import image: %w", err)
	}
	return s.Get(id.String())
}

// importLayer unpacks r while keeping its bytes as the layer's blob.
func (s *Store) importLayer(ctx context.Context, r io.Reader) (layerBlob, error) {
	f, err := os.CreateTemp(s.tmpDir(), "blob-")
	if err != nil {
		return layerBlob{}, fmt.Errorf("store layer: %w", err)
	}
	defer os.Remove(f.Name()) // gone once committed
	defer f.Close()
	br := bufio.NewReader(r)
	if _, err := br.Peek(1); err == io.EOF {
		return layerBlob{}, fmt.Errorf("empty tarball: %w", ErrFormat)
	}
	r = br
	h := sha256.New()
	w := io.MultiWriter(f, h)
	cr := &countingReader{r: io.TeeReader(r, w)}
	info, err := s.unpackLayer(ctx, cr, v1.Hash{}, nil)
	if err != nil {
		return layerBlob{}, err
	}
	rest, err := io.Copy(w, ctxReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		return layerBlob{}, fmt.Errorf("store layer: %w", err)
	}
	sp := spooled{path: f.Name(), digest: v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}, size: cr.n + rest}
	if err := s.commitBlob(sp); err != nil {
		return layerBlob{}, err
	}
	return layerBlob{info: info, blob: sp.digest, blobSize: sp.size, compression: blobCompression(s.blobPath(sp.digest))}, nil
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
