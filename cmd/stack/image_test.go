package main

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func needRootForImages(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: image layers keep their owners and device nodes")
	}
}

// rootfsTar writes a small root file system tarball and returns its path.
func rootfsTar(t *testing.T, files map[string]string) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range slices.Sorted(mapsKeys(files)) {
		tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: n, Mode: 0o755, Size: int64(len(files[n]))})
		tw.Write([]byte(files[n]))
	}
	tw.Close()
	p := filepath.Join(t.TempDir(), "rootfs.tar")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func mapsKeys(m map[string]string) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// dockerSaveFile writes a `docker save` archive of one image named ref.
func dockerSaveFile(t *testing.T, ref string, layer string) string {
	t.Helper()
	data, err := os.ReadFile(layer)
	if err != nil {
		t.Fatal(err)
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.ConfigFile(empty.Image, &v1.ConfigFile{OS: "linux", Architecture: "amd64",
		Config: v1.Config{Cmd: []string{"/bin/app"}}, RootFS: v1.RootFS{Type: "layers"}})
	if err == nil {
		img, err = mutate.AppendLayers(img, l)
	}
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(ref)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "save.tar")
	if err := tarball.WriteToFile(p, tag, img); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestImageVerbs drives import, load, images, inspect and rm through the
// binary, with the root from $STACK_ROOT and from --root.
func TestImageVerbs(t *testing.T) {
	needRootForImages(t)
	dir := t.TempDir()
	env := []string{"STACK_ROOT=" + filepath.Join(dir, "root")}
	rootfs := rootfsTar(t, map[string]string{"bin/app": "#!/bin/sh\n", "etc/hostname": "app\n"})

	r := runStack(t, dir, env, "image", "import", rootfs, "app:1")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "sha256:") {
		t.Fatalf("import: %+v", r)
	}
	cmd := exec.Command(stackBin, "image", "import", "--change", `CMD ["/bin/app", "x"]`, "-", "app:2")
	cmd.Env = env
	cmd.Stdin, _ = os.Open(rootfs)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("import from stdin: %v: %s", err, out)
	}
	r = runStack(t, dir, env, "image", "load", "-i", dockerSaveFile(t, "example.com/loaded:v1", rootfs))
	if r.code != 0 || r.stdout != "Loaded image: example.com/loaded:v1\n" {
		t.Fatalf("load: %+v", r)
	}

	r = runStack(t, dir, env, "image", "ls")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if r.code != 0 || len(lines) != 4 || strings.Join(strings.Fields(lines[0]), " ") != "REPOSITORY TAG IMAGE ID CREATED SIZE" {
		t.Fatalf("images:\n%s%s", r.stdout, r.stderr)
	}
	r = runStack(t, dir, env, "image", "ls", "--format", "json", "app")
	var rows []map[string]string
	for line := range strings.Lines(r.stdout) {
		var row map[string]string
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			t.Fatalf("ls --format json: %v: %q", err, line)
		}
		rows = append(rows, row)
	}
	if len(rows) != 2 || rows[0]["Repository"] != "app" {
		t.Fatalf("ls app: %v", rows)
	}

	r = runStack(t, dir, env, "image", "inspect", "app:2")
	var info []struct {
		ID          string `json:"Id"`
		RepoTags    []string
		Config      struct{ Cmd, Env []string }
		GraphDriver struct{ Data map[string]string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || len(info) != 1 {
		t.Fatalf("inspect: %v: %s", err, r.stdout)
	}
	if !slices.Equal(info[0].RepoTags, []string{"app:2"}) || !slices.Equal(info[0].Config.Cmd, []string{"/bin/app", "x"}) {
		t.Errorf("inspect: %+v", info[0])
	}
	if lower := info[0].GraphDriver.Data["LowerDir"]; readFileT(t, filepath.Join(lower, "bin/app")) != "#!/bin/sh\n" {
		t.Errorf("LowerDir %q does not hold the image", lower)
	}

	other := filepath.Join(dir, "other")
	r = runStack(t, dir, env, "image", "ls", "-q", "--root", other)
	if r.code != 0 || r.stdout != "" {
		t.Errorf("ls --root of an empty root: %+v", r)
	}

	r = runStack(t, dir, env, "image", "rm", "app:1")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "Untagged: app:1\nDeleted: sha256:") {
		t.Errorf("rm: %+v", r)
	}
	for _, args := range [][]string{{"image", "inspect", "nope"}, {"image", "rm", "nope"}} {
		r = runStack(t, dir, env, args...)
		if want := "stack: image \"docker.io/library/nope:latest\": not found\n"; r.code != 1 || r.stderr != want {
			t.Errorf("%v: code %d, stderr %q; want 1, %q", args, r.code, r.stderr, want)
		}
	}
}

// TestImageLoadConcurrent runs three `stack image load` processes of one
// archive at once into one root.
func TestImageLoadConcurrent(t *testing.T) {
	needRootForImages(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	archive := dockerSaveFile(t, "race:1", rootfsTar(t, map[string]string{"bin/app": "app"}))
	var wg sync.WaitGroup
	results := make([]result, 3)
	for i := range results {
		wg.Go(func() { results[i] = runStack(t, dir, []string{"STACK_ROOT=" + root}, "image", "load", "-i", archive) })
	}
	wg.Wait()
	for _, r := range results {
		if r.code != 0 {
			t.Fatalf("load: %+v", r)
		}
	}
	layers, _ := os.ReadDir(filepath.Join(root, "image/layers/sha256"))
	tmp, _ := os.ReadDir(filepath.Join(root, "image/tmp"))
	if len(layers) != 1 || len(tmp) != 0 {
		t.Errorf("%d layers (want 1), %d entries left in tmp", len(layers), len(tmp))
	}
}

func readFileT(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
