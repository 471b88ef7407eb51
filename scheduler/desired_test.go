package scheduler_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/runtimetest"
	"github.com/stackorch/stack/scheduler"
	"github.com/stackorch/stack/service"
	"github.com/stackorch/stack/volume"
)

// load loads a compose file's content as project demo.
func load(t *testing.T, compose string) *project.Project {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := project.Open(t.Context(), project.Options{ProjectDirectory: dir, Name: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const twoServices = `
services:
  db: {image: busybox, command: sleep 1d, scale: 2}
  web: {image: busybox, command: sleep 1d, depends_on: [db], volumes: [data:/data, /cache]}
volumes:
  data: {labels: {owner: me}}
`

func TestNewDesiredScalesAndLabelsImages(t *testing.T) {
	p := load(t, twoServices)
	d, err := scheduler.NewDesired(p, scheduler.DesiredOptions{
		Scale:   map[string]int{"web": 3},
		ImageID: func(ref string) (string, error) { return "sha256:" + ref, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Services["db"]) != 2 || len(d.Services["web"]) != 3 || d.Project != "demo" || d.Graph == nil {
		t.Fatalf("desired %+v", d)
	}
	if got := d.Services["web"][2]; got.Name != "demo-web-3" || got.Labels[service.LabelImage] != "sha256:busybox" {
		t.Fatalf("third web: %s %v", got.Name, got.Labels)
	}
	if len(p.Services["web"].CustomLabels) != 0 {
		t.Fatal("NewDesired changed the caller's project")
	}
}

func TestNewDesiredRefusesUnknownServicesAndMissingImages(t *testing.T) {
	p := load(t, twoServices)
	if _, err := scheduler.NewDesired(p, scheduler.DesiredOptions{Scale: map[string]int{"nope": 1}}); !errors.Is(err, service.ErrUnknownService) {
		t.Errorf("--scale nope=1: %v", err)
	}
	missing := errors.New("not found")
	_, err := scheduler.NewDesired(p, scheduler.DesiredOptions{ImageID: func(string) (string, error) { return "", missing }})
	if !errors.Is(err, missing) {
		t.Errorf("missing image: %v", err)
	}
}

func TestVolumesAreMadeLabelledBeforeTheirContainer(t *testing.T) {
	p := load(t, twoServices)
	store, err := volume.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d, err := scheduler.NewDesired(p, scheduler.DesiredOptions{})
	if err != nil {
		t.Fatal(err)
	}
	f := runtimetest.New()
	rt := scheduler.Volumes{Store: store, Project: p, Version: "v1"}.Runtime(f)
	if _, err := rt.Create(t.Context(), d.Services["web"][0]); err != nil {
		t.Fatal(err)
	}
	named, err := store.Get("demo_data")
	if err != nil || named.Labels[service.LabelProject] != "demo" || named.Labels[service.LabelVolume] != "data" || named.Labels["owner"] != "me" {
		t.Fatalf("named volume %+v, %v", named, err)
	}
	anon := service.AnonymousVolume("demo-web-1", "/cache")
	if v, err := store.Get(anon); err != nil || v.Labels[volume.LabelContainer] != "demo-web-1" {
		t.Fatalf("anonymous volume %+v, %v", v, err)
	}
	use, err := scheduler.VolumesInUse(t.Context(), f)
	if err != nil || len(use["demo_data"]) != 1 || len(use[anon]) != 1 {
		t.Fatalf("in use %v, %v", use, err)
	}
	if _, err := scheduler.RemoveVolumes(t.Context(), f, store, []string{"demo_data"}); !errors.Is(err, scheduler.ErrVolumeInUse) {
		t.Fatalf("removing a mounted volume: %v", err)
	}
	f.Remove(t.Context(), "demo-web-1", true)
	names, _ := scheduler.ProjectVolumes(store, "demo")
	if removed, err := scheduler.RemoveVolumes(t.Context(), f, store, names); err != nil || len(removed) != 2 {
		t.Fatalf("removed %v, %v", removed, err)
	}
}

func TestExternalVolumeMustExist(t *testing.T) {
	p := load(t, `
services:
  web: {image: busybox, volumes: [ext:/data]}
volumes:
  ext: {external: true, name: shared}
`)
	store, _ := volume.Open(t.TempDir())
	v := scheduler.Volumes{Store: store, Project: p}
	if err := v.Check(); !errors.Is(err, scheduler.ErrExternalVolume) {
		t.Fatalf("check: %v", err)
	}
	if _, err := v.Prepare(t.Context(), runtime.Spec{Name: "x", Mounts: []runtime.Mount{{Type: runtime.MountVolume, Source: "shared", Target: "/d"}}}); !errors.Is(err, scheduler.ErrExternalVolume) {
		t.Fatalf("prepare: %v", err)
	}
	store.Create(t.Context(), "shared", volume.Options{})
	if err := v.Check(); err != nil {
		t.Fatal(err)
	}
	if got, _ := store.Get("shared"); got.Labels[service.LabelProject] != "" {
		t.Fatal("an external volume was labelled as the project's")
	}
}

func TestLockSerializesOneProjectButNotTwo(t *testing.T) {
	dir := t.TempDir()
	unlock, err := scheduler.Lock(t.Context(), dir, "a")
	if err != nil {
		t.Fatal(err)
	}
	other, err := scheduler.Lock(t.Context(), dir, "b")
	if err != nil {
		t.Fatalf("another project waited: %v", err)
	}
	other()
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := scheduler.Lock(ctx, dir, "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("second lock of a held project: %v", err)
	}
	got := make(chan error, 1)
	go func() {
		u, err := scheduler.Lock(t.Context(), dir, "a")
		if err == nil {
			u()
		}
		got <- err
	}()
	unlock()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}
