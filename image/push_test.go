package image

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-containerregistry/pkg/compression"
)

func TestPushPullSaveLoadRoundTrip(t *testing.T) {
	needRoot(t)
	reg := startRegistry(t)
	ctx := context.Background()
	s := newStore(t)
	layer := gzipped(t, makeTar(t, dir("bin/"), file("bin/app", "hello"), dir("etc/"), file("etc/conf", "c")))
	img, err := s.Import(ctx, bytes.NewReader(layer), "app:v1", `CMD ["/bin/app"]`)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Tag(ctx, "app:v1", reg+"/test/app:v1"); err != nil {
		t.Fatal(err)
	}
	var log progressLog
	pushed, err := s.Push(ctx, reg+"/test/app:v1", PushOptions{Progress: log.report})
	if err != nil {
		t.Fatal(err)
	}
	if len(log.status) != 1 {
		t.Fatalf("push reported %v, want one layer", log.status)
	}
	for id, st := range log.status {
		if st[len(st)-1] != StatusPushed {
			t.Fatalf("layer %s: %v", id, st)
		}
	}
	got, _ := s.Get(img.ID)
	if !slices.Contains(got.RepoDigests, reg+"/test/app@"+pushed.Digest) {
		t.Fatalf("repo digests %v lack %s", got.RepoDigests, pushed.Digest)
	}
	log = progressLog{}
	if _, err := s.Push(ctx, reg+"/test/app:v1", PushOptions{Progress: log.report}); err != nil {
		t.Fatal(err)
	}
	for id, st := range log.status {
		if st[len(st)-1] != StatusLayerExists {
			t.Fatalf("second push, layer %s: %v", id, st)
		}
	}

	s2 := newStore(t)
	p, err := s2.Pull(ctx, reg+"/test/app:v1", PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Image.ID != img.ID || p.Digest != pushed.Digest {
		t.Fatalf("pulled %s %s, pushed %s %s", p.Image.ID, p.Digest, img.ID, pushed.Digest)
	}
	if got := readFile(t, filepath.Join(p.Image.Layers[0], "bin/app")); got != "hello" {
		t.Fatalf("bin/app = %q", got)
	}

	var archive bytes.Buffer
	if err := s2.Save(ctx, &archive, reg+"/test/app:v1"); err != nil {
		t.Fatal(err)
	}
	s3 := newStore(t)
	loaded, err := s3.Load(ctx, bytes.NewReader(archive.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 1 || loaded[0].ID != img.ID || !slices.Equal(loaded[0].RepoTags, []string{reg + "/test/app:v1"}) {
		t.Fatalf("loaded %+v", loaded)
	}
	if got := readFile(t, filepath.Join(loaded[0].Layers[0], "etc/conf")); got != "c" {
		t.Fatalf("etc/conf = %q", got)
	}
}

func TestPushErrors(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	if _, err := s.Push(ctx, "nosuch:1", PushOptions{}); !errors.Is(err, ErrNotFound) {
		t.Errorf("push unknown: %v", err)
	}
	if _, err := s.Push(ctx, "app@sha256:"+hex64('a'), PushOptions{}); !errors.Is(err, ErrInvalidReference) {
		t.Errorf("push by digest: %v", err)
	}
	if err := s.Tag(ctx, "nosuch", "other"); !errors.Is(err, ErrNotFound) {
		t.Errorf("tag unknown: %v", err)
	}
}

func TestSaveByIDCarriesNoName(t *testing.T) {
	needRoot(t)
	ctx := context.Background()
	s := newStore(t)
	img, err := s.Import(ctx, bytes.NewReader(makeTar(t, file("a", "a"))), "one:1")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Tag(ctx, img.ID, "two:2"); err != nil {
		t.Fatal(err)
	}
	var archive bytes.Buffer
	if err := s.Save(ctx, &archive, img.ID[:19], "two:2"); err != nil {
		t.Fatal(err)
	}
	loaded, err := newStore(t).Load(ctx, &archive)
	if err != nil {
		t.Fatal(err)
	}
	if len(loaded) != 1 || !slices.Equal(loaded[0].RepoTags, []string{"docker.io/library/two:2"}) {
		t.Fatalf("loaded %+v", loaded)
	}
}

func TestBuildPullsAMissingBase(t *testing.T) {
	needRoot(t)
	reg := startRegistry(t)
	ctx := context.Background()
	putImage(t, reg+"/test/base:1", registryImage(t, compression.GZip, "amd64", makeTar(t, dir("bin/"), file("bin/app", "base"))))
	s := newStore(t)
	ctxDir := t.TempDir()
	writeTree(t, ctxDir, map[string]string{"extra": "x"})
	img, err := s.Build(ctx, BuildSpec{Context: ctxDir, DockerfileInline: "ARG REG\nFROM ${REG}/test/base:1\nCOPY extra /extra\n",
		Args: map[string]string{"REG": reg}}, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	files := mergedFiles(t, img)
	if files["bin/app"] != "base" || files["extra"] != "x" || !slices.Equal(img.Config.Cmd, []string{"/bin/app"}) {
		t.Fatalf("files %v, config %+v", files, img.Config)
	}
	if _, err := s.Get(reg + "/test/base:1"); err != nil {
		t.Fatalf("the base is not stored: %v", err)
	}
}
