package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackorch/stack/internal/registrytest"
)

// TestComposeBuildPushPull builds a compose service, pushes it, and pulls
// the project's images into an empty root.
func TestComposeBuildPushPull(t *testing.T) {
	needRootForImages(t)
	reg := registrytest.Start(t, registrytest.Options{})
	dir := t.TempDir()
	one := []string{"STACK_ROOT=" + filepath.Join(dir, "one")}
	writeFile(t, filepath.Join(dir, "Dockerfile"), "FROM scratch\nARG MSG=default\nCOPY file /file\nLABEL msg=$MSG\n")
	writeFile(t, filepath.Join(dir, "file"), "content")
	writeFile(t, filepath.Join(dir, "compose.yaml"), `services:
  app:
    build:
      context: .
      args:
        MSG: compose
    image: `+reg+`/test/app:c
  dep:
    image: `+reg+`/test/dep:1
  local:
    build:
      dockerfile_inline: |
        FROM scratch
        COPY file /other
`)
	if r := runStack(t, dir, one, "image", "import", rootfsTar(t, map[string]string{"dep": "dep"}), reg+"/test/dep:1"); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	if r := runStack(t, dir, one, "image", "push", "-q", reg+"/test/dep:1"); r.code != 0 {
		t.Fatalf("push dep: %+v", r)
	}
	r := runStack(t, dir, one, "-p", "demo", "build")
	if r.code != 0 || !strings.Contains(r.stderr, "[+] Building app\n") || !strings.Contains(r.stderr, "[+] Building local\n") {
		t.Fatalf("build: %+v", r)
	}
	r = runStack(t, dir, one, "image", "inspect", reg+"/test/app:c")
	var info []struct {
		Config struct{ Labels map[string]string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || len(info) != 1 || info[0].Config.Labels["msg"] != "compose" {
		t.Fatalf("inspect app: %v: %+v", err, r)
	}
	if r := runStack(t, dir, one, "image", "inspect", "demo-local"); r.code != 0 {
		t.Fatalf("the service without image: is not demo-local: %+v", r)
	}
	r = runStack(t, dir, one, "-p", "demo", "push", "app")
	if r.code != 0 || !strings.Contains(r.stderr, "Pushed app\n") {
		t.Fatalf("push: %+v", r)
	}
	two := []string{"STACK_ROOT=" + filepath.Join(dir, "two")}
	r = runStack(t, dir, two, "-p", "demo", "pull", "--ignore-buildable")
	if r.code != 0 || !strings.Contains(r.stderr, "Pulled dep\n") || strings.Contains(r.stderr, "Pulling app") {
		t.Fatalf("pull --ignore-buildable: %+v", r)
	}
	r = runStack(t, dir, two, "-p", "demo", "pull", "-q")
	if r.code != 0 || r.stderr != "" {
		t.Fatalf("pull -q: %+v", r)
	}
	for _, ref := range []string{reg + "/test/app:c", reg + "/test/dep:1"} {
		if r := runStack(t, dir, two, "image", "inspect", ref); r.code != 0 {
			t.Errorf("%s not pulled: %+v", ref, r)
		}
	}
	if r := runStack(t, dir, one, "builder", "prune"); r.code != 0 || !strings.HasPrefix(r.stdout, "Total reclaimed space: ") {
		t.Errorf("builder prune: %+v", r)
	}
}
