package main

import (
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stackorch/stack/internal/registrytest"
	"github.com/stackorch/stack/internal/testenv"
)

// bigImage pushes reg/test/big:1, busybox and two more layers, one of
// them size bytes of noise (no compression shrinks it), and returns its
// name.
func bigImage(t *testing.T, reg string, size int) string {
	t.Helper()
	dir := t.TempDir()
	env := []string{"STACK_ROOT=" + filepath.Join(dir, "root")}
	noise := make([]byte, size)
	rand.Read(noise)
	writeFile(t, filepath.Join(dir, "big"), string(noise))
	writeFile(t, filepath.Join(dir, "small"), "small\n")
	writeFile(t, filepath.Join(dir, "Dockerfile"), "FROM busybox:latest\nCOPY small /small\nCOPY big /big\n")
	name := reg + "/test/big:1"
	for _, args := range [][]string{{"image", "import", busyboxTar(t), "busybox:latest"},
		{"image", "build", "-q", "-t", name, "."}, {"image", "push", "-q", name}} {
		if r := runStack(t, dir, env, args...); r.code != 0 {
			t.Fatalf("%v: %+v", args, r)
		}
	}
	return name
}

// tmpfsProject is a project whose stack root is a tmpfs of size (mount(8)
// syntax): when the test ends, the project goes down, the tmpfs is
// unmounted and the machine checked for leaks.
func tmpfsProject(t *testing.T, size, compose string) *proj {
	t.Helper()
	testenv.RequireRoot(t)
	p := &proj{t: t, dir: t.TempDir(), root: filepath.Join(t.TempDir(), "root")}
	if err := os.Mkdir(p.root, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", p.root, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("mount a tmpfs: %v", err)
	}
	t.Cleanup(func() {
		ids := strings.Fields(p.run("ps", "-a", "-q").stdout)
		p.run("down", "-v", "-t", "0")
		testenv.AwaitNetworkFinisher(t)
		// The kernel lets go of a container's overlay (on this tmpfs) when
		// its mount namespace is freed, a moment after its last process.
		err := syscall.Unmount(p.root, 0)
		for deadline := time.Now().Add(5 * time.Second); err == syscall.EBUSY && time.Now().Before(deadline); {
			time.Sleep(20 * time.Millisecond)
			err = syscall.Unmount(p.root, 0)
		}
		if err != nil {
			t.Errorf("unmount the root: %v", err)
		}
		testenv.CheckNoLeaks(t, p.root, ids...)
	})
	p.write("compose.yaml", compose)
	return p
}

// resize gives the tmpfs root size.
func (p *proj) resize(size string) {
	p.t.Helper()
	if err := syscall.Mount("tmpfs", p.root, "tmpfs", syscall.MS_REMOUNT, "size="+size); err != nil {
		p.t.Fatal(err)
	}
}

// storeIsClean fails the test if the image store holds temporary files or
// an image named name ("" for none).
func (p *proj) storeIsClean(name string) {
	p.t.Helper()
	tmp, _ := os.ReadDir(filepath.Join(p.root, "image", "tmp"))
	for _, e := range tmp {
		p.t.Errorf("left in the store's tmp: %s", e.Name())
	}
	if r := p.run("image", "inspect", name); name != "" && r.code == 0 {
		p.t.Errorf("%s is in the store after it failed", name)
	}
}

// lastLine is the last line of stderr: the CLI's error.
func lastLine(r result) string {
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	return lines[len(lines)-1]
}

func TestPullKilledBetweenLayersOrOutOfSpaceLeavesNoImageAndResumes(t *testing.T) {
	t.Parallel()
	reg := registrytest.Start(t, registrytest.Options{})
	name := bigImage(t, reg, 8<<20)
	compose := "name: disk\nservices:\n  app: {image: " + name + ", command: sh -c 'wc -c /big; exec sleep 3600'}\n"

	t.Run("killed", func(t *testing.T) {
		p := tmpfsProject(t, "64m", compose)
		if r := p.runFault("pull.after-layer", "up", "-d"); r.code != -1 {
			t.Fatalf("up with pull.after-layer armed: exit %d\n%s", r.code, r.stderr)
		}
		if r := p.run("image", "inspect", name); r.code == 0 {
			t.Errorf("%s is in the store after its pull was killed", name)
		}
		p.ok("up", "-d")
		p.converged("disk-app-1")
		p.storeIsClean("")
	})
	t.Run("full", func(t *testing.T) {
		p := tmpfsProject(t, "6m", compose)
		r := p.run("up", "-d")
		if line := lastLine(r); r.code != 1 || !strings.HasPrefix(line, "stack: ") || !strings.Contains(line, "no space left on device") {
			t.Fatalf("up on a full disk: exit %d, want 1 saying so\n%s", r.code, r.stderr)
		}
		t.Logf("pull on a full disk: %s", lastLine(r))
		p.storeIsClean(name)
		p.resize("64m")
		p.ok("up", "-d")
		p.converged("disk-app-1")
	})
}

func TestBuildOutOfSpaceLeavesNoImageAndWorksOnceThereIsRoom(t *testing.T) {
	t.Parallel()
	p := tmpfsProject(t, "8m", "name: diskbuild\nservices:\n  app: {build: ., command: sh -c 'wc -c /big; exec sleep 3600'}\n")
	noise := make([]byte, 8<<20)
	rand.Read(noise)
	p.write("big", string(noise))
	p.write("Dockerfile", "FROM busybox:latest\nCOPY big /big\n")
	p.ok("image", "import", busyboxTar(t), "busybox:latest")
	r := p.run("build")
	if line := lastLine(r); r.code != 1 || !strings.HasPrefix(line, "stack: ") || !strings.Contains(line, "no space left on device") {
		t.Fatalf("build on a full disk: exit %d, want 1 saying so\n%s", r.code, r.stderr)
	}
	t.Logf("build on a full disk: %s", lastLine(r))
	p.storeIsClean("diskbuild-app")
	p.resize("64m")
	p.ok("up", "-d", "--build")
	p.converged("diskbuild-app-1")
	eventually(t, "the built image has its /big", func() bool {
		return strings.Contains(p.ok("logs", "--no-log-prefix", "app").stdout, "8388608 /big")
	})
}
