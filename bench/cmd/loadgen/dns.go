package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"time"

	"github.com/miekg/dns"
)

// exchange asks server for name's A records as a stub resolver does: over
// UDP, and again over TCP when the answer comes truncated. It fails unless
// the answer holds exactly want records. tcp says whether TCP was needed.
func exchange(server, name string, edns bool, want int) (tcp bool, err error) {
	q := new(dns.Msg).SetQuestion(dns.Fqdn(name), dns.TypeA)
	if edns {
		q.SetEdns0(4096, false)
	}
	c := &dns.Client{Net: "udp", Timeout: 2 * time.Second}
	r, _, err := c.Exchange(q, server)
	if err == nil && r.Truncated {
		tcp = true
		c.Net = "tcp"
		r, _, err = c.Exchange(q, server)
	}
	if err != nil {
		return tcp, fmt.Errorf("ask %q: %w", name, err)
	}
	if r.Rcode != dns.RcodeSuccess {
		return tcp, fmt.Errorf("ask %q: %s", name, dns.RcodeToString[r.Rcode])
	}
	n := 0
	for _, rr := range r.Answer {
		if _, ok := rr.(*dns.A); ok {
			n++
		}
	}
	if n != want {
		return tcp, fmt.Errorf("ask %q: %d addresses, want %d (tc %v)", name, n, want, r.Truncated)
	}
	return tcp, nil
}

// resolver is the first nameserver of /etc/resolv.conf, port 53.
func resolver() string {
	if f, err := os.Open("/etc/resolv.conf"); err == nil {
		defer f.Close()
		for s := bufio.NewScanner(f); s.Scan(); {
			if w := strings.Fields(s.Text()); len(w) >= 2 && w[0] == "nameserver" {
				return net.JoinHostPort(w[1], "53")
			}
		}
	}
	return "127.0.0.11:53"
}
