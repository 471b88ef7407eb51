package image

import (
	"context"
	"encoding/base64"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	goruntime "runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/compression"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
)

// progressLog collects what Pull and Push report.
type progressLog struct {
	mu     sync.Mutex
	status map[string][]string // layer ID -> statuses, repeats dropped
}

func (p *progressLog) report(ev Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.status == nil {
		p.status = map[string][]string{}
	}
	if s := p.status[ev.ID]; len(s) == 0 || s[len(s)-1] != ev.Status {
		p.status[ev.ID] = append(s, ev.Status)
	}
}

func (p *progressLog) last(id string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.status[id]
	if len(s) == 0 {
		return ""
	}
	return s[len(s)-1]
}

func layerID(t *testing.T, img v1.Image, i int) string {
	t.Helper()
	ls, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	d, _ := ls[i].Digest()
	return d.Hex[:12]
}

// noise is incompressible content, so a flipped byte lands in file data.
func noise(n int) string {
	b := make([]byte, n)
	rand.New(rand.NewSource(int64(n))).Read(b)
	return string(b)
}

func TestPullTagsDigestsSharedLayersAndZstd(t *testing.T) {
	needRoot(t)
	reg := startRegistry(t)
	ctx := context.Background()
	base := makeTar(t, dir("bin/"), file("bin/app", "v1"))
	img1 := registryImage(t, compression.GZip, "amd64", base, makeTar(t, file("etc/one", "1")))
	img2 := registryImage(t, compression.GZip, "amd64", base, makeTar(t, file("etc/two", "2")))
	img3 := registryImage(t, compression.ZStd, "amd64", makeTar(t, file("zstd", "z")))
	putImage(t, reg+"/test/app:v1", img1)
	putImage(t, reg+"/test/app:v2", img2)
	putImage(t, reg+"/test/zstd:latest", img3)

	s := newStore(t)
	var log progressLog
	opt := PullOptions{Progress: log.report}
	p, err := s.Pull(ctx, reg+"/test/app:v1", opt)
	if err != nil {
		t.Fatal(err)
	}
	digest, _ := img1.Digest()
	id, _ := img1.ConfigName()
	if p.Image.ID != id.String() || p.Digest != digest.String() || p.UpToDate {
		t.Fatalf("pulled %+v, want ID %s digest %s", p, id, digest)
	}
	if !slices.Equal(p.Image.RepoTags, []string{reg + "/test/app:v1"}) ||
		!slices.Equal(p.Image.RepoDigests, []string{reg + "/test/app@" + digest.String()}) {
		t.Fatalf("tags %v digests %v", p.Image.RepoTags, p.Image.RepoDigests)
	}
	if got := readFile(t, filepath.Join(p.Image.Layers[0], "bin/app")); got != "v1" {
		t.Fatalf("bin/app = %q", got)
	}
	if got := log.last(layerID(t, img1, 0)); got != StatusPulled {
		t.Fatalf("first layer ends %q", got)
	}

	log = progressLog{}
	p2, err := s.Pull(ctx, reg+"/test/app:v2", PullOptions{Progress: log.report})
	if err != nil {
		t.Fatal(err)
	}
	if got := log.last(layerID(t, img2, 0)); got != StatusExists {
		t.Fatalf("shared layer ends %q, want %q", got, StatusExists)
	}
	if p2.Image.Layers[0] != p.Image.Layers[0] {
		t.Fatal("shared layer stored twice")
	}
	again, err := s.Pull(ctx, reg+"/test/app:v1", opt)
	if err != nil || !again.UpToDate {
		t.Fatalf("second pull: %+v, %v", again, err)
	}
	byDigest, err := s.Pull(ctx, reg+"/test/app@"+digest.String(), opt)
	if err != nil || byDigest.Image.ID != id.String() {
		t.Fatalf("pull by digest: %+v, %v", byDigest, err)
	}
	if _, err := s.Get(reg + "/test/app@" + digest.String()); err != nil {
		t.Fatalf("get by digest: %v", err)
	}
	z, err := s.Pull(ctx, reg+"/test/zstd", opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(z.Image.Layers[0], "zstd")); got != "z" {
		t.Fatalf("zstd layer: %q", got)
	}
}

func TestPullErrorsNameTheImage(t *testing.T) {
	reg := startRegistry(t)
	putImage(t, reg+"/test/app:v1", registryImage(t, compression.GZip, "amd64", makeTar(t, file("a", "a"))))
	s := newStore(t)
	ctx := context.Background()
	for ref, want := range map[string]string{
		reg + "/test/app:nope":                 `pull image "` + reg + `/test/app:nope": tag "nope": not found`,
		reg + "/test/nosuch:v1":                `pull image "` + reg + `/test/nosuch:v1": `,
		reg + "/test/app@sha256:" + hex64('a'): `manifest "sha256:` + hex64('a') + `": not found`,
	} {
		_, err := s.Pull(ctx, ref, PullOptions{})
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), want) {
			t.Errorf("pull %s: %v, want ErrNotFound with %q", ref, err, want)
		}
	}
	if _, err := s.Pull(ctx, "Bad Name", PullOptions{}); !errors.Is(err, ErrInvalidReference) {
		t.Errorf("bad name: %v", err)
	}
}

func TestPullResolvesIndexToLinuxOfThisArch(t *testing.T) {
	needRoot(t)
	reg := startRegistry(t)
	other := "arm64"
	if goruntime.GOARCH == "arm64" {
		other = "amd64"
	}
	mine := registryImage(t, compression.GZip, goruntime.GOARCH, makeTar(t, file("arch", goruntime.GOARCH)))
	theirs := registryImage(t, compression.GZip, other, makeTar(t, file("arch", other)))
	idx := mutate.AppendManifests(empty.Index,
		mutate.IndexAddendum{Add: theirs, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: other}}},
		mutate.IndexAddendum{Add: mine, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: goruntime.GOARCH}}})
	putImage(t, reg+"/test/multi:1", idx)
	s := newStore(t)
	p, err := s.Pull(context.Background(), reg+"/test/multi:1", PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	idxDigest, _ := idx.Digest()
	if p.Digest != idxDigest.String() || p.Image.Architecture != goruntime.GOARCH {
		t.Fatalf("pulled %s %s, want index digest %s", p.Digest, p.Image.Architecture, idxDigest)
	}
	if got := readFile(t, filepath.Join(p.Image.Layers[0], "arch")); got != goruntime.GOARCH {
		t.Fatalf("arch file %q", got)
	}
}

func TestPullRefusesCorruptLayerAndKeepsNothing(t *testing.T) {
	needRoot(t)
	reg := startRegistry(t)
	img := registryImage(t, compression.GZip, "amd64", makeTar(t, file("big", noise(64<<10))))
	putImage(t, reg+"/test/app:v1", img)
	proxy := corruptingProxy(t, reg)
	s := newStore(t)
	_, err := s.Pull(context.Background(), proxy+"/test/app:v1", PullOptions{})
	if !errors.Is(err, ErrDigestMismatch) || !strings.Contains(err.Error(), `pull image "`+proxy+`/test/app:v1"`) {
		t.Fatalf("pull through a corrupting proxy: %v, want ErrDigestMismatch naming the image", err)
	}
	for _, d := range []string{"layers/sha256", "blobs/sha256", "images/sha256", "tmp"} {
		if got := listTree(t, filepath.Join(s.Dir(), d)); len(got) != 0 {
			t.Errorf("%s keeps %v", d, got)
		}
	}
}

func TestPullAuthFromDockerConfig(t *testing.T) {
	needRoot(t)
	reg := startRegistry(t)
	putImage(t, reg+"/test/app:v1", registryImage(t, compression.GZip, "amd64", makeTar(t, file("a", "a"))))
	proxy := authProxy(t, reg, "alice", "s3cret")
	cfg := t.TempDir()
	t.Setenv("DOCKER_CONFIG", cfg)
	s := newStore(t)
	ctx := context.Background()
	_, err := s.Pull(ctx, proxy+"/test/app:v1", PullOptions{})
	if !errors.Is(err, ErrUnauthorized) || !strings.Contains(err.Error(), `pull image "`+proxy+`/test/app:v1"`) {
		t.Fatalf("pull without credentials: %v, want ErrUnauthorized naming the image", err)
	}
	auth := base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(`{"auths":{"`+proxy+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pull(ctx, proxy+"/test/app:v1", PullOptions{}); err != nil {
		t.Fatalf("pull with credentials: %v", err)
	}
}

func TestPlainHTTPOnlyForLoopbackAndListedRegistries(t *testing.T) {
	o := RegistryOptions{Insecure: []string{"reg.lan:5000", "10.1.2.3"}}
	for reg, want := range map[string]bool{
		"localhost:5000": true, "127.0.0.1:1234": true, "[::1]:5000": true, "reg.lan:5000": true,
		"10.1.2.3:443": true, "reg.lan:5001": false, "10.0.0.1:5000": false, "192.168.1.1": false, "docker.io": false,
	} {
		if got := o.insecure(reg); got != want {
			t.Errorf("insecure(%q) = %v, want %v", reg, got, want)
		}
	}
}
