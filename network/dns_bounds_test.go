package network

import (
	"context"
	"net"
	goruntime "runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// loopbackDNS serves r on loopback sockets, as StartDNS does in a
// container's namespace: no root needed. It returns the server and its
// UDP and TCP addresses.
func loopbackDNS(t *testing.T, r *Resolver) (*DNSServer, string, string) {
	t.Helper()
	udp, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	tcp, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		udp.Close()
		t.Fatal(err)
	}
	s := serve(context.Background(), udp, tcp, r)
	t.Cleanup(func() { s.Close() })
	return s, udp.LocalAddr().String(), tcp.Addr().String()
}

// stuckResolver knows "web" and forwards every other name to an upstream
// that answers only once release is closed; calls counts the forwards.
func stuckResolver(release chan struct{}, calls *atomic.Int32) *Resolver {
	recs := buildRecords([]EndpointInfo{ep("p_default", "web-1", "172.18.0.2", "web")})
	return &Resolver{networks: []string{"p_default"}, records: func() *records { return recs },
		forward: func(ctx context.Context, q *dns.Msg, tcp bool) (*dns.Msg, error) {
			calls.Add(1)
			select {
			case <-release:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			return new(dns.Msg).SetRcode(q, dns.RcodeNameError), nil
		}}
}

// eventually polls cond for up to 20 seconds.
func eventually(cond func() bool) bool {
	for range 400 {
		if cond() {
			return true
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cond()
}

// readReply reads answers from c until the one to id.
func readReply(t *testing.T, c net.Conn, id uint16) *dns.Msg {
	t.Helper()
	buf := make([]byte, dns.MaxMsgSize)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("no answer to %d: %v", id, err)
		}
		m := new(dns.Msg)
		if m.Unpack(buf[:n]) == nil && m.Id == id {
			return m
		}
	}
}

func send(t *testing.T, c net.Conn, id uint16, name string) {
	t.Helper()
	q := new(dns.Msg).SetQuestion(name, dns.TypeA)
	q.Id = id
	b, _ := q.Pack()
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
}

func TestEmbeddedDNSForwardsAtMostMaxForwardsUDPQueriesAtOnce(t *testing.T) {
	release := make(chan struct{})
	var calls atomic.Int32
	s, udpAddr, _ := loopbackDNS(t, stuckResolver(release, &calls))
	base := goruntime.NumGoroutine()
	c, err := net.Dial("udp4", udpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// A flood of names for the upstream, which does not answer: paced so
	// that the socket's buffer keeps them all.
	const flood = 3000
	for i := range flood {
		send(t, c, uint16(1000+i), "other.example.")
		if i%50 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	if !eventually(func() bool { return calls.Load() >= maxForwards }) {
		t.Fatalf("%d forwards started, want %d", calls.Load(), maxForwards)
	}
	if n := goruntime.NumGoroutine(); n > base+maxForwards+20 {
		t.Errorf("%d goroutines with the upstream stuck, %d before the flood", n, base)
	}
	if n := s.forwarding.Load(); n > maxForwards {
		t.Errorf("%d queries forwarded at once", n)
	}
	// Past the bound, SERVFAIL at once; stack's own names still answer.
	probe, err := net.Dial("udp4", udpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer probe.Close()
	send(t, probe, 1, "other.example.")
	if m := readReply(t, probe, 1); m.Rcode != dns.RcodeServerFailure {
		t.Errorf("a forward past the bound: %v", m)
	}
	send(t, probe, 2, "web.")
	if m := readReply(t, probe, 2); len(m.Answer) != 1 {
		t.Errorf("web while the forwards are stuck: %v", m)
	}
	close(release)
	if !eventually(func() bool { return s.forwarding.Load() == 0 && goruntime.NumGoroutine() <= base+5 }) {
		t.Errorf("after the upstream answered: %d forwarding, %d goroutines, %d before",
			s.forwarding.Load(), goruntime.NumGoroutine(), base)
	}
	if got := calls.Load(); got > maxForwards+1 {
		t.Errorf("%d forwards of the %d stuck ones and one past the bound", got, flood)
	}
}

func dialTCP(t *testing.T, addr string) *dns.Conn {
	t.Helper()
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &dns.Conn{Conn: c}
}

// askTCP asks for web on c and says whether it was answered.
func askTCP(c *dns.Conn) bool {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if c.WriteMsg(new(dns.Msg).SetQuestion("web.", dns.TypeA)) != nil {
		return false
	}
	m, err := c.ReadMsg()
	return err == nil && len(m.Answer) == 1
}

func TestEmbeddedDNSKeepsAtMostMaxTCPClientsOpen(t *testing.T) {
	var calls atomic.Int32
	_, _, tcpAddr := loopbackDNS(t, stuckResolver(make(chan struct{}), &calls))
	base := goruntime.NumGoroutine()
	var open []*dns.Conn
	for range maxTCPClients {
		c := dialTCP(t, tcpAddr)
		if !askTCP(c) {
			t.Fatalf("client %d of %d not answered", len(open)+1, maxTCPClients)
		}
		open = append(open, c)
	}
	// Every connection past the bound is closed at once, unanswered.
	for i := range 40 {
		if c, err := net.Dial("tcp4", tcpAddr); err == nil {
			answered := askTCP(&dns.Conn{Conn: c})
			c.Close()
			if answered {
				t.Fatalf("connection %d past the bound answered", i+1)
			}
		}
	}
	if n := goruntime.NumGoroutine(); n > base+maxTCPClients+10 {
		t.Errorf("%d goroutines with %d clients, %d before", n, maxTCPClients, base)
	}
	// A place freed is a place taken.
	open[0].Close()
	if !eventually(func() bool {
		c, err := net.Dial("tcp4", tcpAddr)
		if err != nil {
			return false
		}
		defer c.Close()
		return askTCP(&dns.Conn{Conn: c})
	}) {
		t.Error("a new client after one left: not answered")
	}
	// Idle clients are closed by the server.
	for i, c := range open[1:] {
		c.SetReadDeadline(time.Now().Add(10 * tcpTimeout))
		if _, err := c.ReadMsg(); err == nil {
			t.Fatalf("idle client %d got a message", i+1)
		}
	}
	if !eventually(func() bool { return goruntime.NumGoroutine() <= base+2 }) {
		t.Errorf("%d goroutines after the clients left, %d before", goruntime.NumGoroutine(), base)
	}
}

// bigResolver forwards every name to an upstream with a large answer.
func bigResolver() *Resolver {
	return &Resolver{records: func() *records { return buildRecords(nil) },
		forward: func(ctx context.Context, q *dns.Msg, tcp bool) (*dns.Msg, error) {
			m := new(dns.Msg).SetReply(q)
			for i := range 2000 { // 54 KB uncompressed
				m.Answer = append(m.Answer, &dns.A{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA,
					Class: dns.ClassINET, Ttl: 60}, A: net.IPv4(10, 0, byte(i>>8), byte(i))})
			}
			return m, nil
		}}
}

// A client that asks over TCP and never reads its answers loses its
// connection once an answer cannot be written in time, and with it its
// place among the clients.
func TestEmbeddedDNSClosesATCPClientThatDoesNotRead(t *testing.T) {
	s, _, tcpAddr := loopbackDNS(t, bigResolver())
	c := dialTCP(t, tcpAddr)
	c.Conn.(*net.TCPConn).SetReadBuffer(4096)
	for range 128 { // answers of 54 KB: more than the socket buffers hold
		if err := c.WriteMsg(new(dns.Msg).SetQuestion("big.example.", dns.TypeA)); err != nil {
			break
		}
	}
	lim := s.tcp.Listener.(*tcpLimiter)
	if !eventually(func() bool { return lim.open.Load() == 0 }) {
		t.Errorf("%d clients still open on the server", lim.open.Load())
	}
}

// A query larger than the server's buffer cannot be read whole: it is
// answered FORMERR under its ID, and the server goes on answering.
func TestEmbeddedDNSAnswersAQueryTooLargeToReadFormerr(t *testing.T) {
	var calls atomic.Int32
	_, udpAddr, _ := loopbackDNS(t, stuckResolver(make(chan struct{}), &calls))
	c, err := net.Dial("udp4", udpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	q := new(dns.Msg).SetQuestion("web.", dns.TypeA)
	q.Id = 7
	q.SetEdns0(dns.DefaultMsgSize, false)
	opt := q.IsEdns0()
	opt.Option = append(opt.Option, &dns.EDNS0_PADDING{Padding: make([]byte, udpBufSize)})
	b, err := q.Pack()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(b); err != nil {
		t.Fatal(err)
	}
	if m := readReply(t, c, 7); m.Rcode != dns.RcodeFormatError || !m.Response || !m.RecursionDesired {
		t.Errorf("a %d-byte query: %v", len(b), m)
	}
	send(t, c, 8, "web.")
	if m := readReply(t, c, 8); len(m.Answer) != 1 {
		t.Errorf("web after the large query: %v", m)
	}
	if calls.Load() != 0 {
		t.Errorf("the large query was forwarded")
	}
}

// A large upstream answer reaches a UDP asker truncated to the size it
// advertises, never past the server's buffer, and whole over TCP.
func TestEmbeddedDNSTruncatesLargeAnswersToTheAskersSize(t *testing.T) {
	_, udpAddr, tcpAddr := loopbackDNS(t, bigResolver())
	c, err := net.Dial("udp4", udpAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i, size := range []uint16{0, 1232, dns.MaxMsgSize} {
		q := new(dns.Msg).SetQuestion("big.example.", dns.TypeA)
		q.Id = uint16(100 + i)
		if size > 0 {
			q.SetEdns0(size, false)
		}
		b, _ := q.Pack()
		if _, err := c.Write(b); err != nil {
			t.Fatal(err)
		}
		m := readReply(t, c, q.Id)
		m.Compress = true // as it came
		want := min(max(int(size), dns.MinMsgSize), udpBufSize)
		if !m.Truncated || m.Len() > want || len(m.Answer) == 0 {
			t.Errorf("asking with size %d: truncated %v, %d bytes, %d answers", size, m.Truncated, m.Len(), len(m.Answer))
		}
	}
	tc := dialTCP(t, tcpAddr)
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.WriteMsg(new(dns.Msg).SetQuestion("big.example.", dns.TypeA)); err != nil {
		t.Fatal(err)
	}
	if m, err := tc.ReadMsg(); err != nil || m.Truncated || len(m.Answer) != 2000 {
		t.Errorf("over TCP: %v", err)
	}
}
