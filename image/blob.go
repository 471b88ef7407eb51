package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// maxJSONBlob bounds the configs, manifests and indexes the store reads.
const maxJSONBlob = 8 << 20

// spooled is a file written to tmp whose digest and size are known.
type spooled struct {
	path   string
	digest v1.Hash
	size   int64
}

// spool copies r into a new file in dir, hashing it; ctx stops the copy.
func spool(ctx context.Context, dir string, r io.Reader) (spooled, error) {
	f, err := os.CreateTemp(dir, "blob-")
	if err != nil {
		return spooled{}, fmt.Errorf("spool blob: %w", err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), ctxReader{ctx, r})
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(f.Name())
		return spooled{}, fmt.Errorf("spool blob: %w", err)
	}
	return spooled{f.Name(), v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}, n}, nil
}

// commitBlob links a spooled file into blobs/, leaving the spooled name for
// the caller to remove. A blob already there has the same content, so either
// copy will do.
func (s *Store) commitBlob(sp spooled) error {
	dst := s.blobPath(sp.digest)
	if err := os.Link(sp.path, dst); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("store blob %q: %w", sp.digest, err)
	}
	return syncDir(filepath.Dir(dst))
}

// putBlob stores data (a config or manifest) and returns its digest.
func (s *Store) putBlob(data []byte) (v1.Hash, error) {
	sum := sha256.Sum256(data)
	h := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	if _, err := os.Stat(s.blobPath(h)); err == nil {
		return h, nil
	}
	return h, writeFileAtomic(s.blobPath(h), data, 0o600)
}

// readBlob reads a JSON blob (config, manifest), at most maxJSONBlob bytes,
// and checks its digest.
func (s *Store) readBlob(h v1.Hash) ([]byte, error) {
	data, err := readFileMax(s.blobPath(h), maxJSONBlob)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("blob %q: %w", h, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("read blob %q: %w", h, err)
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != h.Hex {
		return nil, fmt.Errorf("read blob %q: %w", h, ErrDigestMismatch)
	}
	return data, nil
}

// OpenBlob opens a stored blob (a layer as it arrived, a config, a
// manifest) for reading; save and push copy from it.
func (s *Store) OpenBlob(digest string) (*os.File, error) {
	h, err := parseDigest(digest)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(s.blobPath(h))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("blob %q: %w", digest, ErrNotFound)
	}
	return f, err
}

// readFileMax reads a file of at most max bytes.
func readFileMax(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("larger than %d bytes: %w", max, ErrLimit)
	}
	return data, nil
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
