package network

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackorch/stack/internal/testenv"
	"github.com/stackorch/stack/runtime"
)

// Tests run in throwaway network namespaces: one plays the host (bridges,
// nftables, published ports), others play containers and the outside
// world. Nothing touches the machine's own interfaces or rules.

var nsSeq atomic.Int64

// newNetns makes a named network namespace with loopback up and deletes
// it when the test ends; it returns the namespace's name and path.
func newNetns(t testing.TB) (string, string) {
	t.Helper()
	testenv.RequireRoot(t)
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("needs ip(8): apt-get install iproute2")
	}
	name := fmt.Sprintf("stktest-%d-%d", os.Getpid(), nsSeq.Add(1))
	run(t, "ip", "netns", "add", name)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", name).Run() })
	run(t, "ip", "-n", name, "link", "set", "lo", "up")
	return name, "/run/netns/" + name
}

func run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// testHost is a namespace playing the host, with a Manager on it whose
// state is private to the test. Its uplink 198.18.0.1/24 (a benchmarking
// range) leads to an "outside" namespace at 198.18.0.2.
type testHost struct {
	t                testing.TB
	name, path       string
	outName, outPath string
	m                *Manager
	dir              string
}

const hostAddr, outsideAddr = "198.18.0.1", "198.18.0.2"

func newHost(t testing.TB) *testHost {
	t.Helper()
	h := &testHost{t: t, dir: t.TempDir()}
	h.name, h.path = newNetns(t)
	h.outName, h.outPath = newNetns(t)
	run(t, "ip", "-n", h.name, "link", "add", "uplink", "type", "veth", "peer", "name", "eth0", "netns", h.outName)
	run(t, "ip", "-n", h.name, "addr", "add", hostAddr+"/24", "dev", "uplink")
	run(t, "ip", "-n", h.name, "link", "set", "uplink", "up")
	run(t, "ip", "-n", h.outName, "addr", "add", outsideAddr+"/24", "dev", "eth0")
	run(t, "ip", "-n", h.outName, "link", "set", "eth0", "up")
	m, err := Open(Options{Lib: h.dir, Run: filepath.Join(h.dir, "run"), HostNetns: h.path})
	if err != nil {
		t.Fatal(err)
	}
	h.m = m
	t.Cleanup(func() { m.Close() })
	// After the test's containers are detached: its networks go, and
	// nothing of the root may be left in the host.
	t.Cleanup(func() {
		nets, _ := m.List(context.Background())
		for _, n := range nets {
			if err := m.Remove(context.Background(), n.Name); err != nil {
				t.Errorf("remove network at cleanup: %v", err)
			}
		}
		testenv.CheckNoLeaksIn(t, h.dir, h.path)
	})
	return h
}

func (h *testHost) ensure(s Spec) Network {
	h.t.Helper()
	n, err := h.m.Ensure(context.Background(), s)
	if err != nil {
		h.t.Fatal(err)
	}
	return n
}

// container makes a namespace and attaches it to networks; detached when
// the test ends.
func (h *testHost) container(name string, ports []runtime.Port, networks ...string) (*Attached, string) {
	h.t.Helper()
	_, path := newNetns(h.t)
	e := Endpoint{ContainerID: fmt.Sprintf("%064x", nsSeq.Add(1)), Name: name, NetnsPath: path, Ports: ports}
	for _, n := range networks {
		e.Attachments = append(e.Attachments, runtime.Attachment{Network: n, Aliases: []string{strings.Split(name, "-")[0]}})
	}
	a, err := h.m.Attach(context.Background(), e)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { h.m.Detach(context.Background(), a.ContainerID) })
	return a, path
}

// serveTCP answers every connection with the address it came from.
func serveTCP(t testing.TB, nsPath, addr string) string {
	t.Helper()
	var l net.Listener
	err := inNetns(nsPath, func() (err error) { l, err = net.Listen("tcp4", addr); return err })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			fmt.Fprintf(c, "from %s\n", c.RemoteAddr().(*net.TCPAddr).IP)
			c.Close()
		}
	}()
	return l.Addr().String()
}

// serveUDP answers every datagram with the address it came from.
func serveUDP(t testing.TB, nsPath, addr string) {
	t.Helper()
	var c net.PacketConn
	err := inNetns(nsPath, func() (err error) { c, err = net.ListenPacket("udp4", addr); return err })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			_, from, err := c.ReadFrom(buf)
			if err != nil {
				return
			}
			c.WriteTo([]byte("from "+from.(*net.UDPAddr).IP.String()+"\n"), from)
		}
	}()
}

// ask connects from the namespace at nsPath to addr and returns what the
// server says; an error if it cannot reach it.
func ask(nsPath, network, addr string) (string, error) {
	var c net.Conn
	err := inNetns(nsPath, func() (err error) {
		c, err = net.DialTimeout(network, addr, 2*time.Second)
		return err
	})
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	var b []byte
	if network == "udp4" {
		c.Write([]byte("hi"))
		buf := make([]byte, 200)
		n, err := c.Read(buf)
		if err != nil {
			return "", err
		}
		b = buf[:n]
	} else if b, err = io.ReadAll(c); err == nil && len(b) == 0 {
		err = io.ErrUnexpectedEOF
	}
	return strings.TrimSpace(string(b)), err
}

// unreachable asks with a short timeout, expecting no answer.
func unreachable(nsPath, addr string) bool {
	err := inNetns(nsPath, func() error {
		c, err := net.DialTimeout("tcp4", addr, 300*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err
	})
	return err != nil
}
