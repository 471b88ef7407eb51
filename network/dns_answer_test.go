package network

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"testing"

	"github.com/miekg/dns"
)

// recorder is a dns.ResponseWriter that keeps the answer.
type recorder struct {
	tcp bool
	msg *dns.Msg
}

func (r *recorder) LocalAddr() net.Addr { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 11), Port: 53} }
func (r *recorder) RemoteAddr() net.Addr {
	if r.tcp {
		return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
	}
	return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (r *recorder) WriteMsg(m *dns.Msg) error   { r.msg = m; return nil }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) Close() error                { return nil }
func (r *recorder) TsigStatus() error           { return nil }
func (r *recorder) TsigTimersOnly(bool)         {}
func (r *recorder) Hijack()                     {}

// testResolver knows two networks' endpoints; upstream answers NXDOMAIN
// for everything, or fails when fail is set.
func testResolver(networks []string, fail bool, eps ...EndpointInfo) *Resolver {
	recs := buildRecords(eps)
	return &Resolver{networks: networks, search: []string{"corp.example"},
		records: func() *records { return recs },
		forward: func(ctx context.Context, q *dns.Msg, tcp bool) (*dns.Msg, error) {
			if fail {
				return nil, errors.New("unreachable")
			}
			return new(dns.Msg).SetRcode(q, dns.RcodeNameError), nil
		}}
}

func ep(network, name, ip string, aliases ...string) EndpointInfo {
	return EndpointInfo{ContainerID: name, Name: name, Hostname: name + "-host", Network: network, IPv4: ip + "/16", Aliases: aliases}
}

func query(r *Resolver, name string, qtype uint16) *dns.Msg {
	q := new(dns.Msg).SetQuestion(dns.Fqdn(name), qtype)
	w := &recorder{}
	r.ServeDNS(w, q)
	return w.msg
}

func addrsOf(m *dns.Msg) []string {
	var out []string
	for _, rr := range m.Answer {
		if a, ok := rr.(*dns.A); ok {
			out = append(out, a.A.String())
		}
	}
	return out
}

var twoNets = []EndpointInfo{
	ep("p_front", "p-web-1", "172.18.0.2", "web"),
	ep("p_front", "p-web-2", "172.18.0.3", "web"),
	ep("p_front", "p-web-3", "172.18.0.4", "web", "www"),
	ep("p_back", "p-db-1", "172.19.0.2", "db"),
}

func TestDNSServiceNameAnswersEveryReplicaShuffled(t *testing.T) {
	r := testResolver([]string{"p_front"}, false, twoNets...)
	orders := map[string]bool{}
	for range 50 {
		m := query(r, "web", dns.TypeA)
		got := addrsOf(m)
		if m.Rcode != dns.RcodeSuccess || m.Answer[0].Header().Ttl != dnsTTL {
			t.Fatalf("web: %v", m)
		}
		orders[fmt.Sprint(got)] = true
		slices.Sort(got)
		if fmt.Sprint(got) != "[172.18.0.2 172.18.0.3 172.18.0.4]" {
			t.Fatalf("web: %v, want the three replicas", got)
		}
	}
	if len(orders) < 2 {
		t.Errorf("50 answers all in the order %v", orders)
	}
}

func TestDNSAnswersContainerNamesHostnamesAliasesAndQualifiedNames(t *testing.T) {
	r := testResolver([]string{"p_front"}, false, twoNets...)
	for name, want := range map[string]string{
		"p-web-1":          "[172.18.0.2]",
		"P-WEB-2":          "[172.18.0.3]",
		"p-web-1-host":     "[172.18.0.2]",
		"www":              "[172.18.0.4]",
		"p-web-1.p_front":  "[172.18.0.2]",
		"www.corp.example": "[172.18.0.4]",
		"p-web-3.p_front.": "[172.18.0.4]",
	} {
		if got := addrsOf(query(r, name, dns.TypeA)); fmt.Sprint(got) != want {
			t.Errorf("%s: %v, want %s", name, got, want)
		}
	}
}

func TestDNSOnlyAnswersNamesOnSharedNetworks(t *testing.T) {
	r := testResolver([]string{"p_front"}, false, twoNets...)
	if m := query(r, "db", dns.TypeA); m.Rcode != dns.RcodeNameError || len(m.Answer) != 0 {
		t.Errorf("db from the front network: %v, want the upstream's NXDOMAIN", m)
	}
	both := testResolver([]string{"p_front", "p_back"}, false, twoNets...)
	if got := addrsOf(query(both, "db", dns.TypeA)); fmt.Sprint(got) != "[172.19.0.2]" {
		t.Errorf("db from both networks: %v", got)
	}
}

func TestDNSKnownNameHasNoAAAAButNoError(t *testing.T) {
	r := testResolver([]string{"p_front"}, false, twoNets...)
	m := query(r, "web", dns.TypeAAAA)
	if m.Rcode != dns.RcodeSuccess || len(m.Answer) != 0 {
		t.Errorf("AAAA web: %v, want NOERROR with no records", m)
	}
}

func TestDNSReverseLookupNamesContainersOnSharedNetworks(t *testing.T) {
	r := testResolver([]string{"p_front"}, false, twoNets...)
	m := query(r, "3.0.18.172.in-addr.arpa", dns.TypePTR)
	if len(m.Answer) != 1 || m.Answer[0].(*dns.PTR).Ptr != "p-web-2.p_front." {
		t.Errorf("PTR 172.18.0.3: %v", m)
	}
	if m := query(r, "2.0.19.172.in-addr.arpa", dns.TypePTR); len(m.Answer) != 0 {
		t.Errorf("PTR of a container on another network: %v", m)
	}
}

func TestDNSUpstreamFailureIsServfail(t *testing.T) {
	r := testResolver([]string{"p_front"}, true, twoNets...)
	if m := query(r, "example.org", dns.TypeA); m.Rcode != dns.RcodeServerFailure {
		t.Errorf("unknown name with a failing upstream: %v", m)
	}
}

func TestDNSLargeUDPAnswerIsTruncatedForTCP(t *testing.T) {
	var eps []EndpointInfo
	for i := range 60 {
		eps = append(eps, ep("p_front", fmt.Sprintf("p-web-%d", i+1), fmt.Sprintf("172.18.1.%d", i+1), "web"))
	}
	r := testResolver([]string{"p_front"}, false, eps...)
	udp := query(r, "web", dns.TypeA)
	if !udp.Truncated || udp.Len() > dns.MinMsgSize {
		t.Errorf("60 replicas over UDP: truncated %v, %d bytes", udp.Truncated, udp.Len())
	}
	w := &recorder{tcp: true}
	r.ServeDNS(w, new(dns.Msg).SetQuestion("web.", dns.TypeA))
	if w.msg.Truncated || len(w.msg.Answer) != 60 {
		t.Errorf("60 replicas over TCP: truncated %v, %d answers", w.msg.Truncated, len(w.msg.Answer))
	}
}
