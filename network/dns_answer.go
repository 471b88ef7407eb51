package network

import (
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// dnsTTL is the TTL of stack's own answers: short, since replicas come
// and go.
const dnsTTL = 5

// Resolver answers a container's DNS queries: the names on the networks
// it shares with other containers from the registry, the rest from the
// upstream servers. It is a dns.Handler; StartDNS serves it in the
// container.
type Resolver struct {
	networks []string
	search   []string
	records  func() *records
	forward  func(ctx context.Context, q *dns.Msg, tcp bool) (*dns.Msg, error)
	closer   func() error
}

// ServeDNS answers one query.
func (r *Resolver) ServeDNS(w dns.ResponseWriter, q *dns.Msg) {
	_, tcp := w.RemoteAddr().(*net.TCPAddr)
	resp, ok := r.local(q)
	if !ok {
		resp = r.forwarded(context.Background(), q, tcp)
	}
	if !tcp {
		truncate(q, resp)
	}
	w.WriteMsg(resp)
}

// Close stops watching the registry.
func (r *Resolver) Close() error {
	if r.closer != nil {
		return r.closer()
	}
	return nil
}

// local answers q from stack's names, or says it is not one of them.
func (r *Resolver) local(q *dns.Msg) (*dns.Msg, bool) {
	if len(q.Question) != 1 || q.Opcode != dns.OpcodeQuery {
		m := new(dns.Msg)
		return m.SetRcode(q, dns.RcodeFormatError), true
	}
	qs := q.Question[0]
	if qs.Qclass != dns.ClassINET {
		return nil, false
	}
	name := strings.ToLower(strings.TrimSuffix(qs.Name, "."))
	if qs.Qtype == dns.TypePTR {
		return r.ptr(q, name)
	}
	addrs := r.lookup(name)
	if addrs == nil {
		return nil, false
	}
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative, m.RecursionAvailable = true, true
	if qs.Qtype != dns.TypeA {
		return m, true // a known name has only A records: NOERROR, empty
	}
	hdr := dns.RR_Header{Name: qs.Name, Rrtype: dns.TypeA, Class: dns.ClassINET, Ttl: dnsTTL}
	m.Answer = make([]dns.RR, len(addrs))
	for i, a := range addrs {
		b := a.As4()
		m.Answer[i] = &dns.A{Hdr: hdr, A: net.IP(b[:])}
	}
	rand.Shuffle(len(m.Answer), func(i, j int) { m.Answer[i], m.Answer[j] = m.Answer[j], m.Answer[i] })
	return m, true
}

// lookup finds a name on the container's networks, also without one of
// its search domains; the addresses of every network are merged.
func (r *Resolver) lookup(name string) []netip.Addr {
	recs := r.records()
	find := func(name string) []netip.Addr {
		var out []netip.Addr
		for _, n := range r.networks {
			for _, a := range recs.lookup(n, name) {
				if !contains(out, a) {
					out = append(out, a)
				}
			}
		}
		return out
	}
	if a := find(name); a != nil {
		return a
	}
	for _, d := range r.search {
		if short, ok := strings.CutSuffix(name, "."+strings.ToLower(strings.TrimSuffix(d, "."))); ok {
			if a := find(short); a != nil {
				return a
			}
		}
	}
	return nil
}

func contains(l []netip.Addr, a netip.Addr) bool {
	for _, x := range l {
		if x == a {
			return true
		}
	}
	return false
}

// ptr answers a reverse query for a container's address.
func (r *Resolver) ptr(q *dns.Msg, name string) (*dns.Msg, bool) {
	rev, ok := strings.CutSuffix(name, ".in-addr.arpa")
	if !ok {
		return nil, false
	}
	parts := strings.Split(rev, ".")
	if len(parts) != 4 {
		return nil, false
	}
	a, err := netip.ParseAddr(parts[3] + "." + parts[2] + "." + parts[1] + "." + parts[0])
	if err != nil {
		return nil, false
	}
	target, ok := r.records().ptr[a]
	if !ok || !slices.Contains(r.networks, target[1]) {
		return nil, false
	}
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative, m.RecursionAvailable = true, true
	m.Answer = []dns.RR{&dns.PTR{Hdr: dns.RR_Header{Name: q.Question[0].Name, Rrtype: dns.TypePTR,
		Class: dns.ClassINET, Ttl: dnsTTL}, Ptr: dns.Fqdn(target[0] + "." + target[1])}}
	return m, true
}

// forwarded asks the upstream servers; SERVFAIL if none answers.
func (r *Resolver) forwarded(ctx context.Context, q *dns.Msg, tcp bool) *dns.Msg {
	if r.forward != nil {
		if resp, err := r.forward(ctx, q, tcp); err == nil {
			resp.Id = q.Id
			return resp
		}
	}
	return servfail(q)
}

// servfail says the server could not answer q.
func servfail(q *dns.Msg) *dns.Msg {
	m := new(dns.Msg)
	m.SetRcode(q, dns.RcodeServerFailure)
	m.RecursionAvailable = true
	return m
}

// truncate fits a UDP answer in the asker's buffer, and in udpBufSize,
// setting TC so that it asks again over TCP.
func truncate(q, resp *dns.Msg) {
	size := dns.MinMsgSize
	if opt := q.IsEdns0(); opt != nil && int(opt.UDPSize()) > size {
		size = min(int(opt.UDPSize()), udpBufSize)
	}
	if resp.Len() > size {
		resp.Truncate(size)
	}
}
