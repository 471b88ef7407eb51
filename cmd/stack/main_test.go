package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"testing"

	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/runtime/linux"
)

// stackBin is the stack binary built once for the end-to-end tests.
var stackBin string

func TestMain(m *testing.M) {
	finished := network.Reexec() // a detached process of this one's (internal/detach)
	if linux.Reexec() || finished {
		return
	}
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "stack-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "make temp dir:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	defer func() {
		if busyboxOnce.dir != "" {
			os.RemoveAll(busyboxOnce.dir)
		}
	}()
	stackBin = filepath.Join(dir, "stack")
	gobin, err := exec.LookPath("go")
	if err != nil {
		gobin = filepath.Join(goruntime.GOROOT(), "bin", "go")
	}
	build := exec.Command(gobin, "build", "-o", stackBin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build stack: %v\n%s", err, out)
		return 1
	}
	return m.Run()
}

// result is what one run of the stack binary did.
type result struct {
	stdout, stderr string
	code           int
}

// runStack runs the binary in dir with only env (and a private HOME) as
// its environment.
func runStack(t *testing.T, dir string, env []string, args ...string) result {
	t.Helper()
	cmd := exec.Command(stackBin, args...)
	cmd.Dir = dir
	cmd.Env = append([]string{"HOME=" + t.TempDir()}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		r.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run stack %v: %v", args, err)
	}
	return r
}
