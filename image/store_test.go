package image

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestNormalizeName(t *testing.T) {
	cases := map[string]string{
		"busybox":                    "docker.io/library/busybox:latest",
		"busybox:1.36":               "docker.io/library/busybox:1.36",
		"library/busybox":            "docker.io/library/busybox:latest",
		"docker.io/busybox":          "docker.io/library/busybox:latest",
		"user/app:v1":                "docker.io/user/app:v1",
		"localhost:5000/app":         "localhost:5000/app:latest",
		"ghcr.io/org/app:2":          "ghcr.io/org/app:2",
		"redis@sha256:" + hex64('a'): "docker.io/library/redis@sha256:" + hex64('a'),
	}
	for in, want := range cases {
		if got, err := NormalizeName(in); err != nil || got != want {
			t.Errorf("NormalizeName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "UPPER", "a b", hex64('b'), "-x"} {
		if _, err := NormalizeName(in); !errors.Is(err, ErrInvalidReference) {
			t.Errorf("NormalizeName(%q): %v, want ErrInvalidReference", in, err)
		}
	}
	if got := FamiliarName("docker.io/library/busybox:latest"); got != "busybox:latest" {
		t.Errorf("FamiliarName: %q", got)
	}
	if repo, tag := SplitName("docker.io/user/app:v1"); repo != "user/app" || tag != "v1" {
		t.Errorf("SplitName: %q %q", repo, tag)
	}
	if !MatchName("busybox", "docker.io/library/busybox:1") || MatchName("busybox:2", "docker.io/library/busybox:1") {
		t.Error("MatchName")
	}
}

func hex64(c byte) string { return strings.Repeat(string(c), 64) }

func TestImport(t *testing.T) {
	needRoot(t)
	s := newStore(t)
	layer := makeTar(t, dir("bin/"), file("bin/hello", "hi"), dir("etc/"), file("etc/hostname", "x"))
	zw, _ := zstd.NewWriter(nil)
	compressed := zw.EncodeAll(layer, nil)
	img, err := s.Import(context.Background(), bytes.NewReader(compressed), "hello:1",
		`CMD ["/bin/hello", "world"]`, "ENV GREETING=hi OTHER=\"a b\"", "EXPOSE 8080", "WORKDIR /srv",
		"LABEL team=core", "USER 1000:1000", "STOPSIGNAL SIGINT", "VOLUME /data", "ENTRYPOINT exec run")
	if err != nil {
		t.Fatal(err)
	}
	c := img.Config
	if !slices.Equal(c.Cmd, []string{"/bin/hello", "world"}) || c.WorkingDir != "/srv" || c.User != "1000:1000" ||
		c.StopSignal != "SIGINT" || c.Labels["team"] != "core" || !slices.Equal(c.Entrypoint, []string{"/bin/sh", "-c", "exec run"}) {
		t.Errorf("config %+v", c)
	}
	if want := []string{DefaultPath, "GREETING=hi", "OTHER=a b"}; !slices.Equal(c.Env, want) {
		t.Errorf("env %q, want %q", c.Env, want)
	}
	if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
		t.Errorf("ports %v", c.ExposedPorts)
	}
	if _, ok := c.Volumes["/data"]; !ok {
		t.Errorf("volumes %v", c.Volumes)
	}
	if len(img.Layers) != 1 || readFile(t, filepath.Join(img.Layers[0], "bin/hello")) != "hi" {
		t.Fatalf("layers %v", img.Layers)
	}
	if img.DiffIDs[0] != sha256Hash(layer).String() || img.Size != 3 {
		t.Errorf("diffID %s size %d", img.DiffIDs[0], img.Size)
	}
	m, err := s.readManifest(mustDigest(t, img.Manifest))
	if err != nil {
		t.Fatal(err)
	}
	if m.Layers[0].MediaType != Zstd.mediaType() || m.Layers[0].Digest != sha256Hash(compressed) {
		t.Errorf("layer blob %+v: want the zstd tarball as it came", m.Layers[0])
	}
	for _, ref := range []string{"hello:1", "docker.io/library/hello:1", img.ID, strings.TrimPrefix(img.ID, "sha256:"), img.ID[7:15]} {
		got, err := s.Get(ref)
		if err != nil || got.ID != img.ID {
			t.Errorf("Get(%q): %v, %v", ref, got.ID, err)
		}
	}
	plain, err := s.Import(context.Background(), bytes.NewReader(layer), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(plain.RepoTags) != 0 || !slices.Equal(plain.Config.Env, []string{DefaultPath}) || plain.Config.Cmd != nil {
		t.Errorf("untagged import: %+v", plain)
	}
	list, err := s.List()
	if err != nil || len(list) != 2 {
		t.Errorf("List: %d images, %v", len(list), err)
	}
}

func TestImportRefuses(t *testing.T) {
	needRoot(t)
	s := newStore(t)
	for name, tc := range map[string]struct {
		in     []byte
		ref    string
		change string
		want   error
	}{
		"empty":        {nil, "x:1", "", ErrFormat},
		"not a tar":    {bytes.Repeat([]byte("garbage!"), 200), "x:1", "", nil},
		"hostile":      {makeTar(t, file("../evil", "x")), "x:1", "", ErrUnsafe},
		"bad name":     {makeTar(t, file("a", "")), "Bad Name", "", ErrInvalidReference},
		"digest name":  {makeTar(t, file("a", "")), "x@sha256:" + hex64('c'), "", ErrInvalidReference},
		"bad change":   {makeTar(t, file("a", "")), "x:1", "RUN rm -rf /", nil},
		"empty change": {makeTar(t, file("a", "")), "x:1", "ENV", nil},
	} {
		t.Run(name, func(t *testing.T) {
			var changes []string
			if tc.change != "" {
				changes = append(changes, tc.change)
			}
			_, err := s.Import(context.Background(), bytes.NewReader(tc.in), tc.ref, changes...)
			if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
				t.Fatalf("import: %v, want %v", err, tc.want)
			}
			t.Logf("refused: %v", err)
			if files := storeFiles(t, s); len(files) > 0 {
				t.Fatalf("left in the store: %v", files)
			}
		})
	}
}

func TestGetNotFound(t *testing.T) {
	s := newStore(t)
	_, err := s.Get("foo")
	if !errors.Is(err, ErrNotFound) || err.Error() != `image "docker.io/library/foo:latest": not found` {
		t.Errorf("Get: %v", err)
	}
	if _, err := s.Get("sha256:" + hex64('d')); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get by ID: %v", err)
	}
	if _, err := s.Get("NOT VALID"); !errors.Is(err, ErrInvalidReference) {
		t.Errorf("Get invalid: %v", err)
	}
}

// TestRemove checks docker rmi's rules and that removing the last image of
// a layer frees it, and its blobs.
func TestRemove(t *testing.T) {
	needRoot(t)
	s := newStore(t)
	ctx := context.Background()
	base := makeTar(t, file("base", "b"))
	a, err := s.Import(ctx, bytes.NewReader(base), "a:1", "CMD a")
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Import(ctx, bytes.NewReader(base), "b:1", "CMD b")
	if err != nil {
		t.Fatal(err)
	}
	if a.Layers[0] != b.Layers[0] {
		t.Fatal("one layer imported twice is two trees")
	}
	other, _ := s.Import(ctx, bytes.NewReader(makeTar(t, file("other", "o"))), "other:1")
	s.withMeta(ctx, func(r refs) (bool, error) { r["docker.io/library/a:2"] = a.ID; return true, nil })

	if _, err := s.Remove(ctx, a.ID, RemoveOptions{}); !errors.Is(err, ErrConflict) {
		t.Errorf("remove by ID of a twice-tagged image: %v, want ErrConflict", err)
	}
	out, err := s.Remove(ctx, "a:2", RemoveOptions{})
	if err != nil || !slices.Equal(out.Untagged, []string{"docker.io/library/a:2"}) || len(out.Deleted) != 0 {
		t.Errorf("remove a:2: %+v, %v", out, err)
	}
	inUse := func(id string) bool { return id == a.ID }
	if _, err := s.Remove(ctx, "a:1", RemoveOptions{InUse: inUse}); !errors.Is(err, ErrInUse) {
		t.Errorf("remove of an image in use: %v, want ErrInUse", err)
	}
	if out, err := s.Remove(ctx, "a:1", RemoveOptions{}); err != nil || len(out.Deleted) != 1 {
		t.Errorf("remove a:1: %+v, %v", out, err)
	}
	if _, err := os.Stat(b.Layers[0]); err != nil {
		t.Errorf("the layer b still uses is gone: %v", err)
	}
	if _, err := s.Remove(ctx, other.ID[7:19], RemoveOptions{}); err != nil {
		t.Errorf("remove by short ID: %v", err)
	}
	if _, err := os.Stat(other.Layers[0]); !os.IsNotExist(err) {
		t.Errorf("other's layer is not freed: %v", err)
	}
	if _, err := s.Remove(ctx, "b:1", RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	if files := storeFiles(t, s); len(files) > 0 {
		t.Errorf("left after removing every image: %v", files)
	}
	if _, err := s.Remove(ctx, "b:1", RemoveOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("remove again: %v", err)
	}
}

func TestGC(t *testing.T) {
	needRoot(t)
	s := newStore(t)
	img, err := s.Import(context.Background(), bytes.NewReader(makeTar(t, file("f", "x"))), "keep:1")
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(s.Dir(), "tmp/layer-interrupted/tree/usr"), 0o755)
	os.WriteFile(filepath.Join(s.Dir(), "blobs/sha256", hex64('e')), []byte("stray"), 0o600)
	c, err := s.GC(context.Background())
	if err != nil || c.Blobs != 1 || c.Layers != 0 {
		t.Errorf("GC: %+v, %v", c, err)
	}
	if _, err := s.Get("keep:1"); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(img.Layers[0]); err != nil {
		t.Error(err)
	}
	tmp, _ := os.ReadDir(filepath.Join(s.Dir(), "tmp"))
	if len(tmp) != 0 {
		t.Errorf("tmp not swept: %v", tmp)
	}
}

func mustDigest(t testing.TB, s string) v1Hash {
	h, err := parseDigest(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
