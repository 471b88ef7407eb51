package linux

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	goruntime "runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackorch/stack/runtime"
)

// floodSource is a static program that floods the embedded DNS server at
// 127.0.0.11 from inside a container, or asks it one name:
//
//	flood udp N            N queries over UDP, as fast as it can send
//	flood tcp N SECONDS    N TCP connections, each sending one query, held
//	flood ask PROTO NAME   NAME's A record; prints "NAME=ADDR" or "NAME=fail"
const floodSource = `package main

import (
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const server = "127.0.0.11:53"

func query(id uint16, name string) []byte {
	b := []byte{byte(id >> 8), byte(id), 1, 0, 0, 1, 0, 0, 0, 0, 0, 0}
	for _, l := range strings.Split(strings.TrimSuffix(name, "."), ".") {
		b = append(b, byte(len(l)))
		b = append(b, l...)
	}
	return append(b, 0, 0, 1, 0, 1)
}

// firstA returns the first A record of a reply, or "rcode=N".
func firstA(b []byte) string {
	if len(b) < 12 {
		return "short"
	}
	if rc := b[3] & 0xf; rc != 0 {
		return "rcode=" + strconv.Itoa(int(rc))
	}
	an := int(binary.BigEndian.Uint16(b[6:]))
	off := skipName(b, 12) + 4
	for i := 0; i < an && off > 0 && off < len(b); i++ {
		off = skipName(b, off)
		if off < 0 || off+10 > len(b) {
			break
		}
		typ, n := binary.BigEndian.Uint16(b[off:]), int(binary.BigEndian.Uint16(b[off+8:]))
		off += 10
		if typ == 1 && n == 4 && off+4 <= len(b) {
			return net.IP(b[off : off+4]).String()
		}
		off += n
	}
	return "empty"
}

func skipName(b []byte, off int) int {
	for off < len(b) {
		l := int(b[off])
		switch {
		case l == 0:
			return off + 1
		case l&0xc0 == 0xc0:
			return off + 2
		default:
			off += 1 + l
		}
	}
	return -1
}

func udpFlood(n int) {
	const socks = 8
	var answered atomic.Int64
	var wg sync.WaitGroup
	conns := make([]net.Conn, socks)
	for i := range conns {
		c, err := net.Dial("udp4", server)
		if err != nil {
			fmt.Println("dial:", err)
			os.Exit(1)
		}
		conns[i] = c
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 4096)
			for {
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				if _, err := c.Read(buf); err != nil {
					if ne, ok := err.(net.Error); ok && ne.Timeout() {
						return
					}
					continue
				}
				answered.Add(1)
			}
		}()
	}
	for i := 0; i < n; i++ {
		name := "f" + strconv.Itoa(i) + ".flood.invalid" // forwarded upstream
		if i%4 == 0 {
			name = "t-dns-victim" // answered by the server itself
		}
		conns[i%socks].Write(query(uint16(i), name))
	}
	wg.Wait()
	fmt.Printf("udp sent=%d answered=%d\n", n, answered.Load())
}

func tcpFlood(n int, hold time.Duration) {
	var opened, failed atomic.Int64
	var mu sync.Mutex
	var held []net.Conn
	var wg sync.WaitGroup
	next := make(chan int)
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c, err := net.DialTimeout("tcp4", server, 2*time.Second)
				if err != nil {
					failed.Add(1)
					continue
				}
				opened.Add(1)
				q := query(uint16(i), "f"+strconv.Itoa(i)+".flood.invalid")
				c.Write(append([]byte{byte(len(q) >> 8), byte(len(q))}, q...))
				mu.Lock()
				held = append(held, c)
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	time.Sleep(hold)
	fmt.Printf("tcp opened=%d failed=%d\n", opened.Load(), failed.Load())
	for _, c := range held {
		c.Close()
	}
}

func ask(proto, name string) {
	for try := 0; try < 10; try++ {
		c, err := net.DialTimeout(proto+"4", server, time.Second)
		if err != nil {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		c.SetDeadline(time.Now().Add(time.Second))
		q := query(uint16(try+1), name)
		if proto == "tcp" {
			q = append([]byte{byte(len(q) >> 8), byte(len(q))}, q...)
		}
		buf := make([]byte, 4096)
		_, err = c.Write(q)
		n := 0
		if err == nil {
			if proto == "tcp" {
				var l [2]byte
				if _, err = readFull(c, l[:]); err == nil {
					buf = buf[:binary.BigEndian.Uint16(l[:])]
					n, err = readFull(c, buf)
				}
			} else {
				n, err = c.Read(buf)
			}
		}
		c.Close()
		if err == nil {
			if a := firstA(buf[:n]); net.ParseIP(a) != nil {
				fmt.Printf("%s=%s\n", name, a)
				return
			}
		}
	}
	fmt.Printf("%s=fail\n", name)
}

// readFull reads exactly len(b) bytes.
func readFull(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		m, err := c.Read(b[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func main() {
	var lim syscall.Rlimit
	syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim)
	lim.Cur = lim.Max
	syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	switch os.Args[1] {
	case "udp":
		n, _ := strconv.Atoi(os.Args[2])
		udpFlood(n)
	case "tcp":
		n, _ := strconv.Atoi(os.Args[2])
		s, _ := strconv.Atoi(os.Args[3])
		tcpFlood(n, time.Duration(s)*time.Second)
	case "ask":
		ask(os.Args[2], os.Args[3])
	}
}
`

var flood struct {
	once  sync.Once
	layer string
	err   error
}

// floodImage makes the image "flood": busybox with /bin/flood on top,
// built once per test binary.
func floodImage(t *testing.T) string {
	t.Helper()
	flood.once.Do(func() {
		dir, err := os.MkdirTemp(images.dir, "flood-")
		if err != nil {
			flood.err = err
			return
		}
		src := filepath.Join(dir, "src")
		os.MkdirAll(src, 0o755)
		os.MkdirAll(filepath.Join(dir, "fs/bin"), 0o755)
		os.WriteFile(filepath.Join(src, "go.mod"), []byte("module flood\n\ngo 1.22\n"), 0o644)
		os.WriteFile(filepath.Join(src, "main.go"), []byte(floodSource), 0o644)
		goBin := filepath.Join(goruntime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goBin); err != nil {
			goBin = "go"
		}
		cmd := exec.Command(goBin, "build", "-o", filepath.Join(dir, "fs/bin/flood"), ".")
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOTOOLCHAIN=local")
		if out, err := cmd.CombinedOutput(); err != nil {
			flood.err = fmt.Errorf("build: %v\n%s", err, out)
			return
		}
		flood.layer = filepath.Join(dir, "fs")
	})
	if flood.layer == "" {
		t.Fatalf("no flood program: %v", flood.err)
	}
	if images.extra == nil {
		images.extra = map[string][]string{}
	}
	images.extra["flood"] = []string{images.layer, flood.layer}
	return "flood"
}

// A container that floods its embedded DNS server with many thousand
// queries over UDP and thousands of TCP connections leaves the server's
// process, its monitor, within fixed bounds of descriptors, threads and
// memory, during the flood and after it; another container on the same
// network is answered throughout, and the flooder itself once it stops.
func TestDNSFloodLeavesTheMonitorBoundedAndOthersAnswered(t *testing.T) {
	e, tnet := netEngine(t)
	img := floodImage(t)
	upstream := silentUpstream(t)
	spec := func(name string) runtime.Spec {
		s := runtime.Spec{Name: name, Image: img, Command: []string{"sleep", "300"}}
		s.Network.Attachments = []runtime.Attachment{{Network: tnet}}
		s.Network.DNS = []string{upstream}
		return s
	}
	victim := run(t, e, spec("t-dns-victim"))
	flooder := run(t, e, spec("t-dns-flooder"))
	if out := execOut(t, e, flooder.ID, "/bin/flood", "ask", "udp", "t-dns-victim"); strings.Contains(out, "fail") {
		t.Fatalf("before the flood: %q", out)
	}
	var s status
	if err := jsonUnmarshalFile(e.o.Paths.stateFile(flooder.ID), &s); err != nil {
		t.Fatal(err)
	}
	base := sampleProc(t, s.Monitor)
	t.Logf("monitor before: %v", base)

	floods := []([]string){{"/bin/flood", "tcp", "5000", "5"}, {"/bin/flood", "udp", "50000"}}
	var wg sync.WaitGroup
	var running atomic.Int32
	outs := make([]string, len(floods))
	for i, args := range floods {
		wg.Add(1)
		running.Add(1)
		go func() {
			defer wg.Done()
			defer running.Add(-1)
			r, w, _ := os.Pipe()
			defer r.Close()
			_, err := e.Exec(context.Background(), flooder.ID, Process{Args: args, Stdout: w, Stderr: w})
			w.Close()
			b, _ := io.ReadAll(r)
			outs[i] = string(b)
			if err != nil {
				t.Errorf("%v: %v", args, err) // not Fatal: not the test's goroutine
			}
		}()
	}
	peak, asks := base, 0
	for running.Load() == int32(len(floods)) {
		out := execOut(t, e, victim.ID, "/bin/flood", "ask", "udp", "t-dns-flooder")
		if !strings.Contains(out, "t-dns-flooder=") || strings.Contains(out, "fail") {
			t.Errorf("another container during the flood: %q", out)
		}
		asks++
		peak = peak.max(sampleProc(t, s.Monitor))
		time.Sleep(20 * time.Millisecond)
	}
	for running.Load() > 0 {
		peak = peak.max(sampleProc(t, s.Monitor))
		time.Sleep(20 * time.Millisecond)
	}
	wg.Wait()
	t.Logf("flood: %q; monitor peak: %v; %d answered asks from another container", outs, peak, asks)
	if peak.fds > base.fds+250 {
		t.Errorf("the monitor held %d descriptors during the flood, %d before", peak.fds, base.fds)
	}
	if peak.threads > base.threads+32 {
		t.Errorf("the monitor ran %d threads during the flood, %d before", peak.threads, base.threads)
	}
	if peak.pssKB > base.pssKB+20<<10 {
		t.Errorf("the monitor's PSS reached %d KiB during the flood, %d before", peak.pssKB, base.pssKB)
	}
	// After: the descriptors come back and the server answers again.
	var after procSample
	for i := 0; i < 300; i++ {
		if after = sampleProc(t, s.Monitor); after.fds <= base.fds+4 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("monitor after: %v", after)
	if after.fds > base.fds+4 {
		t.Errorf("the monitor kept %d descriptors after the flood, %d before", after.fds, base.fds)
	}
	for _, proto := range []string{"udp", "tcp"} {
		if out := execOut(t, e, flooder.ID, "/bin/flood", "ask", proto, "t-dns-victim"); !strings.Contains(out, "t-dns-victim=") || strings.Contains(out, "fail") {
			t.Errorf("the flooder over %s after the flood: %q", proto, out)
		}
	}
}

// silentUpstream is an address on loopback whose port 53 takes datagrams
// and never answers: forwarded queries wait out their whole timeout.
func silentUpstream(t *testing.T) string {
	for _, a := range []string{"127.0.53.53", "127.0.53.54", "127.0.53.55"} {
		if pc, err := net.ListenPacket("udp4", a+":53"); err == nil {
			t.Cleanup(func() { pc.Close() })
			return a
		}
	}
	t.Skip("no free port 53 on 127.0.53.53-55 for a silent upstream")
	return ""
}

type procSample struct{ fds, threads, pssKB int }

func (p procSample) String() string {
	return fmt.Sprintf("%d fds, %d threads, %d KiB PSS", p.fds, p.threads, p.pssKB)
}

func (p procSample) max(q procSample) procSample {
	return procSample{max(p.fds, q.fds), max(p.threads, q.threads), max(p.pssKB, q.pssKB)}
}

// sampleProc counts a live process's descriptors and threads and reads its PSS.
func sampleProc(t *testing.T, pid int) procSample {
	t.Helper()
	fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		t.Fatalf("monitor %d: %v", pid, err)
	}
	p := procSample{fds: len(fds), pssKB: pssKB(pid)}
	status, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "Threads:"); ok {
			p.threads, _ = strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return p
}
