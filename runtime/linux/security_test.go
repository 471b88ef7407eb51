package linux

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stackorch/stack/runtime"
)

func TestContainerCannotReachTheHostBinaryThroughProc(t *testing.T) {
	e := newEngine(t)
	out, _ := output(t, e, sh("t-sec-exe", `
		cat /proc/1/exe >/dev/null 2>&1 && echo read-exe
		readlink /proc/1/exe && echo link-exe
		for f in /proc/1/fd/*; do readlink $f && echo link-fd; cat $f </dev/null >/dev/null 2>&1 && echo read-fd; done`))
	for _, bad := range []string{"read-exe", "link-exe", "link-fd", "read-fd"} {
		if strings.Contains(out, bad) {
			t.Fatalf("container reached init's binary or descriptors: %q", out)
		}
	}
}

func TestNoHostDescriptorReachesTheService(t *testing.T) {
	e := newEngine(t)
	// ls holds one descriptor of its own: the directory it reads.
	out, _ := output(t, e, runtime.Spec{Name: "t-sec-fd", Command: []string{"ls", "/proc/self/fd"}})
	if out != "0\n1\n2\n3\n" {
		t.Fatalf("descriptors in the service: %q, want only stdio and ls's own", out)
	}
}

func TestMountTargetsThroughImageSymlinksStayInside(t *testing.T) {
	e := newEngine(t)
	outside := filepath.Join(t.TempDir(), "outside")
	evil := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(evil, "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../../../../..", filepath.Join(evil, "up")); err != nil {
		t.Fatal(err)
	}
	images.extra = map[string][]string{"evil": {images.layer, evil}}
	defer func() { images.extra = nil }()
	spec := sh("t-sec-link", "ls -d /escape/sub /up/sub2 && echo inside")
	spec.Image = "evil"
	spec.Tmpfs = []string{"/escape/sub"}
	spec.Mounts = []runtime.Mount{{Type: runtime.MountBind, Source: t.TempDir(), Target: "/up/sub2"}}
	// Contained (made inside the root file system) or refused: either way
	// nothing may appear on the host.
	st, err := e.Create(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background(), st.ID); err == nil {
		if st = waitExit(t, e, st.ID); st.ExitCode != 0 {
			t.Errorf("mount targets missing inside: %s", logText(t, e, st.ID))
		}
	} else if !strings.Contains(err.Error(), "/escape/sub") && !strings.Contains(err.Error(), "/up/sub2") {
		t.Errorf("refusal does not name the target: %v", err)
	}
	if _, err := os.Stat(outside); err == nil {
		t.Fatalf("a mount target was created on the host at %s", outside)
	}
	if _, err := os.Stat("/sub2"); err == nil {
		t.Fatal("a mount target was created at the host's /sub2")
	}
}
