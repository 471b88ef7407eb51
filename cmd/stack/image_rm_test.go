package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/internal/testenv"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
	"github.com/stackorch/stack/runtime/linux/limits"
)

// TestImageRmRefusesAnImageInUse keeps an image a container was created
// from, by name and by ID, until the container goes.
func TestImageRmRefusesAnImageInUse(t *testing.T) {
	needRootForImages(t)
	dir := t.TempDir()
	root := filepath.Join(dir, "root")
	testenv.LeakCheck(t, root)
	env := []string{"STACK_ROOT=" + root}
	rootfs := rootfsTar(t, map[string]string{"bin/app": "#!/bin/sh\n"})
	if r := runStack(t, dir, env, "image", "import", "--change", `CMD ["/bin/app"]`, rootfs, "used:1"); r.code != 0 {
		t.Fatalf("import: %+v", r)
	}
	store, err := image.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	img, err := store.Get("used:1")
	if err != nil {
		t.Fatal(err)
	}
	e, err := linux.New(linux.Options{Paths: linux.PathsAt(root), Images: storeImages{store}, Binary: stackBin, Limits: limits.Make})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := e.Create(ctx, runtime.Spec{Name: "user-1", Image: "used:1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"used:1", img.ID} {
		r := runStack(t, dir, env, "image", "rm", ref)
		if r.code != 1 || !strings.Contains(r.stderr, "in use by a container") {
			t.Errorf("rm %s while in use: %+v", ref, r)
		}
	}
	if err := e.Remove(ctx, st.ID, true); err != nil {
		t.Fatal(err)
	}
	if r := runStack(t, dir, env, "image", "rm", "used:1"); r.code != 0 {
		t.Errorf("rm once unused: %+v", r)
	}
}
