package image

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Compression is how a layer blob is compressed.
type Compression int

const (
	Uncompressed Compression = iota
	Gzip
	Zstd
)

func (c Compression) String() string {
	switch c {
	case Gzip:
		return "gzip"
	case Zstd:
		return "zstd"
	}
	return "none"
}

// mediaType is the OCI layer media type of a blob compressed with c.
func (c Compression) mediaType() types.MediaType {
	switch c {
	case Gzip:
		return types.OCILayer
	case Zstd:
		return types.OCILayerZStd
	}
	return types.OCIUncompressedLayer
}

var (
	gzipMagic = []byte{0x1f, 0x8b}
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
)

// sniff tells the compression of the stream br starts with, without
// consuming it.
func sniff(br *bufio.Reader) Compression {
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, gzipMagic):
		return Gzip
	case bytes.HasPrefix(head, zstdMagic):
		return Zstd
	}
	return Uncompressed
}

// decompress returns the uncompressed stream of r, whatever its compression
// (gzip, zstd or none), and which one it was. Close releases the decoder; it
// does not close r.
func decompress(r io.Reader) (io.ReadCloser, Compression, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	c := sniff(br)
	switch c {
	case Gzip:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, c, fmt.Errorf("read gzip: %w", err)
		}
		return zr, c, nil
	case Zstd:
		// One goroutine and a bounded window: a hostile frame cannot ask
		// for gigabytes of decoder memory.
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(1<<27))
		if err != nil {
			return nil, c, fmt.Errorf("read zstd: %w", err)
		}
		return zstdCloser{zr}, c, nil
	}
	return io.NopCloser(br), c, nil
}

type zstdCloser struct{ *zstd.Decoder }

func (z zstdCloser) Close() error { z.Decoder.Close(); return nil }

// blobCompression tells how the blob in file path is compressed.
func blobCompression(path string) Compression {
	f, err := os.Open(path)
	if err != nil {
		return Uncompressed
	}
	defer f.Close()
	return sniff(bufio.NewReaderSize(f, 16))
}
