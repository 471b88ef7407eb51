package image

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestUnpackKeepsMetadata checks owners, modes with setuid, mtimes, xattrs,
// device nodes, fifos, hardlinks and symlinks, and the diffID.
func TestUnpackKeepsMetadata(t *testing.T) {
	needRoot(t)
	suid := file("bin/su", "#!")
	suid.hdr.Mode, suid.hdr.Uid, suid.hdr.Gid = 0o4755, 0, 0
	owned := file("home/app/notes", "hello")
	owned.hdr.Uid, owned.hdr.Gid, owned.hdr.Mode = 1000, 1001, 0o640
	owned.hdr.PAXRecords = map[string]string{
		"SCHILY.xattr.user.comment":           "kept",
		"SCHILY.xattr.trusted.overlay.opaque": "y", // only whiteouts make these
	}
	null := entry{tar.Header{Typeflag: tar.TypeChar, Name: "dev/null", Mode: 0o666, Devmajor: 1, Devminor: 3, ModTime: testTime}, ""}
	fifo := entry{tar.Header{Typeflag: tar.TypeFifo, Name: "run/fifo", Mode: 0o600, ModTime: testTime}, ""}
	tmp := dir("tmp/")
	tmp.hdr.Mode = 0o1777
	layer := makeTar(t, dir("bin/"), suid, dir("home/"), dir("home/app/"), owned, dir("dev/"), null,
		dir("run/"), fifo, tmp, symlink("bin/sh", "/bin/busybox"), hardlink("bin/su2", "bin/su"))

	tree := t.TempDir()
	res, err := Unpack(context.Background(), bytes.NewReader(gzipped(t, layer)), tree, DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(layer)
	if res.DiffID.Hex != hex.EncodeToString(sum[:]) || res.Compression != Gzip {
		t.Fatalf("diffID %s (%s), want sha256:%x (gzip)", res.DiffID, res.Compression, sum)
	}
	if res.Size != int64(len("#!")+len("hello")) {
		t.Errorf("size %d", res.Size)
	}
	stat := func(name string) unix.Stat_t {
		var st unix.Stat_t
		if err := unix.Lstat(filepath.Join(tree, name), &st); err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := stat("bin/su"); st.Mode&0o7777 != 0o4755 {
		t.Errorf("bin/su mode %o, want 4755", st.Mode&0o7777)
	}
	if st := stat("home/app/notes"); st.Uid != 1000 || st.Gid != 1001 || st.Mode&0o777 != 0o640 {
		t.Errorf("notes: %d:%d %o", st.Uid, st.Gid, st.Mode&0o777)
	}
	if st := stat("home/app/notes"); st.Mtim.Sec != testTime.Unix() {
		t.Errorf("notes mtime %d, want %d", st.Mtim.Sec, testTime.Unix())
	}
	if st := stat("home/app"); st.Mtim.Sec != testTime.Unix() {
		t.Errorf("home/app mtime %d, want %d (directory times are set last)", st.Mtim.Sec, testTime.Unix())
	}
	buf := make([]byte, 64)
	if n, err := unix.Lgetxattr(filepath.Join(tree, "home/app/notes"), "user.comment", buf); err != nil || string(buf[:n]) != "kept" {
		t.Errorf("user.comment: %q, %v", buf[:n], err)
	}
	if _, err := unix.Lgetxattr(filepath.Join(tree, "home/app/notes"), "trusted.overlay.opaque", buf); err == nil {
		t.Error("a trusted.overlay xattr from the tar was kept")
	}
	if st := stat("dev/null"); st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != unix.Mkdev(1, 3) {
		t.Errorf("dev/null: mode %o rdev %d", st.Mode, st.Rdev)
	}
	if st := stat("run/fifo"); st.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Errorf("run/fifo mode %o", st.Mode)
	}
	if st := stat("tmp"); st.Mode&0o7777 != 0o1777 {
		t.Errorf("tmp mode %o", st.Mode&0o7777)
	}
	if target, _ := os.Readlink(filepath.Join(tree, "bin/sh")); target != "/bin/busybox" {
		t.Errorf("bin/sh -> %q", target)
	}
	if a, b := stat("bin/su"), stat("bin/su2"); a.Ino != b.Ino {
		t.Error("bin/su2 is not a hardlink of bin/su")
	}
}

// TestUnpackWhiteouts checks the overlay format of whiteouts and opaque
// directories, and that a later entry for a name replaces the earlier one.
func TestUnpackWhiteouts(t *testing.T) {
	needRoot(t)
	tree := t.TempDir()
	layer := makeTar(t, file(".wh.gone", ""), dir("a/"), file("a/.wh.file1", ""), dir("b/"),
		file("b/.wh..wh..opq", ""), file("b/new", "new"), file("c/.wh..wh.plnk", ""),
		file("dup", "first"), file("dup", "second"))
	if _, err := Unpack(context.Background(), bytes.NewReader(layer), tree, DefaultLimits); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"gone", "a/file1"} {
		var st unix.Stat_t
		if err := unix.Lstat(filepath.Join(tree, name), &st); err != nil {
			t.Fatal(err)
		}
		if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
			t.Errorf("%s: mode %o rdev %d, want a 0:0 character device", name, st.Mode, st.Rdev)
		}
	}
	buf := make([]byte, 8)
	if n, err := unix.Lgetxattr(filepath.Join(tree, "b"), "trusted.overlay.opaque", buf); err != nil || string(buf[:n]) != "y" {
		t.Errorf("b: trusted.overlay.opaque = %q, %v", buf[:n], err)
	}
	for _, p := range listTree(t, tree) {
		if strings.Contains(p, ".wh.") {
			t.Errorf("%s left as is", p)
		}
	}
	if got := readFile(t, filepath.Join(tree, "dup")); got != "second" {
		t.Errorf("dup holds %q", got)
	}
}

// TestWhiteoutsHideInOverlay mounts two unpacked layers as an overlay and
// checks that the whiteouts hide what they should.
func TestWhiteoutsHideInOverlay(t *testing.T) {
	needRoot(t)
	lower, upper, merged := t.TempDir(), t.TempDir(), t.TempDir()
	base := makeTar(t, file("gone", "x"), dir("a/"), file("a/file1", "1"), file("a/file2", "2"),
		dir("b/"), file("b/keep", "k"))
	top := makeTar(t, file(".wh.gone", ""), dir("a/"), file("a/.wh.file1", ""), dir("b/"),
		file("b/.wh..wh..opq", ""), file("b/new", "new"))
	for dir, layer := range map[string][]byte{lower: base, upper: top} {
		if _, err := Unpack(context.Background(), bytes.NewReader(layer), dir, DefaultLimits); err != nil {
			t.Fatal(err)
		}
	}
	if err := unix.Mount("overlay", merged, "overlay", unix.MS_RDONLY, "lowerdir="+upper+":"+lower); err != nil {
		t.Skipf("mount overlay: %v", err)
	}
	defer unix.Unmount(merged, unix.MNT_DETACH)
	got := strings.Join(listTree(t, merged), " ")
	if want := "a a/file2 b b/new"; got != want {
		t.Fatalf("overlay shows %q, want %q", got, want)
	}
	if err := unix.Unmount(merged, 0); err != nil {
		t.Fatal(err)
	}
}

// TestUnpackLimits checks a zip bomb, too many entries, a name too long and
// a header past archive/tar's bound.
func TestUnpackLimits(t *testing.T) {
	needRoot(t)
	zeros := make([]byte, 64<<20)
	bomb := gzipped(t, makeTar(t, file("zeros", string(zeros))))
	t.Logf("bomb: %d bytes of gzip for %d bytes of file", len(bomb), len(zeros))
	many := make([]entry, 0, 20)
	for i := range 20 {
		many = append(many, file(strings.Repeat("f", i+1), ""))
	}
	long := file("x", "")
	long.hdr.Name = strings.Repeat("d/", 3000) + "f"
	cases := []struct {
		name  string
		layer []byte
		lim   Limits
	}{
		{"zip bomb", bomb, Limits{MaxBytes: 16 << 20, MaxEntries: 100}},
		{"entries", makeTar(t, many...), Limits{MaxBytes: 1 << 20, MaxEntries: 10}},
		{"long name", makeTar(t, long), DefaultLimits},
		{"huge header", hugePAXHeader(t, 2<<20), DefaultLimits},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Unpack(context.Background(), bytes.NewReader(tc.layer), t.TempDir(), tc.lim)
			if err == nil {
				t.Fatal("unpacked; want it refused")
			}
			if tc.name != "huge header" && !errors.Is(err, ErrLimit) {
				t.Fatalf("%v does not wrap ErrLimit", err)
			}
			t.Logf("refused: %v", err)
		})
	}
}

// hugePAXHeader makes a tar whose first entry is a PAX extended header of
// size bytes, which archive/tar's writer will not write.
func hugePAXHeader(t *testing.T, size int) []byte {
	value := strings.Repeat("x", size)
	record := "user.big=" + value + "\n"
	n := len(record) + 8
	record = strconv.Itoa(n+len(strconv.Itoa(n))-7) + " " + record
	raw := makeTar(t, file("PaxHeader", record), file("h", ""))
	raw[156] = tar.TypeXHeader
	var sum int64
	copy(raw[148:156], "        ")
	for _, b := range raw[:512] {
		sum += int64(b)
	}
	copy(raw[148:156], fmt.Sprintf("%06o\x00 ", sum))
	return raw
}

// TestUnpackDeepPaths: entries whose missing parents are 1000 deep cost time
// linear in their depth, not quadratic.
func TestUnpackDeepPaths(t *testing.T) {
	needRoot(t)
	var entries []entry
	for i := range 10 {
		entries = append(entries, file(fmt.Sprintf("%c/", 'a'+i%26)+strings.Repeat(fmt.Sprintf("%d/", i%10), 1000)+"f", "x"))
	}
	start := time.Now()
	if _, err := Unpack(context.Background(), bytes.NewReader(makeTar(t, entries...)), t.TempDir(), DefaultLimits); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("10 deep entries took %v", d)
	} else {
		t.Logf("10 entries 1000 deep: %v", d)
	}
}

// TestUnpackImplicitParents: parents a layer does not list are made 0755,
// whatever the process's umask, so a container's non-root user can pass.
func TestUnpackImplicitParents(t *testing.T) {
	needRoot(t)
	old := unix.Umask(0o077)
	defer unix.Umask(old)
	tree := t.TempDir()
	if _, err := Unpack(context.Background(), bytes.NewReader(makeTar(t, file("usr/share/doc/x", "x"))), tree, DefaultLimits); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"usr", "usr/share", "usr/share/doc"} {
		if fi, err := os.Stat(filepath.Join(tree, d)); err != nil || fi.Mode().Perm() != 0o755 {
			t.Errorf("%s: %v, %v; want 0755", d, fi.Mode(), err)
		}
	}
}
