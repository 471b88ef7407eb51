package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"time"
)

// slack is the growth of stack's summed PSS and threads, from the baseline
// sample to the last, still called flat: the Go heaps of a hundred
// monitors breathe with their garbage collections, and a Go runtime starts
// a thread now and then when a goroutine blocks in a system call.
const slack = 0.02

type check struct {
	Name   string `json:"name"`
	Pass   bool   `json:"pass"`
	Detail string `json:"detail"`
	Info   bool   `json:"info,omitempty"` // a figure, not judged
}

type verdict struct {
	Pass       bool    `json:"pass"`
	BaselineT  float64 `json:"baseline_t_s"`
	PSSBaseKiB int     `json:"pss_base_kib"`
	PSSLastKiB int     `json:"pss_last_kib"`
	FDBase     int     `json:"fds_base"`
	FDLast     int     `json:"fds_last"`
	ThrBase    int     `json:"threads_base"`
	ThrLast    int     `json:"threads_last"`
	DNSDropped uint64  `json:"dns_dropped"`
	HTTPFailed uint64  `json:"http_failed"`
	Checks     []check `json:"checks"`
}

func total(s sample) usage {
	m, i := s.Monitors, s.Inits
	return usage{Procs: m.Procs + i.Procs, PSSKiB: m.PSSKiB + i.PSSKiB, AnonKiB: m.AnonKiB + i.AnonKiB,
		FDs: m.FDs + i.FDs, Threads: m.Threads + i.Threads}
}

func judge(ss []sample, cfg config, warmup time.Duration, httpErr, dnsErr string) verdict {
	base := ss[0]
	for _, s := range ss {
		if s.T >= warmup.Seconds() {
			base = s
			break
		}
	}
	last := ss[len(ss)-1]
	b, l := total(base), total(last)
	v := verdict{BaselineT: base.T, PSSBaseKiB: b.PSSKiB, PSSLastKiB: l.PSSKiB, FDBase: b.FDs, FDLast: l.FDs,
		ThrBase: b.Threads, ThrLast: l.Threads, HTTPFailed: last.HTTP.Failed}
	v.DNSDropped = last.DNS.Sent - last.DNS.Answered
	add := func(name string, pass bool, format string, args ...any) {
		v.Checks = append(v.Checks, check{Name: name, Pass: pass, Detail: fmt.Sprintf(format, args...)})
	}

	procsOK := true
	for _, s := range ss {
		procsOK = procsOK && s.Monitors.Procs == cfg.Want && s.Inits.Procs == cfg.Want
	}
	add("processes", procsOK, "%d monitors and %d inits in every sample (last: %d and %d)",
		cfg.Want, cfg.Want, last.Monitors.Procs, last.Inits.Procs)
	grow := l.PSSKiB - b.PSSKiB
	add("memory", float64(grow) <= slack*float64(b.PSSKiB),
		"PSS %.1f -> %.1f MB (%+.2f%%, %+.1f KiB a process; anonymous %.1f -> %.1f MB) from t=%.0fs to the end; flat within %.0f%%",
		mb(b.PSSKiB), mb(l.PSSKiB), pct(grow, b.PSSKiB), perProc(grow, l.Procs), mb(b.AnonKiB), mb(l.AnonKiB), base.T, slack*100)
	for _, svc := range slices.Sorted(maps.Keys(last.ByService)) {
		bs, ls := base.ByService[svc], last.ByService[svc]
		v.Checks = append(v.Checks, check{Name: svc, Pass: true, Info: true, Detail: fmt.Sprintf(
			"its %d monitors: PSS %.1f -> %.1f MB (%+.1f KiB a monitor), anonymous %.1f -> %.1f MB (%+.1f KiB), %d -> %d fds, %d -> %d threads",
			ls.Procs, mb(bs.PSSKiB), mb(ls.PSSKiB), perProc(ls.PSSKiB-bs.PSSKiB, ls.Procs),
			mb(bs.AnonKiB), mb(ls.AnonKiB), perProc(ls.AnonKiB-bs.AnonKiB, ls.Procs),
			bs.FDs, ls.FDs, bs.Threads, ls.Threads)})
	}
	add("fds", l.FDs <= b.FDs, "%d -> %d open descriptors (%+d)", b.FDs, l.FDs, l.FDs-b.FDs)
	add("threads", float64(l.Threads-b.Threads) <= slack*float64(b.Threads),
		"%d -> %d threads (%+d); flat within %.0f%%", b.Threads, l.Threads, l.Threads-b.Threads, slack*100)
	add("dns", v.DNSDropped == 0 && last.DNS.Askers == cfg.Askers && last.DNS.Stale == 0,
		"%d sent, %d answered, %d dropped or wrong (%d over TCP after TC), slowest %.1f ms; %d askers, %d stopped%s",
		last.DNS.Sent, last.DNS.Answered, v.DNSDropped, last.DNS.TCP, last.DNS.MaxMs, last.DNS.Askers, last.DNS.Stale, errNote(dnsErr))
	add("http", last.HTTP.Failed == 0 && last.HTTP.OK == last.HTTP.Sent,
		"%d sent, %d ok, %d failed%s", last.HTTP.Sent, last.HTTP.OK, last.HTTP.Failed, errNote(httpErr))
	v.Pass = true
	for _, c := range v.Checks {
		v.Pass = v.Pass && c.Pass
	}
	return v
}

func errNote(e string) string {
	if e == "" {
		return ""
	}
	return "; last error " + e
}

func perProc(kib, procs int) float64 { return float64(kib) / float64(max(procs, 1)) }

func mb(kib int) float64 { return float64(kib) / 1024 }

func pct(d, base int) float64 { return 100 * float64(d) / float64(max(base, 1)) }

func header() string {
	return fmt.Sprintf("%6s %5s %9s %9s %9s %6s %6s %7s %8s %8s %6s %8s %8s %6s %6s",
		"t(s)", "procs", "PSS(MB)", "monitors", "inits", "fds", "mon", "threads",
		"dns.sent", "answered", "failed", "http.sent", "ok", "failed", "ct")
}

func row(s sample) string {
	t := total(s)
	return fmt.Sprintf("%6.0f %5d %9.1f %9.1f %9.1f %6d %6d %7d %8d %8d %6d %8d %8d %6d %6d",
		s.T, t.Procs, mb(t.PSSKiB), mb(s.Monitors.PSSKiB), mb(s.Inits.PSSKiB), t.FDs, s.Monitors.FDs, t.Threads,
		s.DNS.Sent, s.DNS.Answered, s.DNS.Failed, s.HTTP.Sent, s.HTTP.OK, s.HTTP.Failed, s.Conntrack)
}

func report(w io.Writer, ss []sample, v verdict) {
	fmt.Fprintln(w, header())
	for _, s := range ss {
		fmt.Fprintln(w, row(s))
	}
	fmt.Fprintln(w)
	for _, c := range v.Checks {
		mark := "ok  "
		if c.Info {
			mark = "    "
		} else if !c.Pass {
			mark = "FAIL"
		}
		fmt.Fprintf(w, "%s %-9s %s\n", mark, c.Name, c.Detail)
	}
	if v.Pass {
		fmt.Fprintln(w, "verdict: PASS")
	} else {
		fmt.Fprintln(w, "verdict: FAIL")
	}
}
