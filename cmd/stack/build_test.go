package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	goruntime "runtime"
	"strings"
	"testing"
	"time"

	"github.com/stackorch/stack/image"
	"github.com/stackorch/stack/internal/registrytest"
	"github.com/stackorch/stack/internal/testenv"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
	"github.com/stackorch/stack/runtime/linux/limits"
)

// multiStage builds in a busybox stage and ships a static Go binary on
// scratch. Its first RUN needs a default route: steps have egress.
const multiStage = `ARG BASE=busybox-test:1
FROM ${BASE} AS build
ARG MSG=default
WORKDIR /src
COPY app ./
RUN ip route | grep -q '^default via' && mkdir -p /out && cp /src/app /out/app && echo "$MSG" > /out/stamp && echo step-one-ran
RUN ["/bin/sh", "-c", "test -x /out/app && rm /src/app && echo exec-form-ran"]

FROM scratch
COPY --from=build /out/ /
ENTRYPOINT ["/app"]
`

const goApp = `package main

import (
	"fmt"
	"os"
)

func main() {
	stamp, _ := os.ReadFile("/stamp")
	fmt.Printf("hello from go: %s", stamp)
}
`

// buildContext writes the multi-stage Dockerfile and a static Go binary.
func buildContext(t *testing.T) string {
	t.Helper()
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "go.mod"), "module app\n\ngo 1.21\n")
	writeFile(t, filepath.Join(src, "main.go"), goApp)
	dir := t.TempDir()
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(goruntime.GOROOT(), "bin", "go")
	}
	cmd := exec.Command(gobin, "build", "-o", filepath.Join(dir, "app"), ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	writeFile(t, filepath.Join(dir, "Dockerfile"), multiStage)
	return dir
}

func writeFile(t *testing.T, p, content string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// busyboxImage imports a busybox root file system as busybox-test:1.
func busyboxImage(t *testing.T, dir string, env []string) {
	t.Helper()
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	testenv.BusyboxRootfs(t, rootfs)
	archive := filepath.Join(t.TempDir(), "busybox.tar")
	tarDir(t, rootfs, archive)
	if r := runStack(t, dir, env, "image", "import", archive, "busybox-test:1"); r.code != 0 {
		t.Fatalf("import busybox: %+v", r)
	}
}

// tarDir writes dir as a tar archive, symlinks and modes kept.
func tarDir(t *testing.T, dir, archive string) {
	t.Helper()
	if err := writeTar(dir, archive); err != nil {
		t.Fatal(err)
	}
}

// runImage runs ref with the engine in root and returns what it printed.
func runImage(t *testing.T, root, ref string) string {
	t.Helper()
	store, err := image.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	e, err := linux.New(linux.Options{Paths: linux.PathsAt(root), Images: storeImages{store}, Binary: stackBin, Limits: limits.Make})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := e.Create(ctx, runtime.Spec{Name: "run-built", Image: ref})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := e.Remove(context.Background(), st.ID, true); err != nil {
			t.Error(err)
		}
		testenv.CheckNoLeaks(t, root, st.ID)
	}()
	if err := e.Start(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	if st, err = e.Wait(ctx, st.ID, runtime.UntilExited); err != nil || st.ExitCode != 0 {
		t.Fatalf("run %s: %v, exit code %d", ref, err, st.ExitCode)
	}
	var out strings.Builder
	e.Logs(ctx, st.ID, linux.LogOptions{Tail: -1}, func(le linux.LogEntry) error {
		out.WriteString(le.Log)
		return nil
	})
	return out.String()
}

// steps reads buildkit-style progress: each step's text and how it ended.
func steps(stderr string) map[string]string {
	text, end := map[string]string{}, map[string]string{}
	for line := range strings.Lines(stderr) {
		num, rest, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || !strings.HasPrefix(num, "#") {
			continue
		}
		switch {
		case strings.HasPrefix(rest, "["):
			text[num] = rest[strings.Index(rest, "]")+2:]
		case rest == "CACHED" || strings.HasPrefix(rest, "DONE "):
			end[num] = strings.Fields(rest)[0]
		}
	}
	out := map[string]string{}
	for num, t := range text {
		out[t] = end[num]
	}
	return out
}

// TestBuildMultiStagePushPullRun builds a multi-stage Dockerfile whose RUN
// steps run in busybox containers and whose last stage is a static Go
// binary on scratch, builds it again from the cache, runs it, pushes it to
// a real registry and runs what an empty root pulls back.
func TestBuildMultiStagePushPullRun(t *testing.T) {
	needRootForImages(t)
	testenv.Busybox(t)
	dir := buildContext(t)
	root := filepath.Join(t.TempDir(), "root")
	env := []string{"STACK_ROOT=" + root}
	busyboxImage(t, dir, env)

	r := runStack(t, dir, env, "image", "build", "-t", "built:1", "--build-arg", "MSG=hi", ".")
	ran := regexp.MustCompile(`(?m)^#\d+ (step-one|exec-form)-ran$`)
	if r.code != 0 || len(ran.FindAllString(r.stderr, -1)) != 2 {
		t.Fatalf("build: %+v", r)
	}
	first := steps(r.stderr)
	if first[`RUN ["/bin/sh", "-c", "test -x /out/app && rm /src/app && echo exec-form-ran"]`] != "DONE" {
		t.Fatalf("first build steps %v", first)
	}
	r = runStack(t, dir, env, "image", "build", "-t", "built:1", "--build-arg", "MSG=hi", ".")
	if r.code != 0 || ran.MatchString(r.stderr) {
		t.Fatalf("second build: %+v", r)
	}
	cached := 0
	for text, end := range steps(r.stderr) {
		if strings.HasPrefix(text, "RUN") || strings.HasPrefix(text, "COPY") {
			if end != "CACHED" {
				t.Errorf("second build: %s ended %q, want CACHED", text, end)
			}
			cached++
		}
	}
	if cached != 4 {
		t.Errorf("second build: %d cached RUN and COPY steps, want 4:\n%s", cached, r.stderr)
	}
	if got := runImage(t, root, "built:1"); got != "hello from go: hi\n" {
		t.Fatalf("the built image printed %q", got)
	}
	leftovers, _ := os.ReadDir(filepath.Join(root, "containers"))
	if len(leftovers) != 0 {
		t.Errorf("%d containers left by the builds", len(leftovers))
	}
	testenv.CheckNoLeaks(t, root)

	reg := registrytest.Start(t, registrytest.Options{})
	name := reg + "/test/built:1"
	if r := runStack(t, dir, env, "image", "tag", "built:1", name); r.code != 0 {
		t.Fatalf("tag: %+v", r)
	}
	if r := runStack(t, dir, env, "image", "push", "-q", name); r.code != 0 {
		t.Fatalf("push: %+v", r)
	}
	empty := filepath.Join(t.TempDir(), "empty")
	if r := runStack(t, dir, []string{"STACK_ROOT=" + empty}, "image", "pull", "-q", name); r.code != 0 {
		t.Fatalf("pull: %+v", r)
	}
	if got := runImage(t, empty, name); got != "hello from go: hi\n" {
		t.Fatalf("the pulled image printed %q", got)
	}
}
