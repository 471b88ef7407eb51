package volume

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestCreateMakesAVolumeOnceWithItsLabels(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	labels := map[string]string{"com.docker.compose.project": "demo"}
	v, created, err := s.Create(ctx, "demo_data", Options{Labels: labels})
	if err != nil || !created {
		t.Fatalf("create: %+v, %v, %v", v, created, err)
	}
	if fi, err := os.Stat(v.Mountpoint); err != nil || !fi.IsDir() || v.Mountpoint != s.Path("demo_data") {
		t.Fatalf("mountpoint %q: %v", v.Mountpoint, err)
	}
	os.WriteFile(filepath.Join(v.Mountpoint, "kept"), []byte("x"), 0o644)
	filled := false
	again, created, err := s.Create(ctx, "demo_data", Options{Fill: func(context.Context, string) error { filled = true; return nil }})
	if err != nil || created || filled || again.Labels["com.docker.compose.project"] != "demo" {
		t.Fatalf("second create: %+v, created %v, filled %v, %v", again, created, filled, err)
	}
	if _, err := os.Stat(filepath.Join(again.Mountpoint, "kept")); err != nil {
		t.Fatalf("content lost: %v", err)
	}
	list, err := s.List(map[string]string{"com.docker.compose.project": "demo"})
	if err != nil || len(list) != 1 || list[0].Name != "demo_data" {
		t.Fatalf("list: %+v, %v", list, err)
	}
	if list, _ := s.List(map[string]string{"com.docker.compose.project": "other"}); len(list) != 0 {
		t.Fatalf("list of another project: %+v", list)
	}
	if err := s.Remove(ctx, "demo_data"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("demo_data"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("get after remove: %v", err)
	}
	if err := s.Remove(ctx, "demo_data"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second remove: %v", err)
	}
	if entries, _ := os.ReadDir(s.dir); len(entries) != 0 {
		t.Fatalf("left in the store: %v", entries)
	}
}

func TestCreateRefusesBadNames(t *testing.T) {
	s, _ := Open(t.TempDir())
	for _, name := range []string{"", "../x", "a/b", ".hidden", "-x"} {
		if _, _, err := s.Create(context.Background(), name, Options{}); !errors.Is(err, ErrInvalid) {
			t.Errorf("create %q: %v, want ErrInvalid", name, err)
		}
	}
}

func TestConcurrentCreatesAgreeOnOneVolume(t *testing.T) {
	s, _ := Open(t.TempDir())
	var wg sync.WaitGroup
	var mu sync.Mutex
	made := 0
	for i := range 8 {
		wg.Go(func() {
			_, created, err := s.Create(context.Background(), "shared", Options{Fill: func(_ context.Context, dir string) error {
				return os.WriteFile(filepath.Join(dir, "by"), []byte{byte('0' + i)}, 0o644)
			}})
			if err != nil {
				t.Error(err)
			}
			if created {
				mu.Lock()
				made++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if made != 1 {
		t.Fatalf("%d creates say they made the volume, want 1", made)
	}
	entries, _ := os.ReadDir(s.dir)
	if len(entries) != 1 {
		t.Fatalf("store holds %v, want only the volume", entries)
	}
}
