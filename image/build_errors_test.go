package image

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBuildErrorsNameTheLine(t *testing.T) {
	s := newStore(t)
	ctx := context.Background()
	for df, want := range map[string]string{
		"FROM scratch\nRUNN x\n":                                `Dockerfile:2: unknown instruction: RUNN`,
		"# comment\nFROM scratch AS 1bad\n":                     `Dockerfile:2: `,
		"FROM scratch\nCOPY nothere /x\n":                       `Dockerfile:2: COPY nothere /x: source "nothere": not found`,
		"FROM scratch\nRUN false\n":                             `Dockerfile:2: RUN false: no container engine to run it`,
		"ENV A=b\n":                                             `Dockerfile:1: `,
		"FROM scratch\nCOPY a b c\n":                            `Dockerfile:2: COPY a b c: `,
		"FROM scratch\nRUN --mount=type=cache,target=/x true\n": `Dockerfile:2: RUN --mount=type=cache,target=/x true: RUN --mount: not supported yet`,
		"FROM scratch\nADD https://example.com/x /x\n":          `remote URLs are not supported yet`,
	} {
		dir := t.TempDir()
		writeTree(t, dir, map[string]string{"a": "a", "b": "b"})
		_, err := s.Build(ctx, BuildSpec{Context: dir, DockerfileInline: df}, BuildOptions{})
		if !errors.Is(err, ErrBuild) || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want ErrBuild with %q", df, err, want)
		}
	}
	_, err := s.Build(ctx, BuildSpec{Context: t.TempDir(), DockerfileInline: "FROM scratch\n", Target: "nope"}, BuildOptions{})
	if !errors.Is(err, ErrBuild) || !strings.Contains(err.Error(), `target stage "nope" not found`) {
		t.Errorf("unknown target: %v", err)
	}
	_, err = s.Build(ctx, BuildSpec{Context: t.TempDir(), DockerfileInline: "FROM nosuch.invalid/x\n"}, BuildOptions{})
	if !strings.Contains(err.Error(), `Dockerfile:1: FROM nosuch.invalid/x: pull image "nosuch.invalid/x:latest"`) {
		t.Errorf("unknown base: %v", err)
	}
}

func TestBuildCacheSurvivesGCUntilPruned(t *testing.T) {
	needRoot(t)
	s := newStore(t)
	ctx := context.Background()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"f": "f"})
	df := "FROM scratch AS a\nCOPY f /f\nFROM scratch\nCOPY --from=a /f /g\n"
	img, err := s.Build(ctx, BuildSpec{Context: dir, DockerfileInline: df, Tags: []string{"x"}}, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := mergedFiles(t, img); len(got) != 1 || got["g"] != "f" {
		t.Fatalf("files %v", got)
	}
	layers := func() int {
		e, _ := os.ReadDir(filepath.Join(s.Dir(), "layers/sha256"))
		return len(e)
	}
	if n := layers(); n != 2 {
		t.Fatalf("%d layers, want 2 (stage a's and the image's)", n)
	}
	if _, err := s.GC(ctx); err != nil {
		t.Fatal(err)
	}
	if n := layers(); n != 2 {
		t.Fatalf("GC left %d layers, want 2: the cache keeps stage a's", n)
	}
	if _, err := s.PruneBuildCache(ctx); err != nil {
		t.Fatal(err)
	}
	if n := layers(); n != 1 {
		t.Fatalf("prune left %d layers, want 1", n)
	}
}
