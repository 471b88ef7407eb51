package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

const httpd = `sh -c 'mkdir -p /www && echo "hello from $$HOSTNAME" > /www/index.html && exec busybox httpd -f -p 8080 -h /www'`

// Not parallel: another root's last network takes the shared nftables
// table, and its published ports, with it.
func TestServicesReachEachOtherByNameAndPublishedPorts(t *testing.T) {
	port := freePort(t)
	p := newProject(t, fmt.Sprintf(`
name: demo
services:
  web: {image: busybox, command: %s, hostname: webhost, ports: ["127.0.0.1:%d:8080"]}
  client: {image: busybox, command: sleep 1d, depends_on: [web]}
`, httpd, port))
	r := p.ok("up", "-d")
	if !strings.Contains(r.stderr, "Network demo_default  Created") {
		t.Errorf("up did not say it made the network:\n%s", r.stderr)
	}
	var body string
	deadline := time.Now().Add(guard)
	for {
		r := p.run("exec", "client", "wget", "-qO-", "http://web:8080/")
		if body = r.stdout; r.code == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if body != "hello from webhost\n" {
		t.Fatalf("client -> web by name: %q", body)
	}
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/", port))
	if err != nil {
		t.Fatalf("published port: %v", err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(got) != "hello from webhost\n" {
		t.Errorf("published port answered %q", got)
	}
	want := fmt.Sprintf("127.0.0.1:%d", port)
	if r := p.ok("port", "web", "8080"); r.stdout != want+"\n" {
		t.Errorf("port web 8080: %q", r.stdout)
	}
	if got := p.ps(); len(got["demo-web-1"].Publishers) != 1 {
		t.Errorf("ps publishers: %+v", got["demo-web-1"])
	}
	if r := p.ok("ps", "--format", "{{.Ports}}", "web"); r.stdout != want+"->8080/tcp\n" {
		t.Errorf("ps ports: %q", r.stdout)
	}
	p.ok("down")
	if r := p.ok("network", "ls", "-q"); strings.TrimSpace(r.stdout) != "" {
		t.Errorf("down left networks: %q", r.stdout)
	}
}

func TestATakenPortFailsUpBeforeAnythingStarts(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	p := newProject(t, fmt.Sprintf(`
name: demo
services:
  web: {image: busybox, command: sleep 1d, ports: ["127.0.0.1:%d:80"]}
`, port))
	p.fails("port is already allocated", "up", "-d")
	if got := p.ps(); len(got) != 0 {
		t.Errorf("a failed up left %v", got)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
