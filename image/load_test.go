package image

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"sync"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

var (
	baseLayer = func(t testing.TB) []byte {
		return makeTar(t, dir("bin/"), file("bin/tool", "tool"), dir("etc/"), file("etc/os-release", "ID=test\n"))
	}
	topLayer = func(t testing.TB, n string) []byte {
		return makeTar(t, dir("app/"), file("app/"+n, n), file("etc/.wh.os-release", ""))
	}
)

func TestLoadDockerSave(t *testing.T) {
	needRoot(t)
	s := newStore(t)
	base := baseLayer(t)
	one := testImage(t, v1.Config{Cmd: []string{"/app/one"}}, goruntime.GOARCH, base, topLayer(t, "one"))
	two := testImage(t, v1.Config{Cmd: []string{"/app/two"}, Env: []string{"A=b"}}, goruntime.GOARCH, base, topLayer(t, "two"))
	archive := dockerSave(t, map[string]v1.Image{"app:1": one, "example.com/team/app:2": two})
	images, err := s.Load(context.Background(), bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	if len(images) != 2 {
		t.Fatalf("loaded %d images, want 2", len(images))
	}
	img, err := s.Get("example.com/team/app:2")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(img.Config.Cmd, []string{"/app/two"}) || !slices.Equal(img.Config.Env, []string{"A=b"}) {
		t.Errorf("config %+v", img.Config)
	}
	if len(img.Layers) != 2 || readFile(t, filepath.Join(img.Layers[1], "app/two")) != "two" ||
		readFile(t, filepath.Join(img.Layers[0], "bin/tool")) != "tool" {
		t.Fatalf("layers %v", img.Layers)
	}
	first, err := s.Get("app:1")
	if err != nil {
		t.Fatal(err)
	}
	if first.Layers[0] != img.Layers[0] {
		t.Errorf("the shared layer is unpacked twice: %s, %s", first.Layers[0], img.Layers[0])
	}
	if want := []string{"docker.io/library/app:1"}; !slices.Equal(first.RepoTags, want) {
		t.Errorf("RepoTags %v, want %v", first.RepoTags, want)
	}
	if n := len(listTree(t, filepath.Join(s.Dir(), "layers/sha256"))); n < 3 {
		t.Errorf("%d entries in layers/", n)
	}
	// The config is the image ID; the layer blobs are kept for save.
	digest, _ := one.ConfigName()
	if first.ID != digest.String() {
		t.Errorf("ID %s, want %s", first.ID, digest)
	}
	m, _ := one.Manifest()
	for _, l := range m.Layers {
		if _, err := os.Stat(s.blobPath(l.Digest)); err != nil {
			t.Errorf("layer blob: %v", err)
		}
	}
}

// TestLoadDockerSaveLegacy loads an old-style archive made by hand:
// uncompressed <id>/layer.tar, a symlinked duplicate, names only in the
// repositories file.
func TestLoadDockerSaveLegacy(t *testing.T) {
	needRoot(t)
	s := newStore(t)
	layer := baseLayer(t)
	diffID := sha256Hash(layer)
	config := []byte(`{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/tool"]},` +
		`"rootfs":{"type":"layers","diff_ids":["` + diffID.String() + `","` + diffID.String() + `"]}}`)
	id := sha256Hash(config)
	manifest := `[{"Config":"` + id.Hex + `.json","RepoTags":null,"Layers":["aaa/layer.tar","bbb/layer.tar"]}]`
	archive := makeTar(t, dir("aaa/"), file("aaa/VERSION", "1.0"), file("aaa/layer.tar", string(layer)),
		dir("bbb/"), symlink("bbb/layer.tar", "../aaa/layer.tar"), file(id.Hex+".json", string(config)),
		file("repositories", `{"legacy":{"v1":"bbb"}}`), file("manifest.json", manifest))
	images, err := s.Load(context.Background(), bytes.NewReader(archive))
	if err != nil {
		t.Fatal(err)
	}
	if len(images) != 1 || images[0].ID != id.String() || !slices.Equal(images[0].RepoTags, []string{"docker.io/library/legacy:v1"}) {
		t.Fatalf("loaded %+v", images)
	}
	if images[0].Layers[0] != images[0].Layers[1] {
		t.Error("one layer twice in an image: want one tree")
	}
}

func TestLoadOCILayout(t *testing.T) {
	needRoot(t)
	s := newStore(t)
	plain := testImage(t, v1.Config{Cmd: []string{"plain"}}, goruntime.GOARCH, baseLayer(t))
	mine := testImage(t, v1.Config{Cmd: []string{"mine"}}, goruntime.GOARCH, baseLayer(t), topLayer(t, "mine"))
	other := testImage(t, v1.Config{Cmd: []string{"other"}}, "s390x", baseLayer(t), topLayer(t, "other"))
	if goruntime.GOARCH == "s390x" {
		t.Skip("the foreign platform of this test is this machine's")
	}
	multi := mutate.AppendManifests(mutate.AppendManifests(emptyIndex(),
		mutate.IndexAddendum{Add: other, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "s390x"}}}),
		mutate.IndexAddendum{Add: mine, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: goruntime.GOARCH}}})
	archive := ociArchive(t, func(p layout.Path) {
		if err := p.AppendImage(plain, layout.WithAnnotations(map[string]string{annotationRefName: "example.com/plain:v1"})); err != nil {
			t.Fatal(err)
		}
		if err := p.AppendIndex(multi, layout.WithAnnotations(map[string]string{annotationContainerdName: "example.com/multi:latest"})); err != nil {
			t.Fatal(err)
		}
		if err := p.AppendImage(plain, layout.WithAnnotations(map[string]string{annotationRefName: "latest"})); err != nil {
			t.Fatal(err)
		}
	})
	images, err := s.Load(context.Background(), bytes.NewReader(gzipped(t, archive)))
	if err != nil {
		t.Fatal(err)
	}
	if len(images) != 3 {
		t.Fatalf("loaded %d images, want 3 (plain twice, multi's %s)", len(images), goruntime.GOARCH)
	}
	img, err := s.Get("example.com/multi")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(img.Config.Cmd, []string{"mine"}) {
		t.Errorf("multi-platform index gave %v, want this machine's image", img.Config.Cmd)
	}
	digest, _ := mine.Digest()
	if img.Manifest != digest.String() {
		t.Errorf("manifest %s, want the layout's %s", img.Manifest, digest)
	}
	p, err := s.Get("example.com/plain:v1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.RepoTags, []string{"example.com/plain:v1"}) {
		t.Errorf("a bare tag named the image: %v", p.RepoTags)
	}
	if _, err := s.Get("docker.io/library/latest:latest"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a bare ref.name became a name: %v", err)
	}
}

// TestLoadRefusesMismatch: a layer whose diffID is not the config's, and a
// blob whose content is not its digest, are refused with nothing stored.
func TestLoadRefusesMismatch(t *testing.T) {
	needRoot(t)
	layer := baseLayer(t)
	wrong := sha256Hash([]byte("not this layer"))
	config := []byte(`{"os":"linux","rootfs":{"type":"layers","diff_ids":["` + wrong.String() + `"]}}`)
	id := sha256Hash(config)
	badDiffID := makeTar(t, file("l.tar", string(layer)), file(id.Hex+".json", string(config)),
		file("manifest.json", `[{"Config":"`+id.Hex+`.json","RepoTags":["bad:1"],"Layers":["l.tar"]}]`))

	img := testImage(t, v1.Config{}, goruntime.GOARCH, layer)
	m, _ := img.Manifest()
	dir := t.TempDir()
	p, err := layout.Write(dir, emptyIndex())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.AppendImage(img, layout.WithAnnotations(map[string]string{annotationRefName: "bad:2"})); err != nil {
		t.Fatal(err)
	}
	blob := filepath.Join(dir, "blobs/sha256", m.Layers[0].Digest.Hex)
	data, _ := os.ReadFile(blob)
	data[len(data)-20] ^= 0xff
	os.WriteFile(blob, data, 0o644)
	corrupt := tarDir(t, dir)

	for name, archive := range map[string][]byte{"diffID": badDiffID, "blob": corrupt} {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			_, err := s.Load(context.Background(), bytes.NewReader(archive))
			if !errors.Is(err, ErrDigestMismatch) {
				t.Fatalf("load: %v, want ErrDigestMismatch", err)
			}
			t.Logf("refused: %v", err)
			if files := storeFiles(t, s); len(files) > 0 {
				t.Fatalf("left in the store: %v", files)
			}
		})
	}
}

// TestLayerUnpackedOnce loads two archives sharing a layer: the second load
// keeps the first's tree (same inode), and concurrent loads of one archive
// by separate Store values, as by separate processes, all succeed with one
// copy of each layer and nothing left in tmp.
func TestLayerUnpackedOnce(t *testing.T) {
	needRoot(t)
	root := t.TempDir()
	s, _ := Open(root)
	base := baseLayer(t)
	a := dockerSave(t, map[string]v1.Image{"a:1": testImage(t, v1.Config{}, goruntime.GOARCH, base)})
	b := dockerSave(t, map[string]v1.Image{"b:1": testImage(t, v1.Config{}, goruntime.GOARCH, base, topLayer(t, "b"))})
	if _, err := s.Load(context.Background(), bytes.NewReader(a)); err != nil {
		t.Fatal(err)
	}
	imgA, _ := s.Get("a:1")
	before := inode(t, imgA.Layers[0])
	const n = 6
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			st, err := Open(root)
			if err == nil {
				_, err = st.Load(context.Background(), bytes.NewReader(b))
			}
			errs[i] = err
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	imgB, err := s.Get("b:1")
	if err != nil {
		t.Fatal(err)
	}
	if imgB.Layers[0] != imgA.Layers[0] || inode(t, imgB.Layers[0]) != before {
		t.Error("the shared layer was unpacked again")
	}
	layers, _ := os.ReadDir(filepath.Join(root, "image/layers/sha256"))
	tmp, _ := os.ReadDir(filepath.Join(root, "image/tmp"))
	if len(layers) != 2 || len(tmp) != 0 {
		t.Errorf("%d layers (want 2), %d entries in tmp (want 0)", len(layers), len(tmp))
	}
}

func inode(t testing.TB, path string) uint64 {
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}
