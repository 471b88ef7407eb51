package project

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// guard bounds a load that must fail fast: reaching it means a hang, not
// slowness.
const guard = 30 * time.Second

// hostileCase is a compose file that must be refused: the error is one
// line that starts with the file's name and holds want (and the service,
// where there is one).
type hostileCase struct {
	name    string
	dir     string // under testdata/hostile, or
	compose string // generated
	want    string
	service string
	is      error
}

var hostileCorpus = []hostileCase{
	{name: "unclosed quote", dir: "unclosedquote", want: "found unexpected end of stream", is: ErrInvalid},
	{name: "duplicate key", dir: "duplicatekey", want: `mapping key "image" already defined`, is: ErrInvalid},
	{name: "services as a list", dir: "notamapping", want: "services: must be a mapping", is: ErrInvalid},
	{name: "a number where a number is wanted", dir: "wrongtype", service: "web", want: `"two" is not a number`, is: ErrInvalid},
	{name: "environment as a number", dir: "envnumber", service: "web", want: "must be a mapping", is: ErrInvalid},
	{name: "undefined network", dir: "unknownnetwork", service: "web", want: "undefined network back", is: ErrInvalid},
	{name: "undefined volume", dir: "unknownvolume", service: "web", want: "undefined volume data", is: ErrInvalid},
	{name: "undefined secret", dir: "unknownsecret", service: "web", want: "undefined secret token", is: ErrInvalid},
	{name: "undefined config", dir: "unknownconfig", service: "web", want: "undefined config settings", is: ErrInvalid},
	{name: "depends_on an undefined service", dir: "unknowndep", service: "web", want: `undefined service "db"`, is: ErrUnknownService},
	{name: "extends an undefined service", dir: "unknownextends", service: "web", want: `service "base" not found`, is: ErrInvalid},
	{name: "extends a missing file", dir: "unknownextendsfile", service: "web", want: `open "nope.yaml": no such file`, is: ErrInvalid},
	{name: "depends_on cycle", dir: "dependscycle", service: "api", want: "dependency cycle: api -> db -> web -> api", is: ErrCycle},
	{name: "depends_on itself", dir: "dependsself", service: "web", want: "dependency cycle: web -> web", is: ErrCycle},
	{name: "extends cycle", dir: "extendscycle", service: "web", want: "Circular reference", is: ErrInvalid},
	{name: "extends itself through its file", dir: "extendsself", service: "web", want: "Circular reference", is: ErrInvalid},
	{name: "include cycle", dir: "includecycle", want: "include: cycle detected", is: ErrInvalid},
	{name: "include itself", dir: "includeself", want: "include: cycle detected", is: ErrInvalid},
	{name: "alias cycle", dir: "aliascycle", want: "cycle detected", is: ErrInvalid},
	{name: "undefined alias", dir: "undefinedalias", want: "unknown anchor 'nothing'", is: ErrInvalid},

	{name: "billion laughs", compose: laughs(9), want: "excessive aliasing", is: ErrInvalid},
	{name: "billion laughs under a service", compose: laughs(6) + "services:\n  web:\n    image: busybox\n    command: *a6\n", want: "yaml:", is: ErrInvalid},
	{name: "deep flow nesting", compose: "services:\n  web:\n    image: busybox\n    x-deep: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n",
		want: "exceeded max depth of 10000", is: ErrInvalid},
	{name: "deep block nesting", compose: blockNest(1200), want: "services.web.labels.k: must be a boolean, null, number or string", is: ErrInvalid},
	{name: "deep chain of anchors", compose: anchorChain(5000), want: "excessive aliasing", is: ErrInvalid},
	{name: "file larger than the limit", compose: "services:\n  web:\n    image: busybox\n    x-pad: \"" + strings.Repeat("a", MaxFileSize) + "\"\n",
		want: "the most stack reads in a compose file", is: ErrInvalid},
	{name: "huge command string", compose: "services:\n  web:\n    image: busybox\n    command: \"" + strings.Repeat("a", 900<<10) + "\"\n",
		service: "web", want: "services.web.command: a string of 921600 bytes is longer than 65536", is: ErrInvalid},
	{name: "huge entrypoint through an anchor and a merge key", compose: "x-base: &base\n  entrypoint: \"" + strings.Repeat("a ", 40<<10) + "\"\nservices:\n  web:\n    <<: *base\n    image: busybox\n",
		service: "web", want: "services.web.entrypoint: a string of 81920 bytes", is: ErrInvalid},
	{name: "more services than the limit", compose: manyServices(MaxKeys + 1), want: "compose.yaml:2: services: a mapping of 10001 keys is more than 10000", is: ErrInvalid},
	{name: "more labels than the limit", compose: manyLabels(60000), service: "web", want: "services.web.labels: a mapping of 60000 keys", is: ErrInvalid},
}

func TestHostileComposeFilesFailFastWithOneLineNamingTheFile(t *testing.T) {
	for _, c := range hostileCorpus {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join("testdata", "hostile", c.dir)
			if c.compose != "" {
				dir = t.TempDir()
				if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(c.compose), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			err := loadGuarded(t, Options{WorkingDir: dir, Environ: []string{}})
			checkHostileError(t, c, err)
		})
	}
}

// loadGuarded loads o, failing the test if it does not return within guard.
func loadGuarded(t *testing.T, o Options) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := Open(ctx, o)
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		t.Fatalf("load did not return within %s", guard)
		return nil
	}
}

func checkHostileError(t *testing.T, c hostileCase, err error) {
	t.Helper()
	if err == nil {
		t.Fatal("Load succeeded, want an error")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans several lines: %q", msg)
	}
	if len(msg) > 400 {
		t.Errorf("error of %d bytes, want a short line: %.400s...", len(msg), msg)
	}
	if !strings.HasPrefix(msg, "compose.yaml") {
		t.Errorf("error does not start with the file's name: %s", msg)
	}
	if !strings.Contains(msg, c.want) {
		t.Errorf("error = %s\nwant it to hold %q", msg, c.want)
	}
	if c.service != "" && !strings.Contains(msg, c.service) {
		t.Errorf("error = %s\nwant it to name service %q", msg, c.service)
	}
	if c.is != nil && !errors.Is(err, c.is) {
		t.Errorf("errors.Is(%v, %v) = false", err, c.is)
	}
}

func TestComposeFileOnStdinLargerThanTheLimitIsRefused(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdin := os.Stdin
	os.Stdin = r
	t.Cleanup(func() { os.Stdin = stdin; r.Close() })
	go func() {
		// Endless: the reader must stop at the limit rather than read it all.
		chunk := []byte("# " + strings.Repeat("x", 4094) + "\n")
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}()
	err = loadGuarded(t, Options{WorkingDir: t.TempDir(), Files: []string{"-"}, Environ: []string{}})
	w.Close()
	if err == nil || !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), "<stdin>: more than 1048576 bytes") {
		t.Fatalf("err = %v, want <stdin>: more than 1048576 bytes", err)
	}
}

func TestComposeFileJustUnderTheLimitsLoads(t *testing.T) {
	// A long command in list form, and one just at the string limit.
	compose := "services:\n  web:\n    image: busybox\n    command: [\"" + strings.Repeat("a", MaxCommandLen*4) + "\"]\n" +
		"  api:\n    image: busybox\n    command: \"" + strings.Repeat("b", MaxCommandLen) + "\"\n"
	compose += "    x-pad: \"" + strings.Repeat("p", MaxFileSize-len(compose)-len("    x-pad: \"\"\n")) + "\"\n"
	if len(compose) != MaxFileSize {
		t.Fatalf("made a file of %d bytes, want %d", len(compose), MaxFileSize)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(compose), 0o644)
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	p, err := Open(ctx, Options{WorkingDir: dir, Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(p.Services["api"].Command[0]); got != MaxCommandLen {
		t.Errorf("api's command is %d bytes, want %d", got, MaxCommandLen)
	}
}

// laughs is the billion laughs: n levels of anchors, each a list of nine
// aliases of the one before.
func laughs(n int) string {
	var b strings.Builder
	b.WriteString("x-a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "x-a%d: &a%d [", i, i)
		for j := range 9 {
			if j > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "*a%d", i-1)
		}
		b.WriteString("]\n")
	}
	if n == 9 {
		b.WriteString("services:\n  web:\n    image: busybox\n    x-laughs: *a9\n")
	}
	return b.String()
}

// blockNest nests depth block mappings under a service's labels.
func blockNest(depth int) string {
	var b strings.Builder
	b.WriteString("services:\n  web:\n    image: busybox\n    labels:\n")
	for i := range depth {
		fmt.Fprintf(&b, "%sk:\n", strings.Repeat(" ", 6+i))
	}
	return b.String()
}

// anchorChain is n anchors, each nesting the one before, the last used as
// a service's labels.
func anchorChain(n int) string {
	var b strings.Builder
	b.WriteString("x-c0: &c0 {v: x}\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "x-c%d: &c%d {v: *c%d}\n", i, i, i-1)
	}
	fmt.Fprintf(&b, "services:\n  web:\n    image: busybox\n    labels: *c%d\n", n)
	return b.String()
}

func manyServices(n int) string {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := range n {
		fmt.Fprintf(&b, "  s%d: {image: busybox}\n", i)
	}
	return b.String()
}

func manyLabels(n int) string {
	var b strings.Builder
	b.WriteString("services:\n  web:\n    image: busybox\n    labels:\n")
	for i := range n {
		fmt.Fprintf(&b, "      l%d: v\n", i)
	}
	return b.String()
}
