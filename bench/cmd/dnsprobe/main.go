// Command dnsprobe asks a container's resolver for one name, over and over,
// and prints the latency percentiles and the rate as one JSON line. It is
// built static and put in the benchmark image, so stack's embedded DNS and
// Docker's are asked by the same program from inside a container.
//
//	dnsprobe -name web -n 10000 -askers 8
//
// Each asker has its own UDP socket and waits for each answer before the
// next question. The server is the first nameserver of /etc/resolv.conf
// unless -server says otherwise.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

type result struct {
	Name    string  `json:"name"`
	Server  string  `json:"server"`
	Askers  int     `json:"askers"`
	Queries int     `json:"queries"`
	Answers int     `json:"answers"` // A records in the first answer
	P50us   float64 `json:"p50_us"`
	P99us   float64 `json:"p99_us"`
	QPS     float64 `json:"qps"`
}

func main() {
	name := flag.String("name", "web", "the name to ask for (A)")
	n := flag.Int("n", 10000, "questions in all")
	askers := flag.Int("askers", 1, "concurrent askers")
	server := flag.String("server", "", "resolver address (default: /etc/resolv.conf's first nameserver, port 53)")
	flag.Parse()
	if *server == "" {
		*server = resolver()
	}
	r, err := probe(*name, *server, *n, max(*askers, 1))
	if err != nil {
		fmt.Fprintln(os.Stderr, "dnsprobe:", err)
		os.Exit(1)
	}
	json.NewEncoder(os.Stdout).Encode(r)
}

// resolver is the first nameserver in /etc/resolv.conf.
func resolver() string {
	f, err := os.Open("/etc/resolv.conf")
	if err == nil {
		defer f.Close()
		s := bufio.NewScanner(f)
		for s.Scan() {
			if f := strings.Fields(s.Text()); len(f) >= 2 && f[0] == "nameserver" {
				return net.JoinHostPort(f[1], "53")
			}
		}
	}
	return "127.0.0.11:53"
}

func probe(name, server string, n, askers int) (result, error) {
	res := result{Name: name, Server: server, Askers: askers}
	q, err := new(dns.Msg).SetQuestion(dns.Fqdn(name), dns.TypeA).Pack()
	if err != nil {
		return res, err
	}
	// One question first: the name must resolve.
	c, err := net.Dial("udp", server)
	if err != nil {
		return res, err
	}
	first, err := ask(c, q)
	c.Close()
	if err != nil {
		return res, err
	}
	if first.Rcode != dns.RcodeSuccess || len(first.Answer) == 0 {
		return res, fmt.Errorf("ask %q at %s: %s with %d answers", name, server, dns.RcodeToString[first.Rcode], len(first.Answer))
	}
	res.Answers = len(first.Answer)

	per := max(n/askers, 1)
	lat := make([][]time.Duration, askers)
	errs := make([]error, askers)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range askers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("udp", server)
			if err != nil {
				errs[i] = err
				return
			}
			defer c.Close()
			buf := make([]byte, 1500)
			for range per {
				t0 := time.Now()
				c.SetDeadline(t0.Add(2 * time.Second))
				if _, err := c.Write(q); err != nil {
					errs[i] = err
					return
				}
				if m, err := c.Read(buf); err != nil || m < 12 {
					errs[i] = fmt.Errorf("no answer from %s: %v", server, err)
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	for _, err := range errs {
		if err != nil {
			return res, err
		}
	}
	all := slices.Concat(lat...)
	slices.Sort(all)
	res.Queries = len(all)
	res.P50us = float64(all[(len(all)-1)*50/100].Nanoseconds()) / 1000
	res.P99us = float64(all[(len(all)-1)*99/100].Nanoseconds()) / 1000
	res.QPS = float64(len(all)) / elapsed.Seconds()
	return res, nil
}

func ask(c net.Conn, q []byte) (*dns.Msg, error) {
	c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write(q); err != nil {
		return nil, err
	}
	buf := make([]byte, 1500)
	m, err := c.Read(buf)
	if err != nil {
		return nil, err
	}
	msg := new(dns.Msg)
	return msg, msg.Unpack(buf[:m])
}
