// Package registrytest runs a real OCI distribution registry for tests:
// Debian's docker-registry package (scripts/deps.sh installs it) serving
// plain http on 127.0.0.1.
package registrytest

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Binary is the registry's executable, from Debian's docker-registry.
const Binary = "docker-registry"

// Options tune Start.
type Options struct {
	// Htpasswd, when set, is the content of an htpasswd file (bcrypt
	// entries): the registry then asks for basic authentication.
	Htpasswd string
	// Host is the loopback address it listens on; "" is 127.0.0.1. Another
	// one (127.0.0.2) is a registry that is not insecure by default.
	Host string
}

// Start runs a registry on a free port of 127.0.0.1 (or o.Host) with its
// storage in a temporary directory and returns its address (host:port). The
// registry is stopped when the test ends. Without the binary the test is
// skipped, saying why.
func Start(t testing.TB, o Options) string {
	t.Helper()
	bin, err := exec.LookPath(Binary)
	if err != nil {
		t.Skipf("needs %s (Debian's docker-registry package, installed by scripts/deps.sh): %v", Binary, err)
	}
	dir := t.TempDir()
	addr := freeAddr(t, o.Host)
	config := fmt.Sprintf(`version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: %s
  delete:
    enabled: true
http:
  addr: %s
`, filepath.Join(dir, "data"), addr)
	if o.Htpasswd != "" {
		pw := filepath.Join(dir, "htpasswd")
		if err := os.WriteFile(pw, []byte(o.Htpasswd), 0o600); err != nil {
			t.Fatal(err)
		}
		config += fmt.Sprintf("auth:\n  htpasswd:\n    realm: test\n    path: %s\n", pw)
	}
	cfgPath := filepath.Join(dir, "config.yml")
	if err := os.WriteFile(cfgPath, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(dir, "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "serve", cfgPath)
	cmd.Stdout, cmd.Stderr = logf, logf
	logs := func() string {
		data, _ := os.ReadFile(logf.Name())
		return string(data)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start registry: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/v2/")
		if err == nil {
			resp.Body.Close()
			return addr
		}
		select {
		case <-exited:
			t.Fatalf("registry exited: %s", logs())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("registry on %s not up after 10s: %v\n%s", addr, err, logs())
		}
	}
}

// freeAddr finds a free port on 127.0.0.1.
func freeAddr(t testing.TB, host string) string {
	t.Helper()
	if host == "" {
		host = "127.0.0.1"
	}
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
