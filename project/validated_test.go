package project

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestALoadThatPassedTheSchemaIsRememberedAndAChangeIsCheckedAgain(t *testing.T) {
	dir, cache := t.TempDir(), filepath.Join(t.TempDir(), "validated")
	file := filepath.Join(dir, "compose.yaml")
	load := func(content string) error {
		t.Helper()
		if err := os.WriteFile(file, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Open(context.Background(), Options{WorkingDir: dir, Environ: []string{"A=1"}, ValidatedCache: cache})
		return err
	}
	entries := func() int {
		e, _ := os.ReadDir(cache)
		return len(e)
	}
	good := "services:\n  web: {image: busybox}\n"
	if err := load(good); err != nil {
		t.Fatal(err)
	}
	if err := load(good); err != nil || entries() != 1 {
		t.Fatalf("the same load again: %v, %d remembered", err, entries())
	}
	// One more key under services.web: another input, checked again.
	if err := load("services:\n  web: {image: busybox, bogus: 1}\n"); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("a changed file that breaks the schema loaded: %v", err)
	}
	if entries() != 1 {
		t.Errorf("a load that failed was remembered: %d", entries())
	}
	// Remembered as passed (by hand here), the same inputs skip the check.
	bad := "services:\n  web: {image: busybox, bogus: 1}\n"
	os.WriteFile(file, []byte(bad), 0o644)
	st, err := Options{WorkingDir: dir, Environ: []string{"A=1"}, ValidatedCache: cache}.resolve()
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.read()
	if err != nil {
		t.Fatal(err)
	}
	st.remember(st.validationKey(d))
	if err := load(bad); err != nil {
		t.Errorf("inputs remembered as passed were checked again: %v", err)
	}
	os.RemoveAll(cache)
	// A file that includes another is never remembered: the other may change.
	os.WriteFile(filepath.Join(dir, "other.yaml"), []byte("services:\n  db: {image: busybox}\n"), 0o644)
	if err := load("include: [other.yaml]\n" + good); err != nil || entries() != 0 {
		t.Errorf("include: %v, %d remembered", err, entries())
	}
}
