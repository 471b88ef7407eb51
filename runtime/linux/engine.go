package linux

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/stackorch/stack/internal/atomicfile"
	"github.com/stackorch/stack/runtime"
)

// Options configure an Engine.
type Options struct {
	Paths  Paths
	Images Images
	// Binary is the stack binary to run monitors from; empty means this
	// process's own executable.
	Binary string
	// Reaper is the lean init (cmd/stack-init) a container's init execs
	// into once its service runs; empty: init stays itself.
	Reaper string
	// Limits makes a container's cgroup at path, with its limits and
	// device rules: runtime/linux/limits.Make, which goes through
	// containerd's cgroups library. It is passed in, not imported, so that
	// the monitor (this package, one process per container) does not link
	// that library. Required.
	Limits func(path string, r runtime.Resources, devices []specs.LinuxDeviceCgroup) error
	// Volume returns the host directory of a named volume, creating it.
	Volume func(ctx context.Context, name string) (string, error)
	Logger *slog.Logger
	// DeferRemoval: Remove moves a container's files out of the way at
	// once (the container is gone) and leaves their deletion to Sweep,
	// which a program calls on its way out. On this host's disk a
	// container's dozen unlinks cost 1-1.5 ms, on the path of a down.
	DeferRemoval bool
}

// Engine runs containers on this machine. It holds no state of its own
// beyond a cache of immutable container configs: the files are the truth.
type Engine struct {
	o       Options
	mu      sync.Mutex
	records map[string]*record
	trash   atomic.Bool // Remove left files for Sweep
	halted  sync.Map    // by ID, the connection of a StopToRemove, for Remove
}

var _ runtime.Runtime = (*Engine)(nil)

// New returns an engine keeping its state under o.Paths.
func New(o Options) (*Engine, error) {
	if o.Paths.Lib == "" {
		o.Paths = DefaultPaths
	}
	if o.Binary == "" {
		self, err := os.Executable()
		if err != nil {
			return nil, err
		}
		o.Binary = self
	}
	if o.Limits == nil {
		return nil, errors.New("open engine: no Limits: pass runtime/linux/limits.Make")
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	for _, d := range []string{o.Paths.containers(), o.Paths.names(), filepath.Join(o.Paths.Run, "containers")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("open engine: %w", err)
		}
	}
	return &Engine{o: o, records: map[string]*record{}}, nil
}

// validName reports whether name is a container name Docker accepts:
// [a-zA-Z0-9][a-zA-Z0-9_.-]*. Not a regexp: every monitor and init links
// this package, and would compile it at start-up.
func validName(name string) bool {
	for i, c := range name {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case i > 0 && (c == '_' || c == '.' || c == '-'):
		default:
			return false
		}
	}
	return name != ""
}

// Create makes a container: it resolves the image and everything the
// monitor will need, claims the name and writes config.json. No process
// runs until Start.
func (e *Engine) Create(ctx context.Context, spec runtime.Spec) (runtime.State, error) {
	fail := func(err error) (runtime.State, error) {
		return runtime.State{}, fmt.Errorf("create container %q: %w", spec.Name, err)
	}
	if !validName(spec.Name) {
		return fail(errors.New("invalid name: use letters, digits, '_', '.' and '-'"))
	}
	img, err := e.o.Images.Image(ctx, spec.Image)
	if err != nil {
		return fail(err)
	}
	if old, err := e.claimed(spec.Name); err == nil {
		if _, err := os.Stat(e.o.Paths.configFile(old)); err == nil {
			return fail(runtime.ErrAlreadyExists)
		}
	}
	id := newID()
	rec := &record{ID: id, Created: time.Now().UTC(), Spec: spec, Image: img}
	// The name is claimed last: a container exists once its name points
	// at it, so one whose create was cut short is never half there.
	dir := e.o.Paths.container(id)
	if err = os.Mkdir(dir, 0o755); err != nil {
		return fail(err)
	}
	// Its files are written side by side: on two CPUs that halves the
	// creation's time (a file's creation is the cost here, and ext4
	// without a journal spends up to half a millisecond on each).
	err = parallel(
		func() error {
			var err error
			if rec.Init, err = e.initConfig(ctx, rec); err != nil {
				return err
			}
			return atomicfile.WriteJSON(e.o.Paths.configFile(id), rec, 0o600)
		},
		func() error {
			for _, d := range []string{"upper", "work", "rootfs"} {
				if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
					return err
				}
			}
			return nil
		},
		func() error { return writeEtcFiles(dir, spec) },
		func() error {
			// Made at the first start otherwise, on its path: the
			// monitor's lock and Start's log of the monitor.
			if err := os.MkdirAll(e.o.Paths.runDir(id), 0o700); err != nil {
				return err
			}
			for _, p := range []string{e.o.Paths.lockFile(id), filepath.Join(dir, "monitor.log")} {
				f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o600)
				if err != nil {
					return err
				}
				f.Close()
			}
			return nil
		},
		func() error {
			return atomicfile.WriteJSON(e.o.Paths.stateFile(id), status{Status: runtime.StatusCreated}, 0o600)
		},
	)
	if err == nil {
		err = e.claim(spec.Name, id)
	}
	if err != nil {
		os.RemoveAll(dir)
		os.RemoveAll(e.o.Paths.runDir(id))
		return fail(err)
	}
	e.mu.Lock()
	e.records[id] = rec
	e.mu.Unlock()
	return rec.state(status{Status: runtime.StatusCreated}), nil
}

// parallel runs fns side by side and returns the error of the first in
// order that failed.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func newID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// resolve finds a container's id from its id, name or a unique id prefix.
func (e *Engine) resolve(ref string) (string, error) {
	if ref == "" {
		return "", runtime.ErrNotFound
	}
	if id, err := os.Readlink(filepath.Join(e.o.Paths.names(), ref)); err == nil {
		return id, nil
	}
	if len(ref) == 64 {
		if _, err := os.Stat(e.o.Paths.container(ref)); err == nil {
			return ref, nil
		}
	}
	entries, _ := os.ReadDir(e.o.Paths.containers())
	found := ""
	for _, d := range entries {
		if strings.HasPrefix(d.Name(), ref) {
			if found != "" {
				return "", fmt.Errorf("%q matches more than one container", ref)
			}
			found = d.Name()
		}
	}
	if found == "" {
		return "", fmt.Errorf("%w: %s", runtime.ErrNotFound, ref)
	}
	return found, nil
}

// load reads a container's config (cached: it never changes) and state.
func (e *Engine) load(ref string) (*record, status, error) {
	id, err := e.resolve(ref)
	if err != nil {
		return nil, status{}, err
	}
	e.mu.Lock()
	rec := e.records[id]
	e.mu.Unlock()
	if rec == nil {
		rec = &record{}
		if err := atomicfile.ReadJSON(e.o.Paths.configFile(id), rec); err != nil {
			if errors.Is(err, os.ErrNotExist) {
				return nil, status{}, fmt.Errorf("%w: %s", runtime.ErrNotFound, ref)
			}
			return nil, status{}, err
		}
		e.mu.Lock()
		e.records[id] = rec
		e.mu.Unlock()
	}
	if owner, err := e.claimed(rec.Spec.Name); err != nil || owner != id {
		// Its create was cut short, or its remove has begun.
		return nil, status{}, fmt.Errorf("%w: %s", runtime.ErrNotFound, ref)
	}
	var st status
	if err := atomicfile.ReadJSON(e.o.Paths.stateFile(id), &st); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, status{}, fmt.Errorf("%w: %s", runtime.ErrNotFound, ref)
		}
		return nil, status{}, err
	}
	return rec, e.checkMonitor(id, st), nil
}

// checkMonitor corrects a state that claims a live container whose monitor
// is gone: the container died with it (init has a parent-death signal).
func (e *Engine) checkMonitor(id string, st status) status {
	switch st.Status {
	case runtime.StatusRunning, runtime.StatusPaused, runtime.StatusRestarting:
	default:
		return st
	}
	if monitorAlive(e.o.Paths.lockFile(id)) {
		return st
	}
	// The monitor may have written the end and exited since st was read:
	// its last write comes before its lock goes.
	var again status
	if atomicfile.ReadJSON(e.o.Paths.stateFile(id), &again) == nil && !again.Running() {
		return again
	}
	st.Status = runtime.StatusDead
	st.Pid = 0
	st.Error = "its monitor exited unexpectedly; the container was stopped with it"
	return st
}

// Inspect returns a container's state.
func (e *Engine) Inspect(ctx context.Context, ref string) (runtime.State, error) {
	rec, st, err := e.load(ref)
	if err != nil {
		return runtime.State{}, err
	}
	return rec.state(st), nil
}

// List returns the containers whose labels include labels.
func (e *Engine) List(ctx context.Context, labels map[string]string) ([]runtime.State, error) {
	entries, err := os.ReadDir(e.o.Paths.containers())
	if err != nil {
		return nil, err
	}
	var out []runtime.State
	for _, d := range entries {
		rec, st, err := e.load(d.Name())
		if err != nil {
			e.sweep(d) // removed meanwhile, or half-created
			continue
		}
		if matches(rec.Spec.Labels, labels) {
			out = append(out, rec.state(st))
		}
	}
	return out, nil
}

func matches(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}
