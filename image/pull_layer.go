package image

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/stackorch/stack/internal/fault"
)

// pullLayer makes sure the layer blob d (whose tree has diffID) is stored,
// fetching it unless both blob and tree are. The blob streams from the
// registry into a file and, through the decompressor, into the unpacker at
// once; the tree becomes visible only once the blob has proved to have
// digest d. fetched tells whether anything was fetched.
func (s *Store) pullLayer(ctx context.Context, c *registryClient, d v1.Descriptor, diffID v1.Hash,
	report func(Progress)) (lb layerBlob, fetched bool, err error) {
	id := d.Digest.Hex[:12]
	lb = layerBlob{blob: d.Digest, blobSize: d.Size, compression: compressionOf(d.MediaType)}
	info, err := s.readLayerInfo(diffID)
	have := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return lb, false, err
	}
	if _, serr := os.Stat(s.blobPath(d.Digest)); have && serr == nil {
		lb.info = info
		report(Progress{ID: id, Status: StatusExists, Current: d.Size, Total: d.Size})
		return lb, false, nil
	}
	body, err := c.blob(ctx, d.Digest, d.Size)
	if err != nil {
		return lb, true, err
	}
	defer body.Close()
	f, err := os.CreateTemp(s.tmpDir(), "blob-")
	if err != nil {
		return lb, true, fmt.Errorf("store layer %q: %w", d.Digest, err)
	}
	defer os.Remove(f.Name()) // linked into blobs/ once checked
	defer f.Close()
	in := &blobReader{r: io.LimitReader(body, d.Size+1), f: f, h: sha256.New(), want: d,
		report: func(n int64) { report(Progress{ID: id, Status: StatusDownloading, Current: n, Total: d.Size}) }}
	if have {
		err = verifyDiffID(ctx, in, diffID, s.Limits)
		if err == nil {
			err = in.finish()
		}
		lb.info = info
	} else {
		lb.info, err = s.unpackLayer(ctx, in, diffID, in.finish)
	}
	if err != nil {
		// A stream cut or garbled on the way fails the unpacker first; the
		// digest says why.
		if ctx.Err() == nil && !errors.Is(err, ErrDigestMismatch) && errors.Is(in.finish(), ErrDigestMismatch) {
			err = in.finish()
		}
		return lb, true, err
	}
	if err := s.commitBlob(spooled{path: f.Name(), digest: d.Digest, size: in.n}); err != nil {
		return lb, true, err
	}
	fault.Point("pull.after-layer")
	report(Progress{ID: id, Status: StatusPulled, Current: d.Size, Total: d.Size})
	return lb, true, nil
}

// blobReader copies what it reads into a file and a hash, and reports its
// progress now and then.
type blobReader struct {
	r      io.Reader
	f      *os.File
	h      hash.Hash
	n      int64
	want   v1.Descriptor
	report func(n int64)
	last   int64
	once   sync.Once
	err    error
	werr   error // writing the blob failed
}

func (b *blobReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if n > 0 {
		if b.werr != nil {
			return n, b.werr
		}
		if _, werr := b.f.Write(p[:n]); werr != nil {
			// The blob is incomplete from here: this, not its digest, is
			// why the pull fails.
			b.werr = fmt.Errorf("store layer %q: %w", b.want.Digest, werr)
			return n, b.werr
		}
		b.h.Write(p[:n])
		b.n += int64(n)
		if b.n-b.last >= 512<<10 {
			b.last = b.n
			b.report(b.n)
		}
	}
	return n, err
}

// finish reads what is left and checks the blob's size and digest, once.
func (b *blobReader) finish() error {
	b.once.Do(func() {
		if b.werr != nil {
			b.err = b.werr
			return
		}
		if _, err := io.Copy(io.Discard, b); err != nil {
			b.err = fmt.Errorf("read layer %q: %w", b.want.Digest, err)
			return
		}
		got := "sha256:" + hex.EncodeToString(b.h.Sum(nil))
		if b.n != b.want.Size {
			b.err = fmt.Errorf("layer %q: %d bytes, not %d: %w", b.want.Digest, b.n, b.want.Size, ErrDigestMismatch)
			return
		}
		if got != b.want.Digest.String() {
			b.err = fmt.Errorf("layer %q: content has digest %q: %w", b.want.Digest, got, ErrDigestMismatch)
			return
		}
		b.report(b.n)
		if err := b.f.Sync(); err != nil {
			b.err = fmt.Errorf("store layer %q: %w", b.want.Digest, err)
		}
	})
	return b.err
}

// compressionOf is the compression a layer media type announces.
func compressionOf(mt types.MediaType) Compression {
	switch mt {
	case types.DockerLayer, types.OCILayer:
		return Gzip
	case types.OCILayerZStd:
		return Zstd
	}
	return Uncompressed
}
