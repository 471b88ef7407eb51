package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// sample is one look at stack's processes and the traffic so far.
type sample struct {
	T         float64          `json:"t_s"`
	Monitors  usage            `json:"monitors"`
	ByService map[string]usage `json:"monitors_by_service,omitempty"`
	Inits     usage            `json:"inits"`
	DNS       dnsCounts        `json:"dns"`
	HTTP      httpCounts       `json:"http"`
	Conntrack int              `json:"conntrack"` // connections the namespace's NAT tracks
}

// dnsCounts adds up the askers' files.
type dnsCounts struct {
	Askers   int     `json:"askers"` // files found
	Stale    int     `json:"stale"`  // not written for 10 s: the asker stopped
	Sent     uint64  `json:"sent"`
	Answered uint64  `json:"answered"`
	Failed   uint64  `json:"failed"`
	TCP      uint64  `json:"tcp"`
	MaxMs    float64 `json:"max_ms"`
}

type config struct {
	Root     string   `json:"root"`
	Duration string   `json:"duration"`
	Interval string   `json:"interval"`
	Warmup   string   `json:"warmup"`
	RPS      float64  `json:"http_rps"`
	Targets  []string `json:"targets"`
	Askers   int      `json:"askers"`
	Want     int      `json:"containers"`
}

func run(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	root := fs.String("root", "", "the stack root whose processes are sampled")
	duration := fs.Duration("duration", 10*time.Minute, "how long the traffic runs")
	interval := fs.Duration("interval", 30*time.Second, "time between samples")
	warmup := fs.Duration("warmup", time.Minute, "the first sample at or after this is the baseline")
	rps := fs.Float64("rps", 200, "HTTP requests a second, in all")
	addrs := fs.String("addrs", "127.0.0.1", "host addresses the ports are published on, comma-separated")
	ports := fs.String("ports", "18000-18049", "published ports, LO-HI")
	askDir := fs.String("askers-dir", "", "the directory the askers write their counts to")
	askers := fs.Int("askers", 0, "askers expected")
	want := fs.Int("containers", 0, "containers expected (monitors, and inits)")
	out := fs.String("json", "", "write the samples and verdict here")
	svcFile := fs.String("services", "", "a file of \"ID SERVICE\" lines: monitors are also summed by service")
	fs.Parse(args)
	if *root == "" || *askDir == "" {
		return fmt.Errorf("run: -root and -askers-dir are needed")
	}
	targets, err := urls(*addrs, *ports)
	if err != nil {
		return err
	}
	services, err := readServices(*svcFile)
	if err != nil {
		return err
	}
	cfg := config{Root: *root, Duration: duration.String(), Interval: interval.String(), Warmup: warmup.String(),
		RPS: *rps, Targets: targets, Askers: *askers, Want: *want}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	d := newDriver(targets)
	trafficCtx, endTraffic := context.WithTimeout(ctx, *duration)
	defer endTraffic()
	done := make(chan struct{})
	go func() {
		d.drive(trafficCtx, *rps)
		close(done)
	}()

	start := time.Now()
	var samples []sample
	take := func() {
		s := look(*root, *askDir, services, start)
		s.HTTP, _ = d.counts()
		samples = append(samples, s)
		fmt.Fprintf(os.Stderr, "%s\n", row(s))
	}
	fmt.Fprintf(os.Stderr, "%s\n", header())
	take()
	for tick := time.NewTicker(*interval); trafficCtx.Err() == nil; {
		select {
		case <-trafficCtx.Done():
		case <-tick.C:
			take()
		}
	}
	<-done
	time.Sleep(3 * time.Second) // the askers' files catch up
	take()
	_, lastHTTP := d.counts()
	v := judge(samples, cfg, *warmup, lastHTTP, lastDNSError(*askDir))
	report(os.Stdout, samples, v)
	if *out != "" {
		b, _ := json.MarshalIndent(map[string]any{"config": cfg, "samples": samples, "verdict": v}, "", "  ")
		if err := os.WriteFile(*out, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("run: interrupted")
	}
	if !v.Pass {
		return fmt.Errorf("run: the verdict is FAIL")
	}
	return nil
}

func urls(addrs, ports string) ([]string, error) {
	a, b, _ := strings.Cut(ports, "-")
	lo, err1 := strconv.Atoi(a)
	hi, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil || hi < lo {
		return nil, fmt.Errorf("parse ports %q: want LO-HI", ports)
	}
	var out []string
	for p := lo; p <= hi; p++ {
		for _, h := range strings.Split(addrs, ",") {
			out = append(out, fmt.Sprintf("http://%s:%d/", h, p))
		}
	}
	return out, nil
}

func look(root, askDir string, services map[string]string, start time.Time) sample {
	s := sample{T: time.Since(start).Seconds()}
	mons, inits := stackProcs(root)
	for _, p := range mons {
		s.Monitors.add(p)
		if svc := serviceOf(services, p); svc != "" {
			if s.ByService == nil {
				s.ByService = map[string]usage{}
			}
			u := s.ByService[svc]
			u.add(p)
			s.ByService[svc] = u
		}
	}
	for _, p := range inits {
		s.Inits.add(p)
	}
	s.DNS = tally(askDir)
	if b, err := os.ReadFile("/proc/sys/net/netfilter/nf_conntrack_count"); err == nil {
		s.Conntrack, _ = strconv.Atoi(strings.TrimSpace(string(b)))
	}
	return s
}

func tally(dir string) dnsCounts {
	var t dnsCounts
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		var c counts
		b, err := os.ReadFile(f)
		if err != nil || json.Unmarshal(b, &c) != nil {
			continue
		}
		t.Askers++
		if time.Since(c.Time) > 10*time.Second {
			t.Stale++
		}
		t.Sent += c.Sent
		t.Answered += c.Answered
		t.Failed += c.Failed
		t.TCP += c.TCP
		t.MaxMs = max(t.MaxMs, c.MaxMs)
	}
	return t
}

// lastDNSError is the askers' most recent error, if any had one.
func lastDNSError(dir string) string {
	var last string
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	for _, f := range files {
		var c counts
		if b, err := os.ReadFile(f); err == nil && json.Unmarshal(b, &c) == nil && c.LastError != "" {
			last = c.Host + " " + c.LastError
		}
	}
	return last
}

// readServices reads "ID SERVICE" lines (stack ps --format '{{.ID}} {{.Service}}').
func readServices(file string) (map[string]string, error) {
	if file == "" {
		return nil, nil
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	m := map[string]string{}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 {
			m[f[0]] = f[1]
		}
	}
	return m, nil
}

// serviceOf is the service of the container a monitor watches: its id is
// the monitor's last argument, of which ps may show a prefix.
func serviceOf(services map[string]string, pid int) string {
	argv := cmdline(pid)
	if len(argv) < 5 {
		return ""
	}
	for id, svc := range services {
		if strings.HasPrefix(argv[4], id) {
			return svc
		}
	}
	return ""
}
