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
	"github.com/vishvananda/netlink"
)

// dnsAddr is where containers find the embedded server.
var (
	dnsAddr = netip.MustParseAddr("127.0.0.11")
	dnsHost = netip.PrefixFrom(dnsAddr, 32)
)

// udpReaders is how many goroutines read the UDP socket.
const udpReaders = 2

// DNSServer is a container's embedded DNS server.
type DNSServer struct {
	udp        *net.UDPConn
	tcp        *dns.Server
	r          *Resolver
	forwarding atomic.Int32 // UDP queries being forwarded
	wg         sync.WaitGroup
	once       sync.Once
	cancel     context.CancelFunc
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
		if lo, err := netlink.LinkByName("lo"); err == nil {
			netlink.LinkSetUp(lo)
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

// serve answers r's queries on udp and tcp until ctx ends or Close.
func serve(ctx context.Context, udp *net.UDPConn, tcp net.Listener, r *Resolver) *DNSServer {
	ctx, cancel := context.WithCancel(ctx)
	s := &DNSServer{udp: udp, r: r, cancel: cancel}
	started := make(chan struct{})
	idle := func() time.Duration { return tcpTimeout }
	s.tcp = &dns.Server{Listener: &tcpLimiter{Listener: tcp, max: maxTCPClients}, Handler: r,
		ReadTimeout: tcpTimeout, IdleTimeout: idle, NotifyStartedFunc: func() { close(started) }}
	s.wg.Add(1 + udpReaders)
	go func() {
		defer s.wg.Done()
		s.tcp.ActivateAndServe()
	}()
	for range udpReaders {
		go func() {
			defer s.wg.Done()
			s.serveUDP(ctx)
		}()
	}
	go func() {
		<-ctx.Done()
		s.shutdown()
	}()
	<-started
	return s
}

// serveUDP answers datagrams: stack's names inline, others forwarded on
// their own goroutine so that a slow upstream never holds up the rest, at
// most maxForwards of them at once: past that, SERVFAIL at once.
func (s *DNSServer) serveUDP(ctx context.Context) {
	buf := make([]byte, dns.MaxMsgSize)
	out := make([]byte, dns.MaxMsgSize)
	for {
		n, from, err := s.udp.ReadFromUDPAddrPort(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		q := new(dns.Msg)
		if q.Unpack(buf[:n]) != nil {
			continue
		}
		if resp, ok := s.r.local(q); ok {
			s.reply(q, resp, from, out)
			continue
		}
		if s.forwarding.Add(1) > maxForwards {
			s.forwarding.Add(-1)
			s.reply(q, servfail(q), from, out)
			continue
		}
		go func() {
			defer s.forwarding.Add(-1)
			s.reply(q, s.r.forwarded(ctx, q, false), from, nil)
		}()
	}
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
