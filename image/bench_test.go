package image

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

var benchLayers struct {
	once             sync.Once
	tar, gzip, zstd  []byte
	files, fileBytes int
}

// benchLayer makes a ~100 MB layer: 400 files of 256 KiB in 20 directories,
// of text-like content, plus its gzip and zstd forms.
func benchLayer(b *testing.B) {
	benchLayers.once.Do(func() {
		rng := rand.New(rand.NewChaCha8([32]byte{1}))
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		// Words of a random vocabulary: text-like, about 3:1 under gzip.
		vocab := make([]string, 4096)
		for i := range vocab {
			w := make([]byte, 2+rng.IntN(10))
			for j := range w {
				w[j] = byte('a' + rng.IntN(26))
			}
			vocab[i] = string(w) + " "
		}
		content := make([]byte, 256<<10)
		for d := range 20 {
			tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: fmt.Sprintf("d%02d/", d), Mode: 0o755, ModTime: testTime})
			for f := range 20 {
				for i := 0; i < len(content); {
					i += copy(content[i:], vocab[rng.IntN(len(vocab))])
				}
				tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: fmt.Sprintf("d%02d/f%02d", d, f),
					Mode: 0o644, Size: int64(len(content)), ModTime: testTime})
				tw.Write(content)
				benchLayers.files++
				benchLayers.fileBytes += len(content)
			}
		}
		tw.Close()
		benchLayers.tar = buf.Bytes()
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(benchLayers.tar)
		zw.Close()
		benchLayers.gzip = gz.Bytes()
		enc, _ := zstd.NewWriter(nil)
		benchLayers.zstd = enc.EncodeAll(benchLayers.tar, nil)
	})
}

// BenchmarkUnpack unpacks a generated ~100 MB layer, plain, gzip and zstd,
// onto the test's disk (ext4 here; page cache, so writeback makes it noisy)
// and onto a tmpfs (the unpacker's own cost). MB/s is of the uncompressed
// layer: the speed at which a layer becomes a usable tree. Unpack does not
// fsync; the store syncs once per layer.
func BenchmarkUnpack(b *testing.B) {
	needRoot(b)
	benchLayer(b)
	ram := b.TempDir()
	if err := unix.Mount("tmpfs", ram, "tmpfs", 0, "size=2g"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { unix.Unmount(ram, unix.MNT_DETACH) })
	for _, fs := range []struct{ name, dir string }{{"disk", b.TempDir()}, {"tmpfs", ram}} {
		for _, bc := range []struct {
			name string
			data []byte
		}{{"tar", benchLayers.tar}, {"gzip", benchLayers.gzip}, {"zstd", benchLayers.zstd}} {
			b.Run(fs.name+"/"+bc.name, func(b *testing.B) {
				b.SetBytes(int64(len(benchLayers.tar)))
				for b.Loop() {
					b.StopTimer()
					dir, err := os.MkdirTemp(fs.dir, "tree-")
					if err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
					if _, err := Unpack(context.Background(), bytes.NewReader(bc.data), dir, DefaultLimits); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					os.RemoveAll(dir)
					b.StartTimer()
				}
			})
		}
	}
}
