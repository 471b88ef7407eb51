package image

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// hostileCase is a crafted layer; check looks at what Unpack made of it.
type hostileCase struct {
	name    string
	entries []entry
	check   func(t *testing.T, layer string, err error)
}

func refused(want error) func(t *testing.T, layer string, err error) {
	return func(t *testing.T, layer string, err error) {
		t.Helper()
		if err == nil {
			t.Fatal("unpacked; want the layer refused")
		}
		if want != nil && !errors.Is(err, want) {
			t.Fatalf("error %q does not wrap %q", err, want)
		}
		t.Logf("refused: %v", err)
	}
}

func contained(path, body string) func(t *testing.T, layer string, err error) {
	return func(t *testing.T, layer string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("unpack: %v", err)
		}
		if got := readFile(t, filepath.Join(layer, path)); got != body {
			t.Fatalf("%s holds %q, want %q", path, got, body)
		}
	}
}

var hostileCases = []hostileCase{
	{"dotdot name", []entry{file("../x", "pwned")}, refused(ErrUnsafe)},
	{"dotdot inside name", []entry{dir("a/"), file("a/../../x", "pwned")}, refused(ErrUnsafe)},
	{"absolute name", []entry{file("/abs", "contained")}, contained("abs", "contained")},
	{"absolute dotdot name", []entry{file("/../../x", "pwned")}, refused(ErrUnsafe)},
	{"symlink to host dir, file through it", []entry{
		dir("etc/"), symlink("hostetc", "/etc"), file("hostetc/passwd", "contained"),
	}, contained("etc/passwd", "contained")},
	{"symlink to itself as /etc, file through it", []entry{
		symlink("etc", "/etc"), file("etc/passwd", "pwned"),
	}, refused(nil)},
	{"dangling symlink to host dir, file through it", []entry{
		symlink("hostetc", "/etc"), file("hostetc/passwd", "pwned"),
	}, refused(nil)},
	{"relative symlink out, file through it", []entry{
		symlink("up", "../outside"), file("up/secret", "pwned"),
	}, refused(nil)},
	{"dotdot in a symlink chain", []entry{
		dir("outside/"), symlink("a", "../../../.."), symlink("b", "a/outside"), file("b/secret", "contained"),
	}, contained("outside/secret", "contained")},
	{"symlink to root, file through it", []entry{
		symlink("root", "/"), file("root/evil", "contained"),
	}, contained("evil", "contained")},
	{"file over a symlink pointing out", []entry{
		symlink("f", "../outside/secret"), file("f", "replaced"),
	}, contained("f", "replaced")},
	{"directory over a symlink pointing out", []entry{
		symlink("d", "../outside"), dir("d/"), file("d/secret", "contained"),
	}, contained("d/secret", "contained")},
	{"hardlink to host passwd", []entry{hardlink("passwd", "/etc/passwd")}, refused(nil)},
	{"hardlink climbing out", []entry{hardlink("passwd", "../../../../etc/passwd")}, refused(ErrUnsafe)},
	{"hardlink through a symlink out", []entry{
		symlink("host", "/"), hardlink("passwd", "host/etc/passwd"),
	}, refused(nil)},
	{"hardlink to a symlink pointing out", []entry{
		symlink("s", "/etc/passwd"), hardlink("h", "s"),
	}, func(t *testing.T, layer string, err error) {
		if err != nil {
			t.Fatal(err)
		}
		if target, err := os.Readlink(filepath.Join(layer, "h")); err != nil || target != "/etc/passwd" {
			t.Fatalf("h: %q, %v; want a hardlink of the symlink itself", target, err)
		}
	}},
	{"whiteout through a symlink out", []entry{
		symlink("w", "../outside"), file("w/.wh.secret", ""),
	}, refused(nil)},
	{"opaque marker through a symlink out", []entry{
		symlink("o", "../outside"), file("o/.wh..wh..opq", ""),
	}, refused(nil)},
	{"whiteout of dotdot", []entry{file(".wh...", "")}, refused(ErrUnsafe)},
	{"root replaced by a file", []entry{file(".", "")}, refused(ErrUnsafe)},
}

// TestUnpackHostile unpacks each crafted layer into a sandbox next to a
// directory "outside" and checks that nothing outside the layer changed,
// the host's /etc/passwd included, and that the entry was contained or
// refused.
func TestUnpackHostile(t *testing.T) {
	needRoot(t)
	passwd, err := os.ReadFile("/etc/passwd")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			sandbox := t.TempDir()
			layer := filepath.Join(sandbox, "layer")
			outside := filepath.Join(sandbox, "outside")
			for _, d := range []string{layer, outside} {
				if err := os.Mkdir(d, 0o755); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := Unpack(context.Background(), bytes.NewReader(makeTar(t, tc.entries...)), layer, DefaultLimits)
			tc.check(t, layer, err)
			var escaped []string
			for _, p := range listTree(t, sandbox) {
				if p != "layer" && !strings.HasPrefix(p, "layer/") && p != "outside" && p != "outside/secret" {
					escaped = append(escaped, p)
				}
			}
			if len(escaped) > 0 {
				t.Fatalf("written outside the layer: %v", escaped)
			}
			if got := readFile(t, filepath.Join(outside, "secret")); got != "secret" {
				t.Fatalf("outside/secret now holds %q", got)
			}
			if got, _ := os.ReadFile("/etc/passwd"); !bytes.Equal(got, passwd) {
				t.Fatal("/etc/passwd changed")
			}
		})
	}
}

// TestCleanName covers the name rules without root.
func TestCleanName(t *testing.T) {
	ok := map[string]string{"a": "a", "./a/": "a", "/a/b": "a/b", "//a": "a", "a/../b": "b", "./": ".", "/": "."}
	for in, want := range ok {
		if got, err := cleanName(in); err != nil || got != want {
			t.Errorf("cleanName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"..", "../a", "a/../../b", "/../a", "a\x00b"} {
		if _, err := cleanName(in); !errors.Is(err, ErrUnsafe) {
			t.Errorf("cleanName(%q): %v, want ErrUnsafe", in, err)
		}
	}
	for _, in := range []string{strings.Repeat("a", 256), strings.Repeat("a/", 2049)} {
		if _, err := cleanName(in); !errors.Is(err, ErrLimit) {
			t.Errorf("cleanName(%d bytes): %v, want ErrLimit", len(in), err)
		}
	}
	if !slices.Equal([]string{splitNameS("a/b/c")[0], splitNameS("a/b/c")[1]}, []string{"a/b", "c"}) {
		t.Error("splitName")
	}
}

func splitNameS(s string) [2]string { p, b := splitName(s); return [2]string{p, b} }
