package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stackorch/stack/internal/testenv"
)

// guard bounds a wait for something the binary must make happen: reaching
// it means the behaviour is missing, not that it is slow.
const guard = 30 * time.Second

var busyboxOnce struct {
	sync.Once
	dir  string // removed once the tests are done (runTests)
	path string
	err  error
}

// busyboxTar is a busybox root file system tarball, made once per test
// binary, with /data/seed.txt in it (copy-up has something to copy).
func busyboxTar(t *testing.T) string {
	t.Helper()
	busyboxOnce.Do(func() {
		dir, err := os.MkdirTemp("", "stack-busybox-")
		if err != nil {
			busyboxOnce.err = err
			return
		}
		busyboxOnce.dir = dir
		rootfs := filepath.Join(dir, "rootfs")
		testenv.BusyboxRootfs(t, rootfs)
		os.MkdirAll(filepath.Join(rootfs, "data"), 0o755)
		os.WriteFile(filepath.Join(rootfs, "data", "seed.txt"), []byte("from the image\n"), 0o644)
		busyboxOnce.path = filepath.Join(dir, "busybox.tar")
		busyboxOnce.err = writeTar(rootfs, busyboxOnce.path)
	})
	if busyboxOnce.err != nil {
		t.Fatal(busyboxOnce.err)
	}
	return busyboxOnce.path
}

func writeTar(dir, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := testenv.WriteTar(f, dir); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// proj is a compose project in a directory of its own, with a stack
// root of its own holding busybox:latest.
type proj struct {
	t    *testing.T
	dir  string
	root string
}

// newProject writes compose as compose.yaml (and files beside it) and
// imports busybox into a fresh root. Cleanup takes the project down with
// its volumes and checks that nothing of it is left on the machine.
func newProject(t *testing.T, compose string, files ...string) *proj {
	t.Helper()
	testenv.RequireRoot(t)
	p := &proj{t: t, dir: t.TempDir(), root: filepath.Join(t.TempDir(), "root")}
	p.write("compose.yaml", compose)
	for i := 0; i+1 < len(files); i += 2 {
		p.write(files[i], files[i+1])
	}
	p.ok("image", "import", busyboxTar(t), "busybox:latest")
	t.Cleanup(func() {
		ids := strings.Fields(p.run("ps", "-a", "-q").stdout)
		if r := p.run("down", "-v", "-t", "0", "--remove-orphans"); r.code != 0 {
			t.Errorf("down at cleanup: %+v", r)
		}
		testenv.CheckNoLeaks(t, p.root, ids...)
	})
	return p
}

func (p *proj) write(name, content string) {
	p.t.Helper()
	path := filepath.Join(p.dir, name)
	os.MkdirAll(filepath.Dir(path), 0o755)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		p.t.Fatal(err)
	}
}

func (p *proj) env() []string {
	return []string{"STACK_ROOT=" + p.root, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
}

// run runs stack in the project's directory.
func (p *proj) run(args ...string) result {
	p.t.Helper()
	return runStack(p.t, p.dir, p.env(), args...)
}

// ok runs stack and fails the test unless it exits 0.
func (p *proj) ok(args ...string) result {
	p.t.Helper()
	r := p.run(args...)
	if r.code != 0 {
		p.t.Fatalf("stack %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// fails runs stack, wants exit 1 and a last stderr line "stack: ..."
// holding want, and returns that line.
func (p *proj) fails(want string, args ...string) string {
	p.t.Helper()
	r := p.run(args...)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	last := lines[len(lines)-1]
	if r.code != 1 || !strings.HasPrefix(last, "stack: ") || !strings.Contains(last, want) {
		p.t.Fatalf("stack %s: exit %d, want 1 with %q\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, want, r.stdout, r.stderr)
	}
	return last
}

// psRow is what a test reads of ps --format json.
type psEntry struct {
	Name, ID, Service, Project, State, Health, Command, Image, Labels, CreatedAt, Status string
	ExitCode, RestartCount                                                               int
	Publishers                                                                           []any
}

// ps returns the containers `ps -a --format json` lists, by name.
func (p *proj) ps(args ...string) map[string]psEntry {
	p.t.Helper()
	r := p.ok(append([]string{"ps", "-a", "--format", "json"}, args...)...)
	out := map[string]psEntry{}
	for line := range strings.Lines(r.stdout) {
		var e psEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			p.t.Fatalf("ps --format json: %v: %q", err, line)
		}
		out[e.Name] = e
	}
	return out
}

// background is stack running while the test goes on.
type background struct {
	t    *testing.T
	cmd  *exec.Cmd
	mu   sync.Mutex
	out  bytes.Buffer
	done chan struct{}
	code int
}

type lockedWriter struct{ b *background }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.b.mu.Lock()
	defer w.b.mu.Unlock()
	return w.b.out.Write(p)
}

// start runs stack in the background, stdout and stderr together.
func (p *proj) start(args ...string) *background {
	p.t.Helper()
	b := &background{t: p.t, cmd: exec.Command(stackBin, args...), done: make(chan struct{})}
	b.cmd.Dir, b.cmd.Env = p.dir, append([]string{"HOME=" + p.t.TempDir()}, p.env()...)
	b.cmd.Stdout, b.cmd.Stderr = lockedWriter{b}, lockedWriter{b}
	if err := b.cmd.Start(); err != nil {
		p.t.Fatal(err)
	}
	go func() {
		b.cmd.Wait()
		b.code = b.cmd.ProcessState.ExitCode()
		close(b.done)
	}()
	p.t.Cleanup(func() {
		b.cmd.Process.Kill()
		<-b.done
	})
	return b
}

func (b *background) output() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.out.String()
}

// waitFor waits until the output holds s.
func (b *background) waitFor(s string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	for !strings.Contains(b.output(), s) {
		select {
		case <-ctx.Done():
			b.t.Fatalf("output never held %q:\n%s", s, b.output())
		case <-b.done:
			if !strings.Contains(b.output(), s) {
				b.t.Fatalf("stack exited (%d) without printing %q:\n%s", b.code, s, b.output())
			}
			return
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (b *background) signal(sig syscall.Signal) { b.cmd.Process.Signal(sig) }

// wait waits for stack to exit and returns its exit code.
func (b *background) wait() int {
	b.t.Helper()
	select {
	case <-b.done:
		return b.code
	case <-time.After(guard):
		b.t.Fatalf("stack did not exit:\n%s", b.output())
	}
	return -1
}
