package network

import (
	"bufio"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackorch/stack/runtime"
)

// The container's server closes first, so each connection leaves a
// TIME_WAIT in the container. Connections through 127.0.0.1 and straight
// to the container's address, from a small range of host ports, must never
// land on one another's 4-tuple: the container would refuse the SYN and
// the client would retry a second later. No SYN is retransmitted on these
// links unless that happens.
func TestLoopbackPublishedConnectionsNeverReuseADirectConnectionsTuple(t *testing.T) {
	h := newHost(t)
	h.ensure(Spec{Name: "p_default"})
	web, webNS := h.container("web-1", []runtime.Port{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}, "p_default")
	serveTCP(t, webNS, ":80")
	run(t, "ip", "netns", "exec", h.name, "sysctl", "-qw", "net.ipv4.ip_local_port_range=41000 41499")
	direct := net.JoinHostPort(web.Interfaces[0].IPv4.Addr().String(), "80")
	err := inNetns(h.path, func() error {
		before := synRetransmits(t)
		for _, addr := range []string{"127.0.0.1:8080", direct, "127.0.0.1:8080", direct} {
			for i := 0; i < 1000; i++ {
				c, err := net.DialTimeout("tcp4", addr, 5*time.Second)
				if err != nil {
					return err
				}
				io.Copy(io.Discard, c)
				c.Close()
				if got := synRetransmits(t); got > before {
					t.Errorf("connection %d to %s: its SYN was retransmitted", i, addr)
					return nil
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// synRetransmits reads TcpExt TCPSynRetrans of the calling thread's netns.
func synRetransmits(t *testing.T) int {
	f, err := os.Open("/proc/thread-self/net/netstat")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		names := strings.Fields(s.Text())
		if !s.Scan() || names[0] != "TcpExt:" {
			continue
		}
		values := strings.Fields(s.Text())
		for i, name := range names {
			if name == "TCPSynRetrans" && i < len(values) {
				v, _ := strconv.Atoi(values[i])
				return v
			}
		}
	}
	t.Fatal("no TCPSynRetrans in /proc/thread-self/net/netstat")
	return 0
}
