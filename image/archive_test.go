package image

import (
	"bytes"
	"io"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/stackorch/stack/internal/testenv"
)

// Test archives are made with go-containerregistry's writers, a second
// implementation of the formats, from small layers made in the test.

// testImage builds an image of layers (uncompressed tars) with cfg.
func testImage(t testing.TB, cfg v1.Config, arch string, layers ...[]byte) v1.Image {
	t.Helper()
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{
		Architecture: arch, OS: "linux", Created: v1.Time{Time: testTime}, Config: cfg,
		RootFS: v1.RootFS{Type: "layers"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range layers {
		layer, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(l)), nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, layer); err != nil {
			t.Fatal(err)
		}
	}
	return img
}

// dockerSave writes images as `docker save` does, one name each.
func dockerSave(t testing.TB, images map[string]v1.Image) []byte {
	t.Helper()
	refs := map[name.Reference]v1.Image{}
	for n, img := range images {
		ref, err := name.ParseReference(n)
		if err != nil {
			t.Fatal(err)
		}
		refs[ref] = img
	}
	var buf bytes.Buffer
	if err := tarball.MultiRefWrite(refs, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// ociArchive makes an OCI image layout with fill, as a tar archive.
func ociArchive(t testing.TB, fill func(p layout.Path)) []byte {
	t.Helper()
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	fill(p)
	return tarDir(t, dir)
}

// tarDir archives the tree under dir.
func tarDir(t testing.TB, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := testenv.WriteTar(&buf, dir); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// storeFiles lists what the store holds, locks and references aside.
func storeFiles(t testing.TB, s *Store) []string {
	t.Helper()
	var out []string
	for _, d := range []string{"blobs/sha256", "layers/sha256", "images/sha256", "tmp"} {
		for _, p := range listTree(t, filepath.Join(s.Dir(), d)) {
			out = append(out, filepath.Join(d, p))
		}
	}
	return out
}
