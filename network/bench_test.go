package network

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/stackorch/stack/runtime"
)

// percentile of sorted durations, in milliseconds or microseconds.
func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

// BenchmarkAttach is the network setup of one container: Attach (veth made
// in the container's netns, address, routes, a published port) and Detach.
func BenchmarkAttach(b *testing.B) {
	h := newHost(b)
	h.ensure(Spec{Name: "bench_default"})
	ctx := context.Background()
	var attach, detach []time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		_, path := newNetns(b)
		e := Endpoint{ContainerID: fmt.Sprintf("%064d", i), Name: fmt.Sprintf("bench-web-%d", i), NetnsPath: path,
			Attachments: []runtime.Attachment{{Network: "bench_default", Aliases: []string{"web"}}},
			Ports:       []runtime.Port{{ContainerPort: 80, Protocol: "tcp"}}}
		b.StartTimer()
		t0 := time.Now()
		if _, err := h.m.Attach(ctx, e); err != nil {
			b.Fatal(err)
		}
		attach = append(attach, time.Since(t0))
		t1 := time.Now()
		if err := h.m.Detach(ctx, e.ContainerID); err != nil {
			b.Fatal(err)
		}
		detach = append(detach, time.Since(t1))
	}
	b.StopTimer()
	slices.Sort(attach)
	slices.Sort(detach)
	b.ReportMetric(float64(pct(attach, .5).Microseconds())/1000, "attach-ms-p50")
	b.ReportMetric(float64(pct(attach, .99).Microseconds())/1000, "attach-ms-p99")
	b.ReportMetric(float64(pct(detach, .5).Microseconds())/1000, "detach-ms-p50")
}

// BenchmarkDNS asks the embedded server for a service name with two
// replicas from inside a container, with 1 and 8 askers each waiting for
// its answer before the next question.
func BenchmarkDNS(b *testing.B) {
	h := newHost(b)
	h.ensure(Spec{Name: "bench_default"})
	client, ns := h.container("client-1", nil, "bench_default")
	h.container("web-1", nil, "bench_default")
	h.container("web-2", nil, "bench_default")
	h.startDNS(client, ns)
	for _, askers := range []int{1, 8} {
		b.Run(fmt.Sprintf("askers=%d", askers), func(b *testing.B) {
			conns := make([]net.Conn, askers)
			for i := range conns {
				err := inNetns(ns, func() (err error) { conns[i], err = net.Dial("udp4", "127.0.0.11:53"); return err })
				if err != nil {
					b.Fatal(err)
				}
				defer conns[i].Close()
			}
			q, _ := new(dns.Msg).SetQuestion("web.", dns.TypeA).Pack()
			lat := make([][]time.Duration, askers)
			var wg sync.WaitGroup
			per := max(b.N/askers, 1)
			b.ResetTimer()
			start := time.Now()
			for i, c := range conns {
				wg.Add(1)
				go func() {
					defer wg.Done()
					buf := make([]byte, 512)
					for range per {
						t0 := time.Now()
						c.SetDeadline(t0.Add(2 * time.Second))
						if _, err := c.Write(q); err != nil {
							b.Error(err)
							return
						}
						n, err := c.Read(buf)
						if err != nil || n < 12 {
							b.Error("no answer", err)
							return
						}
						lat[i] = append(lat[i], time.Since(t0))
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			all := slices.Concat(lat...)
			slices.Sort(all)
			b.ReportMetric(float64(pct(all, .5).Nanoseconds())/1000, "p50-µs")
			b.ReportMetric(float64(pct(all, .99).Nanoseconds())/1000, "p99-µs")
			b.ReportMetric(float64(len(all))/elapsed.Seconds(), "qps")
		})
	}
}

// BenchmarkPublishedPort compares HTTP requests per second from the host
// through a published port on 127.0.0.1 with the same requests to the
// container's own address (8 keep-alive clients each way).
func BenchmarkPublishedPort(b *testing.B) {
	h := newHost(b)
	h.ensure(Spec{Name: "bench_default"})
	a, ns := h.container("web-1", []runtime.Port{{HostPort: 8080, ContainerPort: 80, Protocol: "tcp"}}, "bench_default")
	var l net.Listener
	if err := inNetns(ns, func() (err error) { l, err = net.Listen("tcp4", ":80"); return err }); err != nil {
		b.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok\n")) })}
	go srv.Serve(l)
	defer srv.Close()
	rps := func(url string) float64 {
		tr := &http.Transport{MaxIdleConnsPerHost: 8, DialContext: func(ctx context.Context, n, addr string) (c net.Conn, err error) {
			err = inNetns(h.path, func() error { c, err = net.Dial(n, addr); return err })
			return c, err
		}}
		defer tr.CloseIdleConnections()
		cl := &http.Client{Transport: tr}
		per := max(b.N/8, 1)
		var wg sync.WaitGroup
		start := time.Now()
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range per {
					resp, err := cl.Get(url)
					if err != nil {
						b.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
			}()
		}
		wg.Wait()
		return float64(8*per) / time.Since(start).Seconds()
	}
	// Alternated, best of three each: the two cores also run the clients.
	var direct, published float64
	for range 3 {
		direct = max(direct, rps("http://"+addr(a, "80")+"/"))
		published = max(published, rps("http://127.0.0.1:8080/"))
	}
	b.ReportMetric(direct, "direct-req/s")
	b.ReportMetric(published, "published-req/s")
	b.ReportMetric(100*published/direct, "published-%")
}
