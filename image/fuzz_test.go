package image

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzUnpack feeds arbitrary layers to the unpacker: whatever it accepts or
// refuses, nothing may appear or change outside the layer's directory.
// `go test` runs the seeds (the hostile cases); CI may fuzz for a bounded
// time with -fuzz FuzzUnpack -fuzztime.
func FuzzUnpack(f *testing.F) {
	for _, tc := range hostileCases {
		f.Add(makeTar(f, tc.entries...))
	}
	f.Add(makeTar(f, file(".wh.x", ""), dir("d/"), file("d/.wh..wh..opq", ""), hardlink("h", "d/../x")))
	f.Fuzz(func(t *testing.T, layer []byte) {
		needRoot(t)
		sandbox := t.TempDir()
		tree := filepath.Join(sandbox, "layer")
		outside := filepath.Join(sandbox, "outside")
		os.Mkdir(tree, 0o755)
		os.Mkdir(outside, 0o755)
		os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600)
		lim := Limits{MaxBytes: 8 << 20, MaxEntries: 1000}
		Unpack(context.Background(), bytes.NewReader(layer), tree, lim)
		for _, p := range listTree(t, sandbox) {
			if p != "layer" && !strings.HasPrefix(p, "layer/") && p != "outside" && p != "outside/secret" {
				t.Fatalf("written outside the layer: %s", p)
			}
		}
		if got := readFile(t, filepath.Join(outside, "secret")); got != "secret" {
			t.Fatalf("outside/secret now holds %q", got)
		}
	})
}
