package volume

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"golang.org/x/sys/unix"
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: copy-up keeps owners, whiteouts are devices")
	}
}

// layer writes a layer tree: "f" entries are files (content after ':'),
// "d/" directories, "w" whiteouts, "o/" opaque directories, "l" links.
func layer(t *testing.T, entries map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range entries {
			if !yield(k) {
				return
			}
		}
	}) {
		kind, arg := entries[name][0], entries[name][1:]
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		var err error
		switch kind {
		case 'f':
			err = os.WriteFile(p, []byte(arg), 0o640)
		case 'd':
			err = os.MkdirAll(p, 0o750)
		case 'o':
			if err = os.MkdirAll(p, 0o755); err == nil {
				err = unix.Setxattr(p, "trusted.overlay.opaque", []byte("y"), 0)
			}
		case 'w':
			err = unix.Mknod(p, unix.S_IFCHR, 0)
		case 'l':
			err = os.Symlink(arg, p)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case fi.IsDir():
			out[rel] = "dir"
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out[rel] = "-> " + l
		default:
			b, _ := os.ReadFile(p)
			out[rel] = string(b)
		}
		return nil
	})
	return out
}

func TestCopyUpMergesLayersWithWhiteoutsAndOpaqueDirectories(t *testing.T) {
	needRoot(t)
	base := layer(t, map[string]string{
		"data/a":         "fA",
		"data/gone":      "fG",
		"data/sub/old":   "fO",
		"data/keep/x":    "fX",
		"data/link":      "l/etc/passwd",
		"etc/unrelated":  "fU",
		"elsewhere/file": "fE",
	})
	top := layer(t, map[string]string{
		"data/a":       "fA2",
		"data/gone":    "w",
		"data/sub":     "o",
		"data/sub/new": "fN",
	})
	dst := t.TempDir()
	if err := CopyUp(context.Background(), dst, []string{base, top}, "/data"); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"a": "A2", "sub": "dir", "sub/new": "N", "keep": "dir", "keep/x": "X", "link": "-> /etc/passwd"}
	if got := tree(t, dst); !mapsEqual(got, want) {
		t.Fatalf("volume holds %v, want %v", got, want)
	}
	if fi, _ := os.Stat(filepath.Join(dst, "a")); fi.Mode().Perm() != 0o640 {
		t.Errorf("mode of a: %v, want 0640", fi.Mode())
	}
}

func TestCopyUpResolvesLinksInsideTheImage(t *testing.T) {
	needRoot(t)
	host := t.TempDir()
	os.WriteFile(filepath.Join(host, "secret"), []byte("host"), 0o600)
	img := layer(t, map[string]string{
		"var/run":      "l/run",
		"run/app/pid":  "f1",
		"escape":       "l" + host,
		"up":           "l../../../../../../" + host,
		"real/content": "fC",
	})
	cases := map[string]map[string]string{
		"/var/run/app": {"pid": "1"},
		"/escape":      {},
		"/up":          {},
		"/missing":     {},
		"/real":        {"content": "C"},
	}
	for target, want := range cases {
		dst := t.TempDir()
		if err := CopyUp(context.Background(), dst, []string{img}, target); err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		if got := tree(t, dst); !mapsEqual(got, want) {
			t.Errorf("copy-up of %s: %v, want %v", target, got, want)
		}
	}
}

func TestCopyUpStopsAtALayerThatReplacesTheDirectory(t *testing.T) {
	needRoot(t)
	base := layer(t, map[string]string{"data/old": "fO"})
	mid := layer(t, map[string]string{"data": "w"})
	top := layer(t, map[string]string{"data/new": "fN"})
	dst := t.TempDir()
	if err := CopyUp(context.Background(), dst, []string{base, mid, top}, "/data"); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, dst); !mapsEqual(got, map[string]string{"new": "N"}) {
		t.Fatalf("volume holds %v, want only new", got)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
