package image

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

const copyDockerfile = `FROM scratch
ARG V=1
ENV A=b PATH=/bin
LABEL l=$V
WORKDIR /app
COPY . .
COPY --chown=1000:1000 sub/file.txt /other/
ADD archive.tar.gz /ex/
COPY --chmod=600 <<EOF /etc/note
hello
EOF
USER 1000
EXPOSE 80 53/udp
VOLUME /data
ENTRYPOINT ["/bin/app"]
CMD ["x"]
HEALTHCHECK --interval=5s --retries=2 CMD /bin/true
STOPSIGNAL SIGINT
`

func copyContext(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	writeTree(t, d, map[string]string{
		"Dockerfile":    copyDockerfile,
		".dockerignore": "*.log\nsecret/\n",
		"main.txt":      "main",
		"debug.log":     "ignored",
		"secret/key":    "ignored",
		"sub/file.txt":  "sub",
	})
	archive := gzipped(t, makeTar(t, dir("pkg/"), file("pkg/lib", "lib")))
	if err := os.WriteFile(filepath.Join(d, "archive.tar.gz"), archive, 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

func TestBuildCopyConfigAndCache(t *testing.T) {
	needRoot(t)
	s := newStore(t)
	ctx := context.Background()
	ctxDir := copyContext(t)
	spec := BuildSpec{Context: ctxDir, Tags: []string{"app:1"}, Args: map[string]string{"V": "2"},
		Labels: map[string]string{"extra": "yes"}}
	var ev events
	img, err := s.Build(ctx, spec, BuildOptions{Progress: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	c := img.Config
	if c.Labels["l"] != "2" || c.Labels["extra"] != "yes" || c.User != "1000" || c.WorkingDir != "/app" ||
		!slices.Equal(c.Entrypoint, []string{"/bin/app"}) || !slices.Equal(c.Cmd, []string{"x"}) ||
		c.StopSignal != "SIGINT" || c.Healthcheck == nil || c.Healthcheck.Retries != 2 ||
		len(c.ExposedPorts) != 2 || len(c.Volumes) != 1 || !slices.Contains(c.Env, "A=b") {
		t.Fatalf("config %+v", c)
	}
	if !slices.Equal(img.RepoTags, []string{"docker.io/library/app:1"}) {
		t.Errorf("tags %v", img.RepoTags)
	}
	files := mergedFiles(t, img)
	for name, want := range map[string]string{"app/main.txt": "main", "app/sub/file.txt": "sub", "other/file.txt": "sub",
		"ex/pkg/lib": "lib", "etc/note": "hello\n", "app/Dockerfile": copyDockerfile} {
		if files[name] != want {
			t.Errorf("%s = %q, want %q (files %v)", name, files[name], want, keys(files))
		}
	}
	for _, name := range []string{"app/debug.log", "app/secret/", "ex/archive.tar.gz"} {
		if _, ok := files[name]; ok {
			t.Errorf("%s is in the image", name)
		}
	}
	fsys := newLayersFS(img.Layers)
	defer fsys.close()
	if fi, err := fsys.lstat("other/file.txt"); err != nil || fi.Sys().(*syscall.Stat_t).Uid != 1000 {
		t.Errorf("--chown: %v %+v", err, fi)
	}
	if fi, err := fsys.lstat("etc/note"); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("--chmod: %v %v", err, fi)
	}
	for _, e := range ev.ends("COPY") {
		if strings.HasSuffix(e, StepCached) {
			t.Fatalf("first build hit the cache: %s", e)
		}
	}

	ev = events{}
	again, err := s.Build(ctx, spec, BuildOptions{Progress: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	layerSteps := append(append(ev.ends("COPY"), ev.ends("ADD")...), ev.ends("WORKDIR")...)
	if len(layerSteps) != 5 {
		t.Fatalf("layer steps %v", layerSteps)
	}
	for _, e := range layerSteps {
		if !strings.HasSuffix(e, StepCached) {
			t.Errorf("second build: %s", e)
		}
	}
	if again.ID != img.ID {
		t.Errorf("second build made %s, first %s", again.ID, img.ID)
	}

	os.WriteFile(filepath.Join(ctxDir, "main.txt"), []byte("changed"), 0o644)
	os.WriteFile(filepath.Join(ctxDir, "debug.log"), []byte("changed too, ignored"), 0o644)
	ev = events{}
	changed, err := s.Build(ctx, spec, BuildOptions{Progress: ev.add})
	if err != nil {
		t.Fatal(err)
	}
	got := ev.ends("COPY")
	if len(got) != 3 || !strings.HasSuffix(got[0], StepDone) || !strings.HasSuffix(got[1], StepDone) {
		t.Errorf("after a change: %v", got)
	}
	if mergedFiles(t, changed)["app/main.txt"] != "changed" {
		t.Error("the change is not in the image")
	}
}

const runDockerfile = `FROM scratch AS base
COPY conf /etc/
COPY keep gone /files/
COPY opaque/ /opaque/
ARG TOKEN=t0
ENV E=1
WORKDIR /work
USER 1000:1000
RUN change
RUN ["/bin/exec", "nothing"]

FROM base AS unused
RUN fail

FROM base
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
RUN echo $E
`

func TestBuildRunTurnsChangesIntoALayer(t *testing.T) {
	needRoot(t)
	s := newStore(t)
	ctx := context.Background()
	ctxDir := t.TempDir()
	writeTree(t, ctxDir, map[string]string{"Dockerfile": runDockerfile, "keep": "k", "gone": "g", "opaque/old": "o", "conf": "c"})
	r := &fakeRunner{t: t, steps: map[string]func(string){
		"change": func(upper string) {
			writeTree(t, upper, map[string]string{"files/new": "n", "opaque/fresh": "f"})
			whiteout(t, filepath.Join(upper, "files/gone"))
			if err := syscall.Setxattr(filepath.Join(upper, "opaque"), "trusted.overlay.opaque", []byte("y"), 0); err != nil {
				t.Fatal(err)
			}
		},
		"nothing": func(string) {},
		"echo $E": func(upper string) { writeTree(t, upper, map[string]string{"echoed": "1"}) },
	}}
	var out strings.Builder
	spec := BuildSpec{Context: ctxDir, Args: map[string]string{"TOKEN": "t1"}}
	img, err := s.Build(ctx, spec, BuildOptions{Runner: r, Output: &out})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"echoed", "etc/", "etc/conf", "files/", "files/keep", "files/new", "opaque/", "opaque/fresh", "work/"}
	if got := keys(mergedFiles(t, img)); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	if len(r.ran) != 3 {
		t.Fatalf("ran %d steps, want 3 (the unused stage is not built)", len(r.ran))
	}
	first := r.ran[0]
	if !slices.Equal(first.Args, []string{"/bin/sh", "-c", "change"}) || first.User != "1000:1000" || first.WorkDir != "/work" ||
		!slices.Contains(first.Env, "TOKEN=t1") || !slices.Contains(first.Env, "E=1") {
		t.Errorf("run spec %+v", first)
	}
	if !slices.Equal(r.ran[1].Args, []string{"/bin/exec", "nothing"}) {
		t.Errorf("exec form: %v", r.ran[1].Args)
	}
	if !slices.Equal(r.ran[2].Args, []string{"/bin/ash", "-eo", "pipefail", "-c", "echo $E"}) {
		t.Errorf("SHELL: %v", r.ran[2].Args)
	}
	// COPY, COPY, COPY, WORKDIR, RUN change, RUN echo; RUN nothing made
	// none: /etc, copied up for the stub of /etc/hosts, is no change.
	if len(img.Layers) != 6 {
		t.Errorf("%d layers, want 6", len(img.Layers))
	}
	if !strings.Contains(out.String(), "ran change\n") {
		t.Errorf("output %q", out.String())
	}
	if _, err := s.GC(ctx); err != nil {
		t.Fatal(err)
	}
	r.ran = nil
	if again, err := s.Build(ctx, spec, BuildOptions{Runner: r}); err != nil || len(r.ran) != 0 || again.ID != img.ID {
		t.Fatalf("after GC a rebuild runs %d steps: %v", len(r.ran), err)
	}
	r.ran = nil
	spec.Args["TOKEN"] = "t2"
	if _, err := s.Build(ctx, spec, BuildOptions{Runner: r}); err != nil || len(r.ran) != 3 {
		t.Fatalf("a changed arg runs %d steps, want 3: %v", len(r.ran), err)
	}
}
