package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
	"golang.org/x/sys/unix"
)

// dnsAddr is where containers find the embedded server.
var (
	dnsAddr = netip.MustParseAddr("127.0.0.11")
	dnsHost = netip.PrefixFrom(dnsAddr, 32)
)

// udpBufSize is the one buffer of the UDP side: each query is read into
// it and its answer, when stack knows the name, packed into it again. A
// query to a stub resolver is a question and an OPT record, well under
// 512 bytes; one that does not fit is answered FORMERR. An answer is at
// most the size the asker advertises (EDNS0), and never more than this.
const udpBufSize = dns.DefaultMsgSize

// DNSServer is a container's embedded DNS server.
type DNSServer struct {
	udp        *net.UDPConn
	tcp        *dns.Server
	r          *Resolver
	forwarding atomic.Int32 // UDP queries being forwarded
	wg         sync.WaitGroup
	once       sync.Once
	cancel     context.CancelFunc
	stop       func() bool // unregisters the shutdown at ctx's end
}

// StartDNS serves r at 127.0.0.11:53 in the network namespace at
// netnsPath, UDP and TCP, until ctx ends or Close. Its sockets are made in
// the namespace by a thread that joins it, bound to 127.0.0.11 on ports the
// kernel picks; rules in the namespace rewrite port 53 to them (and back)
// without connection tracking, so a program in the container may bind
// port 53 itself. It returns once the server answers.
func StartDNS(ctx context.Context, netnsPath string, r *Resolver) (*DNSServer, error) {
	var udp *net.UDPConn
	var tcp *net.TCPListener
	err := inNetns(netnsPath, func() (err error) {
		if err := loopbackUp(); err != nil {
			return err
		}
		if udp, err = net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(dnsAddr, 0))); err != nil {
			return err
		}
		if tcp, err = net.ListenTCP("tcp4", net.TCPAddrFromAddrPort(netip.AddrPortFrom(dnsAddr, 0))); err != nil {
			udp.Close()
			return err
		}
		uport := uint16(udp.LocalAddr().(*net.UDPAddr).Port)
		tport := uint16(tcp.Addr().(*net.TCPAddr).Port)
		if err := redirectDNS(uport, tport); err != nil {
			udp.Close()
			tcp.Close()
			return err
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("start dns in %q: %w", netnsPath, err)
	}
	return serve(ctx, udp, tcp, r), nil
}

// serve answers r's queries on udp and tcp until ctx ends or Close: one
// goroutine reads the UDP socket (a monitor runs on one processor, and
// the socket's reads are serialized anyway), one accepts TCP connections.
func serve(ctx context.Context, udp *net.UDPConn, tcp net.Listener, r *Resolver) *DNSServer {
	ctx, cancel := context.WithCancel(ctx)
	s := &DNSServer{udp: udp, r: r, cancel: cancel}
	started := make(chan struct{})
	idle := func() time.Duration { return tcpTimeout }
	s.tcp = &dns.Server{Listener: &tcpLimiter{Listener: tcp, max: maxTCPClients}, Handler: r,
		ReadTimeout: tcpTimeout, IdleTimeout: idle, NotifyStartedFunc: func() { close(started) }}
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		s.tcp.ActivateAndServe()
	}()
	go func() {
		defer s.wg.Done()
		s.serveUDP(ctx)
	}()
	s.stop = context.AfterFunc(ctx, s.shutdown)
	<-started
	return s
}

// serveUDP answers datagrams: stack's names inline, others forwarded on
// their own goroutine so that a slow upstream never holds up the rest, at
// most maxForwards of them at once: past that, SERVFAIL at once.
func (s *DNSServer) serveUDP(ctx context.Context) {
	buf := make([]byte, udpBufSize)
	for {
		n, _, flags, from, err := s.udp.ReadMsgUDPAddrPort(buf, nil)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if flags&unix.MSG_TRUNC != 0 {
			s.formerr(buf[:n], from)
			continue
		}
		q := new(dns.Msg)
		if q.Unpack(buf[:n]) != nil {
			continue
		}
		if resp, ok := s.r.local(q); ok {
			s.reply(q, resp, from, buf)
			continue
		}
		if s.forwarding.Add(1) > maxForwards {
			s.forwarding.Add(-1)
			s.reply(q, servfail(q), from, buf)
			continue
		}
		go func() {
			defer s.forwarding.Add(-1)
			s.reply(q, s.r.forwarded(ctx, q, false), from, nil)
		}()
	}
}

// formerr answers a query larger than the buffer, of which only the start
// arrived: its ID, opcode and RD, RA, and no question.
func (s *DNSServer) formerr(b []byte, to netip.AddrPort) {
	if len(b) < 12 || b[2]&0x80 != 0 { // no header, or an answer
		return
	}
	resp := []byte{b[0], b[1], 0x80 | b[2]&0x79, 0x80 | dns.RcodeFormatError, 0, 0, 0, 0, 0, 0, 0, 0}
	s.udp.WriteToUDPAddrPort(resp, to)
}

func (s *DNSServer) reply(q, resp *dns.Msg, to netip.AddrPort, buf []byte) {
	truncate(q, resp)
	resp.Compress = true
	if b, err := resp.PackBuffer(buf); err == nil {
		s.udp.WriteToUDPAddrPort(b, to)
	}
}

// Close stops the server and waits for it.
func (s *DNSServer) Close() error {
	s.stop()
	s.cancel()
	s.shutdown()
	s.wg.Wait()
	return nil
}

func (s *DNSServer) shutdown() {
	s.once.Do(func() {
		s.udp.Close()
		s.tcp.Shutdown()
	})
}
