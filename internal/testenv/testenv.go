// Package testenv holds helpers for tests that need root, a busybox root
// file system or a clean machine afterwards.
package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// RequireRoot skips the test unless it runs as root, saying why.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: it runs real containers")
	}
}

// Busybox is the path of a static busybox, from Debian's busybox-static.
func Busybox(t testing.TB) string {
	t.Helper()
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		if out, err := exec.Command("file", "-L", p).Output(); err == nil && len(out) > 0 {
			return p
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	t.Skip("needs a static busybox: apt-get install busybox-static")
	return ""
}

// BusyboxRootfs writes a minimal root file system into dir: busybox with
// its applets linked in /bin, /etc/passwd and /etc/group with root, nobody
// and an "app" user (uid 1000) in groups app (1000) and extra (1001).
func BusyboxRootfs(t testing.TB, dir string) {
	t.Helper()
	bb := Busybox(t)
	for _, d := range []string{"bin", "etc", "tmp", "proc", "sys", "dev", "root", "home/app"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	os.Chmod(filepath.Join(dir, "tmp"), 0o1777)
	data, err := os.ReadFile(bb)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin/busybox"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, applet := range []string{
		"sh", "echo", "cat", "sleep", "id", "ls", "pwd", "env", "hostname", "ps", "touch", "mkdir", "true", "false", "kill", "grep", "head", "dd", "wc", "stat", "mount", "tail", "test", "printf", "yes", "nslookup", "wget", "nc", "ip", "ifconfig", "uname", "readlink", "ulimit", "sysctl", "rm", "chmod", "awk", "sed", "tr", "cut", "seq", "date", "tty", "stty", "sort", "uniq", "xargs", "find", "basename", "dirname", "which", "md5sum", "sha256sum", "tar", "gzip", "cp", "mv", "ln", "df", "du", "free", "top", "netstat", "ping", "httpd",
	} {
		os.Symlink("busybox", filepath.Join(dir, "bin", applet))
	}
	files := map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\napp:x:1000:1000:app:/home/app:/bin/sh\n",
		"etc/group":  "root:x:0:\nnogroup:x:65534:\napp:x:1000:\nextra:x:1001:app\n",
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Chown(filepath.Join(dir, "home/app"), 1000, 1000)
}
