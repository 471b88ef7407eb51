package main

import (
	"context"
	"io/fs"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackorch/stack/internal/testenv"
)

// A hostile compose file makes `stack up -d` fail with one line naming the
// file, and starts nothing: no container, no project state, no link (stack
// runs in a network namespace of its own, which must end with only lo).
func TestUpWithHostileComposeFileStartsNothing(t *testing.T) {
	t.Parallel()
	laughs := "x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
	for i := 1; i <= 9; i++ {
		laughs += "x-a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat("*a"+string(rune('0'+i-1))+", ", 8) + "*a" + string(rune('0'+i-1)) + "]\n"
	}
	good := "services:\n  ok:\n    image: busybox\n    command: sleep 1d\n"
	cases := []struct {
		name, compose, want string
		files               []string
	}{
		{"syntax error", good + "  web:\n    image: \"busybox\n", "compose.yaml:7: yaml: found unexpected end of stream", nil},
		{"wrong type", good + "    ports: 80\n", "compose.yaml:5: services.ok.ports: must be a list", nil},
		{"undefined network", good + "    networks: [back]\n", `compose.yaml:2: service "ok" refers to undefined network back`, nil},
		{"depends_on cycle", good + "    depends_on: [web]\n  web:\n    image: busybox\n    depends_on: [ok]\n", "services.ok.depends_on: dependency cycle: ok -> web -> ok", nil},
		{"extends cycle", good + "    extends: web\n  web:\n    extends: ok\n", "compose.yaml: Circular reference", nil},
		{"include cycle", "include: [inc/compose.yaml]\n" + good, "include: cycle detected", []string{"inc/compose.yaml", "include: [../compose.yaml]\n"}},
		{"billion laughs", laughs + good + "    x-laughs: *a9\n", "compose.yaml:1: yaml: document contains excessive aliasing", nil},
		{"deep nesting", good + "    x-deep: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n", "exceeded max depth of 10000", nil},
		{"huge file", good + "    x-pad: \"" + strings.Repeat("a", 2<<20) + "\"\n", "the most stack reads in a compose file", nil},
		{"huge command string", good + "  web:\n    image: busybox\n    command: \"" + strings.Repeat("a", 512<<10) + "\"\n", "services.web.command: a string of 524288 bytes is longer than 65536", nil},
	}
	p := newProject(t, good)
	p.ok("ls", "-a", "-q") // makes the engine's empty directories
	before := tree(t, p.root)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p.write("compose.yaml", c.compose)
			for i := 0; i+1 < len(c.files); i += 2 {
				p.write(c.files[i], c.files[i+1])
			}
			code, stderr, links := upInOwnNetns(t, p)
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			if code != 1 || len(lines) != 1 || !strings.HasPrefix(lines[0], "stack: ") || !strings.Contains(lines[0], c.want) {
				t.Errorf("up -d: exit %d, stderr:\n%.600s\nwant exit 1 and one line holding %q", code, stderr, c.want)
			}
			if links != "lo" {
				t.Errorf("up -d made links: %s", links)
			}
			if after := tree(t, p.root); after != before {
				t.Errorf("up -d changed the stack root:\nbefore:\n%s\nafter:\n%s", before, after)
			}
			if out := p.ok("ls", "-a", "-q").stdout; strings.TrimSpace(out) != "" {
				t.Errorf("ls -a lists projects: %q", out)
			}
			testenv.CheckNoLeaks(t, p.root)
		})
	}
	p.write("compose.yaml", good)
}

// upInOwnNetns runs `stack up -d` in a new network namespace and returns
// its exit code, stderr, and the links that namespace holds afterwards.
func upInOwnNetns(t *testing.T, p *proj) (int, string, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*guard)
	defer cancel()
	script := `"$0" up -d 2>"$1"; rc=$?; ip -o link show | awk -F': ' '{print $2}' | tr '\n' ' ' ; exit $rc`
	errFile := filepath.Join(t.TempDir(), "stderr")
	cmd := exec.CommandContext(ctx, "unshare", "--net", "--", "sh", "-c", script, stackBin, errFile)
	cmd.Dir, cmd.Env = p.dir, append([]string{"HOME=" + t.TempDir()}, p.env()...)
	out, err := cmd.Output()
	if ctx.Err() != nil {
		t.Fatalf("up -d did not return within %s", 2*guard)
	}
	code := 0
	if exit, ok := err.(*exec.ExitError); ok {
		code = exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	stderr := readFileT(t, errFile)
	return code, stderr, strings.TrimSpace(string(out))
}

// tree lists every path under root with its type and size.
func tree(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		b.WriteString(rel + " " + d.Type().String() + "\n")
		return nil
	})
	return b.String()
}
