package image

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeRunner plays RUN steps: each command (its last argument) names a
// function that makes changes in an overlayfs-format upper directory.
type fakeRunner struct {
	t     *testing.T
	steps map[string]func(upper string)
	mu    sync.Mutex
	ran   []RunSpec
}

func (f *fakeRunner) Run(ctx context.Context, spec RunSpec) error {
	f.mu.Lock()
	f.ran = append(f.ran, spec)
	f.mu.Unlock()
	script := spec.Args[len(spec.Args)-1]
	change, ok := f.steps[script]
	if !ok {
		return errExit(script)
	}
	upper := f.t.TempDir()
	// What the engine's mounts leave behind.
	os.MkdirAll(filepath.Join(upper, "proc"), 0o755)
	os.MkdirAll(filepath.Join(upper, "etc"), 0o755)
	os.WriteFile(filepath.Join(upper, "etc/hosts"), nil, 0o644)
	change(upper)
	spec.Output.Write([]byte("ran " + script + "\n"))
	return spec.Changes(ctx, upper, []string{"/proc", "/dev", "/sys", "/etc/hosts", "/etc/resolv.conf", "/etc/hostname"})
}

type errExit string

func (e errExit) Error() string { return "exit code 1 (" + string(e) + ")" }

func whiteout(t *testing.T, p string) {
	t.Helper()
	if err := unix.Mknod(p, unix.S_IFCHR, 0); err != nil {
		t.Fatal(err)
	}
}

// writeTree writes files (name -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// events collects build events.
type events struct {
	mu  sync.Mutex
	all []BuildEvent
}

func (e *events) add(ev BuildEvent) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
}

// ends lists "TEXT STATE" for the steps that ended, with the given
// instruction prefix ("RUN", "COPY") or all when prefix is empty.
func (e *events) ends(prefix string) []string {
	var out []string
	for _, ev := range e.all {
		if ev.State != StepStarted && strings.HasPrefix(ev.Text, prefix) {
			out = append(out, ev.Text+" "+ev.State)
		}
	}
	return out
}

// mergedFiles lists the files of an image's merged layers with contents.
func mergedFiles(t *testing.T, img Image) map[string]string {
	t.Helper()
	fsys := newLayersFS(img.Layers)
	defer fsys.close()
	out := map[string]string{}
	var walk func(dir string)
	walk = func(dir string) {
		names, err := fsys.readDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			p := filepath.Join(dir, n)
			fi, _ := fsys.lstat(p)
			switch {
			case fi.IsDir():
				out[p+"/"] = ""
				walk(p)
			case fi.Mode().IsRegular():
				f, _ := fsys.open(p)
				data := make([]byte, fi.Size())
				f.Read(data)
				f.Close()
				out[p] = string(data)
			default:
				out[p] = "?" + fi.Mode().String()
			}
		}
	}
	walk(".")
	return out
}

func keys(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }
