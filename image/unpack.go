package image

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sys/unix"
)

// Limits bound what Unpack accepts from one layer. Past one it stops with an
// error wrapping ErrLimit, which is how a zip bomb of a layer ends.
type Limits struct {
	// MaxBytes bounds the uncompressed tar stream and, separately, the sum
	// of the files' sizes (sparse files count at their full size).
	MaxBytes int64
	// MaxEntries bounds the number of entries in the layer.
	MaxEntries int64
}

// DefaultLimits are the limits of a Store unless it is told otherwise.
var DefaultLimits = Limits{MaxBytes: 64 << 30, MaxEntries: 4 << 20}

// Unpacked describes a layer Unpack has written.
type Unpacked struct {
	DiffID      v1.Hash     // sha256 of the uncompressed tar stream
	Size        int64       // bytes of file content
	Compression Compression // of the stream Unpack read
}

// Unpack reads a layer (a tar stream, gzip- or zstd-compressed or not) from r
// and writes its tree into dir, an existing directory, converting whiteouts to
// the overlayfs format: `.wh.NAME` becomes a 0:0 character device NAME, and
// `.wh..wh..opq` the xattr trusted.overlay.opaque=y on its directory.
//
// Nothing is written outside dir. Names are taken relative to dir (a leading
// "/" is dropped) and a name that climbs out with ".." is refused; parent
// directories are resolved by the kernel with dir as the root (openat2
// RESOLVE_IN_ROOT), so a symlink in the layer, absolute or relative, can only
// lead to somewhere inside dir; hardlinks must name a file of the layer.
// Owners, modes (setuid included), mtimes and xattrs are kept, device nodes
// are created (the caller is root and the tree is only ever used as an
// overlay lowerdir in a container, whose device cgroup decides their use).
// xattrs in trusted.overlay.* are dropped: only whiteouts make them.
//
// The caller compares the returned DiffID with the one it expects, and on any
// error removes dir: Unpack does not clean up after itself.
func Unpack(ctx context.Context, r io.Reader, dir string, lim Limits) (Unpacked, error) {
	var res Unpacked
	rootfd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return res, fmt.Errorf("open layer directory %q: %w", dir, err)
	}
	u := &unpacker{root: rootfd, dirs: map[string]int{}, lim: lim, buf: make([]byte, 1<<20)}
	defer u.close()

	zr, c, err := decompress(r)
	if err != nil {
		return res, err
	}
	defer zr.Close()
	res.Compression = c
	digest := sha256.New()
	stream := newReadAhead(&limitedHash{ctx: ctx, r: zr, h: digest, max: lim.MaxBytes})
	defer stream.Close()
	tr := tar.NewReader(stream)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return res, fmt.Errorf("read layer: %w", err)
		}
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if u.entries++; lim.MaxEntries > 0 && u.entries > lim.MaxEntries {
			return res, fmt.Errorf("read layer: more than %d entries: %w", lim.MaxEntries, ErrLimit)
		}
		if err := u.entry(tr, hdr); err != nil {
			return res, fmt.Errorf("unpack entry %q: %w", shorten(hdr.Name), err)
		}
	}
	// The diffID covers the whole stream, padding after the end marker too.
	if _, err := io.CopyBuffer(io.Discard, stream, u.buf); err != nil {
		return res, fmt.Errorf("read layer: %w", err)
	}
	if err := u.setDirTimes(); err != nil {
		return res, err
	}
	res.DiffID = v1.Hash{Algorithm: "sha256", Hex: fmt.Sprintf("%x", digest.Sum(nil))}
	res.Size = u.size
	return res, nil
}

// limitedHash reads r into h, stops past max bytes with ErrLimit, and stops
// when ctx is done.
type limitedHash struct {
	ctx context.Context
	r   io.Reader
	h   hash.Hash
	n   int64
	max int64
}

func (l *limitedHash) Read(p []byte) (int, error) {
	if err := l.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := l.r.Read(p)
	l.h.Write(p[:n])
	if l.n += int64(n); l.max > 0 && l.n > l.max {
		return n, fmt.Errorf("uncompressed layer larger than %d bytes: %w", l.max, ErrLimit)
	}
	return n, err
}

// shorten cuts a name for an error message: a hostile one may be huge.
func shorten(name string) string {
	if len(name) <= 200 {
		return name
	}
	return name[:200] + "..."
}
