package network

import (
	"fmt"
	"testing"

	"github.com/miekg/dns"
)

// FuzzDNSAnswer feeds arbitrary packets through the path a datagram takes
// in the server: unpack (a packet that does not unpack is dropped), then
// answer. Answering must not panic, must write one reply with the
// query's ID, and over UDP the reply must pack within the asker's buffer.
func FuzzDNSAnswer(f *testing.F) {
	for _, q := range []*dns.Msg{
		new(dns.Msg).SetQuestion("web.", dns.TypeA),
		new(dns.Msg).SetQuestion("WEB.corp.example.", dns.TypeAAAA),
		new(dns.Msg).SetQuestion("2.0.18.172.in-addr.arpa.", dns.TypePTR),
		new(dns.Msg).SetQuestion("example.com.", dns.TypeMX),
		new(dns.Msg).SetQuestion("web.", dns.TypeANY),
		new(dns.Msg).SetQuestion("big.", dns.TypeA),
		new(dns.Msg).SetEdns0(4096, true).SetQuestion("www.", dns.TypeA),
		{MsgHdr: dns.MsgHdr{Opcode: dns.OpcodeUpdate}, Question: []dns.Question{{Name: "web.", Qtype: dns.TypeA, Qclass: dns.ClassINET}}},
		{Question: []dns.Question{{Name: "web.", Qtype: dns.TypeA, Qclass: dns.ClassCHAOS}}},
		{Question: []dns.Question{{Name: "a.", Qtype: dns.TypeA, Qclass: dns.ClassINET}, {Name: "b.", Qtype: dns.TypeA, Qclass: dns.ClassINET}}},
		{},
	} {
		b, err := q.Pack()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, false)
		f.Add(b, true)
	}
	f.Add([]byte{0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 0x0c, 0, 1, 0, 1}, false) // a name pointing at itself
	var many []EndpointInfo
	for i := range 300 {
		many = append(many, ep("p_front", fmt.Sprintf("p-big-%d", i), fmt.Sprintf("172.18.%d.%d", 1+i/250, 2+i%250), "big"))
	}
	r := testResolver([]string{"p_front"}, false, append(many, twoNets...)...)
	f.Fuzz(func(t *testing.T, packet []byte, tcp bool) {
		q := new(dns.Msg)
		if q.Unpack(packet) != nil {
			return
		}
		w := &recorder{tcp: tcp}
		r.ServeDNS(w, q)
		if w.msg == nil {
			t.Fatal("no reply written")
		}
		if w.msg.Id != q.Id {
			t.Errorf("reply ID %d, query ID %d", w.msg.Id, q.Id)
		}
		w.msg.Compress = true
		b, err := w.msg.Pack()
		if err != nil {
			t.Fatalf("reply does not pack: %v", err)
		}
		size := dns.MinMsgSize
		if opt := q.IsEdns0(); opt != nil && int(opt.UDPSize()) > size {
			size = int(opt.UDPSize())
		}
		if !tcp && len(b) > size {
			t.Errorf("UDP reply of %d bytes, the asker takes %d", len(b), size)
		}
		if len(b) > dns.MaxMsgSize {
			t.Errorf("reply of %d bytes", len(b))
		}
	})
}
