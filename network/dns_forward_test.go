package network

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/miekg/dns"
)

// fakeUpstream serves on 127.0.0.1: over UDP a truncated empty answer,
// over TCP the full one.
func fakeUpstream(t *testing.T) string {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp4", pc.LocalAddr().String())
	if err != nil {
		pc.Close()
		t.Skipf("upstream port taken over TCP: %v", err)
	}
	h := dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg).SetReply(q)
		if _, ok := w.RemoteAddr().(*net.UDPAddr); ok {
			m.Truncated = true
		} else {
			m.Answer = []dns.RR{&dns.A{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: 60},
				A: net.IPv4(192, 0, 2, 7)}}
		}
		w.WriteMsg(m)
	})
	udp := &dns.Server{PacketConn: pc, Handler: h}
	tcp := &dns.Server{Listener: l, Handler: h}
	go udp.ActivateAndServe()
	go tcp.ActivateAndServe()
	t.Cleanup(func() { udp.Shutdown(); tcp.Shutdown() })
	return pc.LocalAddr().String()
}

func TestForwarderRetriesTruncatedAnswersOverTCP(t *testing.T) {
	f := newForwarder([]string{fakeUpstream(t)})
	resp, err := f.exchange(context.Background(), new(dns.Msg).SetQuestion("example.org.", dns.TypeA), false)
	if err != nil || len(resp.Answer) != 1 || resp.Truncated {
		t.Fatalf("exchange: %v, %v", resp, err)
	}
}

func TestForwarderFailsOverAndFailsFastOnARefusingServer(t *testing.T) {
	l, _ := net.ListenPacket("udp4", "127.0.0.1:0")
	closed := l.LocalAddr().String()
	l.Close()
	f := newForwarder([]string{closed})
	if _, err := f.exchange(context.Background(), new(dns.Msg).SetQuestion("example.org.", dns.TypeA), false); err == nil {
		t.Fatal("a refusing upstream answered")
	}
	f = newForwarder([]string{closed, fakeUpstream(t)})
	if resp, err := f.exchange(context.Background(), new(dns.Msg).SetQuestion("example.org.", dns.TypeA), false); err != nil || len(resp.Answer) != 1 {
		t.Errorf("second server: %v, %v", resp, err)
	}
}

func TestForwarderBoundsConcurrency(t *testing.T) {
	f := newForwarder([]string{fakeUpstream(t)})
	for range maxForwards {
		f.sem <- struct{}{}
	}
	if _, err := f.exchange(context.Background(), new(dns.Msg).SetQuestion("example.org.", dns.TypeA), false); !errors.Is(err, errBusy) {
		t.Errorf("exchange past the bound: %v, want errBusy", err)
	}
}
