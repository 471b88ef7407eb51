package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stackorch/stack/internal/testenv"
)

// examplesCopy copies examples/ into a temporary directory and builds the
// programs there, as run.sh does, leaving the source tree alone.
func examplesCopy(t *testing.T) string {
	t.Helper()
	testenv.RequireRoot(t)
	src, _ := filepath.Abs(filepath.Join("..", "..", "examples"))
	dst := filepath.Join(t.TempDir(), "examples")
	if out, err := exec.Command("cp", "-r", src, dst).CombinedOutput(); err != nil {
		t.Fatalf("copy examples: %v %s", err, out)
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = "/usr/local/go/bin/go"
	}
	for _, app := range []string{"store", "web", "worker", "cli"} {
		cmd := exec.Command(gobin, "build", "-o", filepath.Join(dst, "webapp", app, app), "./examples/webapp/"+app)
		cmd.Dir, cmd.Env = filepath.Join("..", ".."), append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %s: %v %s", app, err, out)
		}
	}
	return dst
}

// example is the project of one example, in a root of its own.
func example(t *testing.T, dir string) *proj {
	p := &proj{t: t, dir: dir, root: filepath.Join(t.TempDir(), "root")}
	t.Cleanup(func() {
		ids := strings.Fields(p.run("ps", "-a", "-q").stdout)
		p.run("down", "-v", "-t", "0")
		testenv.CheckNoLeaks(t, p.root, ids...)
	})
	return p
}

// Not parallel: they publish ports (see compose_network_test.go).
func TestExamplesRunAsTheirReadmesSay(t *testing.T) {
	dir := examplesCopy(t)
	port := freePort(t)

	web := example(t, filepath.Join(dir, "webapp"))
	run := func(p *proj, args ...string) result {
		t.Helper()
		r := runStack(t, p.dir, append(p.env(), fmt.Sprintf("WEB_PORT=%d", port)), args...)
		if r.code != 0 {
			t.Fatalf("stack %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
		return r
	}
	run(web, "up", "-d", "--wait", "--scale", "worker=3")
	page := get(t, fmt.Sprintf("http://127.0.0.1:%d/", port), "by 3 workers")
	if !strings.HasPrefix(page, "Hello from ") {
		t.Errorf("webapp answered %q", page)
	}
	if r := run(web, "run", "--rm", "cli", "GET", "visits"); strings.TrimSpace(r.stdout) == "" {
		t.Errorf("cli GET visits: %+v", r)
	}
	run(web, "down")

	startup := example(t, filepath.Join(dir, "startup"))
	run(startup, "up", "-d", "--wait")
	run(startup, "wait", "smoke") // a one-shot: --wait saw it running
	got := startup.ps()
	if got["startup-migrate-1"].ExitCode != 0 || got["startup-migrate-1"].State != "exited" || got["startup-web-1"].Health != "healthy" {
		t.Errorf("startup: %+v", got)
	}
	if r := run(startup, "logs", "--no-log-prefix", "smoke"); r.stdout != "3\n" {
		t.Errorf("smoke read the schema version %q", r.stdout)
	}
	run(startup, "down")

	vol := example(t, filepath.Join(dir, "volume"))
	vol.ok("up", "-d")
	vol.ok("run", "--rm", "cli", "SET", "greeting", "hello")
	vol.ok("down")
	vol.ok("up", "-d")
	if r := vol.ok("run", "--rm", "cli", "GET", "greeting"); r.stdout != "hello\n" {
		t.Errorf("after down and up: %q", r.stdout)
	}
	vol.ok("down", "-v")
	vol.ok("up", "-d")
	if r := vol.ok("run", "--rm", "cli", "GET", "greeting"); r.stdout != "(nil)\n" {
		t.Errorf("after down -v and up: %q", r.stdout)
	}
}

// get fetches url until its body holds want.
func get(t *testing.T, url, want string) string {
	t.Helper()
	deadline := time.Now().Add(guard)
	for {
		resp, err := http.Get(url)
		body := ""
		if err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
		}
		if strings.Contains(body, want) {
			return body
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v %q, want %q", url, err, body, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
