package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackorch/stack/internal/registrytest"
)

// TestImagePushPullSaveTag pushes an imported image to a real registry,
// pulls it into an empty root, saves it and loads it into a third.
func TestImagePushPullSaveTag(t *testing.T) {
	needRootForImages(t)
	reg := registrytest.Start(t, registrytest.Options{})
	dir := t.TempDir()
	one := []string{"STACK_ROOT=" + filepath.Join(dir, "one")}
	two := []string{"STACK_ROOT=" + filepath.Join(dir, "two")}
	name := reg + "/test/app:v1"
	rootfs := rootfsTar(t, map[string]string{"bin/app": "#!/bin/sh\n"})
	if r := runStack(t, dir, one, "image", "import", rootfs, "app:1"); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	if r := runStack(t, dir, one, "image", "tag", "app:1", name); r.code != 0 {
		t.Fatalf("tag: %+v", r)
	}
	r := runStack(t, dir, one, "image", "push", name)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "The push refers to repository ["+reg+"/test/app]\n") ||
		!strings.Contains(r.stdout, ": Pushed\n") || !strings.Contains(r.stdout, "v1: digest: sha256:") {
		t.Fatalf("push: %+v", r)
	}

	r = runStack(t, dir, two, "image", "pull", name)
	if r.code != 0 || !strings.HasPrefix(r.stdout, "v1: Pulling from test/app\n") ||
		!strings.Contains(r.stdout, ": Pull complete\n") || !strings.HasSuffix(r.stdout, "Status: Downloaded newer image for "+name+"\n"+name+"\n") {
		t.Fatalf("pull: %+v", r)
	}
	r = runStack(t, dir, two, "image", "pull", name)
	if r.code != 0 || !strings.Contains(r.stdout, ": Already exists\n") || !strings.Contains(r.stdout, "Status: Image is up to date for "+name) {
		t.Fatalf("pull again: %+v", r)
	}
	if r = runStack(t, dir, two, "image", "pull", "-q", name); r.code != 0 || r.stdout != name+"\n" {
		t.Fatalf("pull -q: %+v", r)
	}
	r = runStack(t, dir, two, "image", "pull", reg+"/test/app:nope")
	if want := `stack: pull image "` + reg + `/test/app:nope": tag "nope": not found` + "\n"; r.code != 1 || r.stderr != want {
		t.Fatalf("pull unknown tag: code %d stderr %q, want %q", r.code, r.stderr, want)
	}

	archive := filepath.Join(dir, "app.tar")
	if r = runStack(t, dir, two, "image", "save", "-o", archive, name); r.code != 0 {
		t.Fatalf("save: %+v", r)
	}
	three := []string{"STACK_ROOT=" + filepath.Join(dir, "three")}
	if r = runStack(t, dir, three, "image", "load", "-i", archive); r.code != 0 || r.stdout != "Loaded image: "+name+"\n" {
		t.Fatalf("load of a saved archive: %+v", r)
	}
}
