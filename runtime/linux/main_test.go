package linux

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"sync"
	"testing"
	"time"

	"github.com/stackorch/stack/internal/testenv"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux/limits"
)

func TestMain(m *testing.M) {
	if Reexec() {
		return
	}
	code := m.Run()
	if images.dir != "" {
		os.RemoveAll(images.dir)
	}
	for _, d := range images.cleanup {
		os.RemoveAll(d)
	}
	os.Exit(code)
}

// testImages serves one busybox image, built once per test binary.
type testImages struct {
	once    sync.Once
	dir     string
	layer   string
	extra   map[string][]string // more images by name: their layers
	cleanup []string            // more directories to remove at the end
}

var images = &testImages{}

func (ti *testImages) Image(ctx context.Context, ref string) (Image, error) {
	layers := []string{ti.layer}
	if l, ok := ti.extra[ref]; ok {
		layers = l
	} else if ref != "busybox" {
		return Image{}, fmt.Errorf("image %q: not found", ref)
	}
	return Image{ID: "sha256:test", Layers: layers, Config: ImageConfig{
		Env: []string{"PATH=/bin", "FROM_IMAGE=1"}, Cmd: []string{"sh"},
	}}, nil
}

// lean is cmd/stack-init, built once per test binary: the engines of the
// tests run it as stack does.
var lean struct {
	once sync.Once
	path string
	err  error
}

// leanInit builds cmd/stack-init as make build does, execute-only as
// stack writes it.
func leanInit(tb testing.TB) string {
	lean.once.Do(func() {
		dir, err := os.MkdirTemp("", "stack-init-")
		if err != nil {
			lean.err = err
			return
		}
		images.cleanup = append(images.cleanup, dir)
		path := filepath.Join(dir, "stack-init")
		goBin := filepath.Join(goruntime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goBin); err != nil {
			goBin = "go"
		}
		// As make build builds it: build.sh knows the flags.
		_, here, _, _ := goruntime.Caller(0)
		cmd := exec.Command("sh", filepath.Join(filepath.Dir(here), "..", "..", "cmd", "stack-init", "build.sh"), path)
		cmd.Env = append(os.Environ(), "GO="+goBin)
		if out, err := cmd.CombinedOutput(); err != nil {
			lean.err = fmt.Errorf("build stack-init: %v\n%s", err, out)
			return
		}
		lean.err = os.Chmod(path, 0o111)
		lean.path = path
	})
	if lean.err != nil {
		tb.Fatal(lean.err)
	}
	return lean.path
}

// setupImages builds the busybox layer once per test binary.
func setupImages(tb testing.TB) {
	images.once.Do(func() {
		dir, err := os.MkdirTemp("", "stack-layer-")
		if err != nil {
			tb.Fatal(err)
		}
		images.dir = dir
		images.layer = filepath.Join(dir, "fs")
		testenv.BusyboxRootfs(tb, images.layer)
	})
}

// newEngine returns an engine with a private root that is checked for
// leftovers when the test ends.
func newEngine(t *testing.T) *Engine {
	t.Helper()
	return newEngineWith(t, func(*Options) {})
}

// newEngineWith is newEngine with its options changed by set.
func newEngineWith(t *testing.T, set func(*Options)) *Engine {
	t.Helper()
	testenv.RequireRoot(t)
	setupImages(t)
	root := t.TempDir()
	o := Options{Paths: PathsAt(root), Images: images, Reaper: leanInit(t), Limits: limits.Make}
	set(&o)
	e, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		list, _ := e.List(ctx, nil)
		var ids []string
		for _, c := range list {
			ids = append(ids, c.ID)
			if err := e.Remove(ctx, c.ID, true); err != nil {
				t.Errorf("remove %s: %v", c.Name, err)
			}
		}
		testenv.CheckNoLeaks(t, root, ids...)
	})
	return e
}

func run(t *testing.T, e *Engine, spec runtime.Spec) runtime.State {
	t.Helper()
	ctx := context.Background()
	if spec.Image == "" {
		spec.Image = "busybox"
	}
	st, err := e.Create(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx, st.ID); err != nil {
		log, _ := os.ReadFile(e.o.Paths.logFile(st.ID))
		t.Fatalf("%v\n%s", err, log)
	}
	st, err = e.Inspect(ctx, st.ID)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func waitExit(t *testing.T, e *Engine, id string) runtime.State {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := e.Wait(ctx, id, runtime.UntilExited)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func mustResolve(t *testing.T, e *Engine, name string) string {
	t.Helper()
	id, err := e.resolve(name)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func jsonUnmarshalFile(path string, v any) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}
