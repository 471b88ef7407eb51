package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPreparedContentReplacesTheFileOnlyOnCommit(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := Write(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(path, []byte("new"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("before commit the file holds %q, want the old content", got)
	}
	if err := p.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Fatalf("after commit the file holds %q, want the new content", got)
	}
	assertAlone(t, path)
}

func TestAbortedContentLeavesTheFileAndNoTemporary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := Write(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := Prepare(path, []byte("new"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	p.Abort()
	if got, _ := os.ReadFile(path); string(got) != "old" {
		t.Fatalf("after abort the file holds %q, want the old content", got)
	}
	assertAlone(t, path)
}

// assertAlone fails unless path is the only file of its directory.
func assertAlone(t *testing.T, path string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != filepath.Base(path) {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("directory holds %v, want only %s", names, filepath.Base(path))
	}
}
