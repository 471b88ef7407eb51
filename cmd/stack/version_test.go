package main

import (
	"strings"
	"testing"
)

func TestVersionPrintsTheVersion(t *testing.T) {
	r := runStack(t, t.TempDir(), nil, "version")
	if r.code != 0 || !strings.HasPrefix(r.stdout, "stack version ") {
		t.Fatalf("stack version: exit %d, %q", r.code, r.stdout)
	}
	short := runStack(t, t.TempDir(), nil, "version", "--short")
	if v := strings.TrimSpace(short.stdout); v == "" || !strings.Contains(r.stdout, v) {
		t.Fatalf("--short %q is not the version in %q", short.stdout, r.stdout)
	}
}
