package image

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// bomb is a gzip'd layer of a few hundred kilobytes holding one file of
// size zero bytes, written as a stream.
func bomb(t *testing.T, size int64) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "zeros", Size: size, Mode: 0o644, ModTime: testTime}); err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(tw, zeroReader{}, size); err != nil {
		t.Fatal(err)
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// A zip bomb of a layer on a store whose file system is smaller than what
// it expands to (a 32 MiB tmpfs, a 256 MiB file in 250 KiB of gzip) fails
// with the file system's own "no space left on device", leaves no partial
// layer, blob or temporary file, and the store imports again at once.
// The byte limit (DefaultLimits.MaxBytes, 64 GiB) bounds a bomb on a
// larger disk; TestUnpackLimits proves it with a small one.
func TestZipBombLayerOnASmallStoreFailsCleanly(t *testing.T) {
	needRoot(t)
	root := t.TempDir()
	if err := unix.Mount("tmpfs", root, "tmpfs", 0, "size=32m"); err != nil {
		t.Skipf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(root, unix.MNT_DETACH) })
	s, err := Open(filepath.Join(root, "store"))
	if err != nil {
		t.Fatal(err)
	}
	layer := bomb(t, 256<<20)
	t.Logf("bomb: %d bytes of gzip for 256 MiB", len(layer))
	_, err = s.Import(context.Background(), bytes.NewReader(layer), "bomb:1")
	if err == nil {
		t.Fatal("import succeeded on a 32 MiB file system")
	}
	if !errors.Is(err, syscall.ENOSPC) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("import: %v, want one line wrapping ENOSPC", err)
	}
	t.Logf("refused: %v", err)
	if files := storeFiles(t, s); len(files) > 0 {
		t.Fatalf("left in the store: %v", files)
	}
	if _, err := s.Import(context.Background(), bytes.NewReader(makeTar(t, file("hello", "hi"))), "small:1"); err != nil {
		t.Fatalf("the store does not import after the bomb: %v", err)
	}
}

// Enormous tar headers (a GNU long name or a PAX record of many megabytes)
// are refused with a clear error, and reading them does not grow the heap
// by their size.
func TestEnormousTarHeadersAreRefusedInBoundedMemory(t *testing.T) {
	needRoot(t)
	const size = 64 << 20
	for name, layer := range map[string][]byte{
		"GNU long name": rawHeader(t, tar.TypeGNULongName, size),
		"PAX record":    rawHeader(t, tar.TypeXHeader, size),
	} {
		t.Run(name, func(t *testing.T) {
			var before, after goruntime.MemStats
			goruntime.GC()
			goruntime.ReadMemStats(&before)
			_, err := Unpack(context.Background(), bytes.NewReader(layer), t.TempDir(), DefaultLimits)
			goruntime.ReadMemStats(&after)
			if err == nil || strings.Contains(err.Error(), "\n") || len(err.Error()) > 300 {
				t.Fatalf("unpack: %v, want one short line", err)
			}
			t.Logf("refused: %v", err)
			if grew := after.TotalAlloc - before.TotalAlloc; grew > size/4 {
				t.Errorf("reading a %d-byte header allocated %d bytes", size, grew)
			}
		})
	}
}

// rawHeader is a tar whose first entry is a special header of typ whose
// body is size bytes, then a plain file: archive/tar's writer will not
// write such a header itself.
func rawHeader(t *testing.T, typ byte, size int) []byte {
	t.Helper()
	hdr := make([]byte, 512)
	copy(hdr, "././@LongLink")
	copy(hdr[100:], "0000644\x00")
	copy(hdr[108:], "0000000\x00")
	copy(hdr[116:], "0000000\x00")
	copy(hdr[124:], fmt.Sprintf("%011o\x00", size))
	copy(hdr[136:], "00000000000\x00")
	hdr[156] = typ
	copy(hdr[257:], "ustar\x0000")
	copy(hdr[148:156], "        ")
	var sum int64
	for _, b := range hdr {
		sum += int64(b)
	}
	copy(hdr[148:156], fmt.Sprintf("%06o\x00 ", sum))
	body := bytes.Repeat([]byte("a"), size)
	if typ == tar.TypeXHeader {
		rec := "path=" + strings.Repeat("a", size-len("99999999 path=\n")) + "\n"
		body = []byte(fmt.Sprintf("%d %s", len(rec)+9, rec))
		body = body[:size]
	}
	out := append(hdr, body...)
	out = append(out, make([]byte, (512-size%512)%512)...)
	return append(out, makeTar(t, file("h", ""))...)
}
