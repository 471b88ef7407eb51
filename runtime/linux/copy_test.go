package linux

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func tarOf(t *testing.T, files map[string]string) *bytes.Buffer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range files {
		hdr := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg, ModTime: time.Now()}
		if strings.HasSuffix(name, "/") {
			hdr = &tar.Header{Name: name, Mode: 0o755, Typeflag: tar.TypeDir, ModTime: time.Now()}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, body)
	}
	tw.Close()
	return &buf
}

func untarNames(t *testing.T, data []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	tr := tar.NewReader(bytes.NewReader(data))
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out[hdr.Name] = string(b)
	}
}

func execOut(t *testing.T, e *Engine, id string, args ...string) string {
	t.Helper()
	r, w, _ := os.Pipe()
	_, err := e.Exec(context.Background(), id, Process{Args: args, Stdout: w, Stderr: w})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(r)
	return string(b)
}

func TestCopyIntoAndOutOfARunningContainer(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	st := run(t, e, sh("t-cp-1", "mkdir -p /data/d && echo inner > /data/d/b.txt && sleep 30"))
	if err := e.CopyTo(ctx, st.ID, "/tmp", tarOf(t, map[string]string{"a.txt": "hello\n", "sub/": "", "sub/c.txt": "deep\n"})); err != nil {
		t.Fatal(err)
	}
	if out := execOut(t, e, st.ID, "cat", "/tmp/a.txt", "/tmp/sub/c.txt"); out != "hello\ndeep\n" {
		t.Fatalf("copied in: %q", out)
	}
	for !strings.Contains(execOut(t, e, st.ID, "ls", "/data/d"), "b.txt") {
		time.Sleep(10 * time.Millisecond)
	}
	var buf bytes.Buffer
	if err := e.CopyFrom(ctx, st.ID, "/data/d", &buf); err != nil {
		t.Fatal(err)
	}
	if got := untarNames(t, buf.Bytes()); got["d/b.txt"] != "inner\n" || got["d/"] != "" {
		t.Fatalf("copied out: %v", got)
	}
}

func TestCopyStaysInsideTheContainerWhateverItsSymlinks(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	hostDir := t.TempDir()
	os.WriteFile(hostDir+"/secret", []byte("host-only\n"), 0o600)
	// The container plants symlinks to the host's paths and upwards.
	st := run(t, e, sh("t-cp-2", "ln -s "+hostDir+" /tmp/evil; ln -s ../../../../.. /tmp/up; ln -s "+hostDir+"/secret /tmp/leaf; sleep 30"))
	for !strings.Contains(execOut(t, e, st.ID, "ls", "/tmp"), "leaf") {
		time.Sleep(10 * time.Millisecond)
	}
	if err := e.CopyTo(ctx, st.ID, "/tmp/up", tarOf(t, map[string]string{"planted": "x\n"})); err != nil {
		t.Fatal(err) // lands in the container's own root
	}
	if _, err := os.Stat("/planted"); err == nil {
		os.Remove("/planted")
		t.Fatal("a copy through a symlink reached the host's root")
	}
	e.CopyTo(ctx, st.ID, "/tmp/evil", tarOf(t, map[string]string{"x": "y\n"})) // the host dir does not exist inside: refused or inside
	if _, err := os.Stat(hostDir + "/x"); err == nil {
		t.Fatal("a copy through a symlink reached the host's directory")
	}
	if err := e.CopyTo(ctx, st.ID, "/tmp", tarOf(t, map[string]string{"leaf": "replaced\n"})); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(hostDir + "/secret"); string(b) != "host-only\n" {
		t.Fatalf("a copy wrote through a symlink to the host: %q", b)
	}
	if err := e.CopyTo(ctx, st.ID, "/tmp", tarOf(t, map[string]string{"../../escape": "x"})); err == nil || !strings.Contains(err.Error(), "leaves the destination") {
		t.Fatalf("entry climbing out: %v", err)
	}
	var buf bytes.Buffer
	err := e.CopyFrom(ctx, st.ID, "/tmp/evil/secret", &buf)
	if err == nil && strings.Contains(buf.String(), "host-only") {
		t.Fatal("a copy out followed a symlink to the host")
	}
}

func TestCopyWorksOnAStoppedContainer(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	st := run(t, e, sh("t-cp-3", "echo made-while-running > /made; cat /given 2>/dev/null"))
	st = waitExit(t, e, st.ID)
	var buf bytes.Buffer
	if err := e.CopyFrom(ctx, st.ID, "/made", &buf); err != nil {
		t.Fatal(err)
	}
	if got := untarNames(t, buf.Bytes()); got["made"] != "made-while-running\n" {
		t.Fatalf("copied out of a stopped container: %v", got)
	}
	if err := e.CopyTo(ctx, st.ID, "/", tarOf(t, map[string]string{"given": "handed-in\n"})); err != nil {
		t.Fatal(err)
	}
	if err := e.Start(ctx, st.ID); err != nil {
		t.Fatal(err)
	}
	waitExit(t, e, st.ID)
	if !strings.Contains(logText(t, e, st.ID), "handed-in") {
		t.Fatal("a file copied into a stopped container is not there when it starts")
	}
}
