package linux

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
)

// layer makes a layer directory with the given entries: a name ending in
// "/" is a directory, "->x" a symlink to x, "wh" a whiteout, else a file.
func layer(t *testing.T, entries map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	// In name order: a directory before what is in it.
	for _, name := range slices.Sorted(maps.Keys(entries)) {
		kind := entries[name]
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case kind == "dir":
			err = os.Mkdir(p, 0o755)
		case kind == "wh":
			err = syscall.Mknod(p, syscall.S_IFCHR, 0)
		case len(kind) > 2 && kind[:2] == "->":
			err = os.Symlink(kind[2:], p)
		default:
			err = os.WriteFile(p, []byte(kind), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestTargetsLayerIsUsedOnlyWhereItHidesNothingOfTheImage(t *testing.T) {
	for _, tc := range []struct {
		name   string
		layers []map[string]string // top first
		ok     bool
	}{
		{"no layers", nil, true},
		{"etc without the files", []map[string]string{{"etc": "dir", "etc/passwd": "x"}}, true},
		{"the image's own hosts file", []map[string]string{{"etc/hosts": "127.0.0.1 localhost"}}, true},
		{"a whiteout of hosts", []map[string]string{{"etc/hosts": "wh"}, {"etc/hosts": "x"}}, true},
		{"etc a symlink", []map[string]string{{"etc": "->usr/etc"}}, false},
		{"etc a symlink below", []map[string]string{{"bin": "dir"}, {"etc": "->usr/etc"}}, false},
		{"resolv.conf a symlink", []map[string]string{{"etc/resolv.conf": "->../run/resolv.conf"}}, false},
		{"hostname a directory", []map[string]string{{"etc/hostname": "dir"}}, false},
		{"proc a file", []map[string]string{{"proc": "x"}}, false},
		{"dev a symlink", []map[string]string{{"dev": "->/"}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var lower []string
			for _, l := range tc.layers {
				lower = append(lower, layer(t, l))
			}
			if _, ok := imageAllowsTargets(lower); ok != tc.ok {
				t.Fatalf("allowed = %v, want %v", ok, tc.ok)
			}
		})
	}
}

func TestTargetsLayerKeepsTheImagesEtcModeAndOwner(t *testing.T) {
	top := layer(t, map[string]string{"bin": "dir"})
	img := layer(t, map[string]string{"etc": "dir"})
	if err := os.Chmod(filepath.Join(img, "etc"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(filepath.Join(img, "etc"), 1000, 1001); err != nil {
		t.Skipf("chown: %v", err)
	}
	lib := t.TempDir()
	dir, err := targetsLayer(lib, []string{top, img})
	if err != nil || dir == "" {
		t.Fatalf("targetsLayer = %q, %v", dir, err)
	}
	fi, err := os.Stat(filepath.Join(dir, "etc"))
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	if fi.Mode().Perm() != 0o750 || st.Uid != 1000 || st.Gid != 1001 {
		t.Fatalf("etc is %v %d:%d, want the image's 0750 1000:1001", fi.Mode().Perm(), st.Uid, st.Gid)
	}
	for _, f := range targetFiles {
		if fi, err := os.Lstat(filepath.Join(dir, f)); err != nil || !fi.Mode().IsRegular() || fi.Size() != 0 {
			t.Errorf("%s: want an empty file (%v)", f, err)
		}
	}
	again, err := targetsLayer(lib, []string{img})
	if err != nil || again != dir {
		t.Fatalf("second image with that /etc: %q, %v; want the same layer %q", again, err, dir)
	}
}
