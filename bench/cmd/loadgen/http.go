package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// httpCounts is what the HTTP driver did.
type httpCounts struct {
	Sent   uint64 `json:"sent"`
	OK     uint64 `json:"ok"`
	Failed uint64 `json:"failed"`
}

// driver sends rps requests a second, in turn to each target, every
// other one on a kept-alive connection and the rest on a new connection
// each (through the NAT's connection setup every time).
type driver struct {
	targets      []string
	keep, closed *http.Client
	sent, ok     atomic.Uint64
	failed       atomic.Uint64
	mu           sync.Mutex
	lastErr      string
	wg           sync.WaitGroup
}

func newDriver(targets []string) *driver {
	d := &driver{targets: targets}
	d.keep = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	d.closed = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	return d
}

// drive sends until ctx ends, then waits for the requests under way.
func (d *driver) drive(ctx context.Context, rps float64) {
	tick := time.NewTicker(time.Duration(float64(time.Second) / rps))
	defer tick.Stop()
	slots := make(chan struct{}, 64) // a stuck target cannot pile up goroutines
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			d.wg.Wait()
			return
		case <-tick.C:
		}
		url := d.targets[i%len(d.targets)]
		c := d.closed
		if i%2 == 0 {
			c = d.keep
		}
		d.sent.Add(1)
		select {
		case slots <- struct{}{}:
		default:
			d.fail(fmt.Errorf("get %s: 64 requests already under way", url))
			continue
		}
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			defer func() { <-slots }()
			if err := get(c, url); err != nil {
				d.fail(err)
				return
			}
			d.ok.Add(1)
		}()
	}
}

func (d *driver) fail(err error) {
	d.failed.Add(1)
	d.mu.Lock()
	d.lastErr = time.Now().Format(time.TimeOnly) + ": " + err.Error()
	d.mu.Unlock()
}

func (d *driver) counts() (httpCounts, string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return httpCounts{Sent: d.sent.Load(), OK: d.ok.Load(), Failed: d.failed.Load()}, d.lastErr
}

func get(c *http.Client, url string) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("get %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(b), "ok ") {
		return fmt.Errorf("get %s: %s %q", url, resp.Status, b)
	}
	return nil
}
