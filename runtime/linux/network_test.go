package linux

import (
	"context"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/runtime"
)

// netEngine is an engine with a network "tnet" made the way the CLI makes
// them before it starts containers; the network goes when the test ends.
func netEngine(t *testing.T) (*Engine, string) {
	e := newEngine(t)
	nm, err := network.Open(network.Options{Lib: e.o.Paths.Lib, Run: e.o.Paths.Run})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := nm.Ensure(ctx, network.Spec{Name: "tnet"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The containers go first; newEngine's cleanup then checks for leaks.
		list, _ := e.List(ctx, nil)
		for _, c := range list {
			e.Remove(ctx, c.ID, true)
		}
		if err := nm.Remove(context.Background(), "tnet"); err != nil {
			t.Errorf("remove network: %v", err)
		}
		nm.Close()
	})
	return e, "tnet"
}

func TestContainersOnANetworkReachEachOtherByNameAndPublishPorts(t *testing.T) {
	e, tnet := netEngine(t)
	ctx := context.Background()
	server := sh("t-net-web", "echo hello-from-web > /tmp/index.html; httpd -f -p 8080 -h /tmp")
	server.Network.Attachments = []runtime.Attachment{{Network: tnet, Aliases: []string{"web"}}}
	server.Network.Ports = []runtime.Port{{HostIP: "127.0.0.1", HostPort: 0, ContainerPort: 8080, Protocol: "tcp"}}
	st := run(t, e, server)
	// From another container, by alias, through the embedded DNS.
	client := sh("t-net-client", "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://web:8080/ && break; sleep 0.2; done; grep nameserver /etc/resolv.conf")
	client.Network.Attachments = []runtime.Attachment{{Network: tnet}}
	out, code := output(t, e, client)
	if code != 0 || !strings.Contains(out, "hello-from-web") || !strings.Contains(out, "nameserver 127.0.0.11") {
		t.Fatalf("client: exit %d, %q", code, out)
	}
	// From the host, through the published port.
	nm, _ := network.Open(network.Options{Lib: e.o.Paths.Lib, Run: e.o.Paths.Run})
	defer nm.Close()
	ports, err := nm.Ports(ctx, st.ID)
	if err != nil || len(ports) != 1 || ports[0].HostPort == 0 {
		t.Fatalf("published ports: %v %v", ports, err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(int(ports[0].HostPort)))
	var body string
	for i := 0; i < 50 && !strings.Contains(body, "hello"); i++ {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			io.WriteString(conn, "GET / HTTP/1.0\r\n\r\n")
			b, _ := io.ReadAll(conn)
			conn.Close()
			body = string(b)
		} else {
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !strings.Contains(body, "hello-from-web") {
		t.Fatalf("published port %s answered %q", addr, body)
	}
}

func TestNetworkModeContainerSharesTheOthersNetwork(t *testing.T) {
	e, tnet := netEngine(t)
	first := sh("t-share-a", "httpd -f -p 9090 -h /etc")
	first.Network.Attachments = []runtime.Attachment{{Network: tnet}}
	run(t, e, first)
	second := sh("t-share-b", "for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:9090/hostname && break; sleep 0.2; done")
	second.Network.Mode = "container:t-share-a"
	out, code := output(t, e, second)
	if code != 0 || strings.TrimSpace(out) == "" {
		t.Fatalf("shared network: exit %d, %q", code, out)
	}
}
