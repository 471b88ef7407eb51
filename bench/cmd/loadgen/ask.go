package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// question is one kind of question an asker cycles through.
type question struct {
	name string // may hold {n}: a replica number picked at random
	edns bool   // offer a 4096-byte UDP buffer; without it a big answer comes truncated and is asked again over TCP
	want int    // A records a right answer has
}

// counts is what an asker writes to OUT/<hostname>.json.
type counts struct {
	Host      string    `json:"host"`
	Sent      uint64    `json:"sent"`
	Answered  uint64    `json:"answered"` // a right answer, over UDP or after TC over TCP
	Failed    uint64    `json:"failed"`   // no answer in time, an error, or a wrong answer
	TCP       uint64    `json:"tcp"`      // truncated answers asked again over TCP
	MaxMs     float64   `json:"max_ms"`   // the slowest right answer
	LastError string    `json:"last_error,omitempty"`
	Time      time.Time `json:"time"`
}

func ask(args []string) error {
	fs := flag.NewFlagSet("ask", flag.ExitOnError)
	spec := fs.String("ask", "web=1", "questions in turn: NAME[/edns]=WANT,... ({n} in NAME: a number from 1 to -max)")
	maxN := fs.Int("max", 1, "the largest {n}")
	qps := fs.Float64("qps", 4, "questions a second")
	warm := fs.Int("warm", 0, "questions asked first at -warm-qps")
	warmQPS := fs.Float64("warm-qps", 200, "questions a second while warming up")
	server := fs.String("server", "", "resolver (default: /etc/resolv.conf's first nameserver)")
	out := fs.String("out", "/out", "directory for the counts file")
	fs.Parse(args)
	qs, err := parseQuestions(*spec)
	if err != nil {
		return err
	}
	if *server == "" {
		*server = resolver()
	}
	host, _ := os.Hostname()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()

	var mu sync.Mutex
	c := counts{Host: host}
	write := func() {
		mu.Lock()
		c.Time = time.Now()
		b, _ := json.Marshal(c)
		mu.Unlock()
		tmp := filepath.Join(*out, "."+host+".tmp")
		if os.WriteFile(tmp, b, 0o644) == nil {
			os.Rename(tmp, filepath.Join(*out, host+".json"))
		}
	}
	go func() {
		for t := time.NewTicker(2 * time.Second); ; {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				write()
			}
		}
	}()

	// Wait for OUT/go, made once every container runs (the answers count
	// them all), then start at a random point of the first period, so that
	// the askers' questions spread over time.
	for ctx.Err() == nil {
		if _, err := os.Stat(filepath.Join(*out, "go")); err == nil {
			break
		}
		select {
		case <-ctx.Done():
		case <-time.After(200 * time.Millisecond):
		}
	}
	period := time.Duration(float64(time.Second) / *qps)
	select {
	case <-ctx.Done():
	case <-time.After(rand.N(period)):
	}
	// The warm-up questions come faster, so that the monitors' heaps reach
	// their steady size before the baseline sample rather than creeping
	// towards it for the whole run at a few questions a second.
	if *warm > 0 {
		period = time.Duration(float64(time.Second) / *warmQPS)
	}
	tick := time.NewTicker(period)
	defer tick.Stop()
	for i := 0; ctx.Err() == nil; i++ {
		if i == *warm {
			tick.Reset(time.Duration(float64(time.Second) / *qps))
		}
		q := qs[i%len(qs)]
		name := strings.ReplaceAll(q.name, "{n}", strconv.Itoa(1+rand.IntN(max(*maxN, 1))))
		t0 := time.Now()
		tcp, err := exchange(*server, name, q.edns, q.want)
		ms := float64(time.Since(t0).Microseconds()) / 1000
		mu.Lock()
		c.Sent++
		if tcp {
			c.TCP++
		}
		if err != nil {
			c.Failed++
			c.LastError = fmt.Sprintf("%s: %v", t0.Format(time.TimeOnly), err)
		} else {
			c.Answered++
			c.MaxMs = max(c.MaxMs, ms)
		}
		mu.Unlock()
		select {
		case <-ctx.Done():
		case <-tick.C:
		}
	}
	write()
	return nil
}

func parseQuestions(spec string) ([]question, error) {
	var qs []question
	for _, item := range strings.Split(spec, ",") {
		name, want, ok := strings.Cut(item, "=")
		n, err := strconv.Atoi(want)
		if !ok || err != nil || name == "" {
			return nil, fmt.Errorf("parse question %q: want NAME[/edns]=COUNT", item)
		}
		name, edns := strings.CutSuffix(name, "/edns")
		qs = append(qs, question{name: name, edns: edns, want: n})
	}
	return qs, nil
}
