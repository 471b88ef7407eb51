package project

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzLoad loads fuzzed compose files and builds their graph: it must not
// panic, an error must be one line, and a loaded project's graph must order
// every service.
func FuzzLoad(f *testing.F) {
	err := filepath.WalkDir("testdata", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".yaml") || strings.HasSuffix(path, ".yml")) {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			f.Add(b)
		}
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := Open(context.Background(), Options{WorkingDir: dir, Environ: []string{"SET=1"}})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines: %q", err)
			}
			return
		}
		if got := len(p.Graph.Order()); got != len(p.Services) {
			t.Errorf("graph orders %d of %d services", got, len(p.Services))
		}
	})
}
