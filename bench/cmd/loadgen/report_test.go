package main

import (
	"testing"
	"time"
)

func steady(t float64, pss int, dns dnsCounts) sample {
	return sample{T: t, Monitors: usage{Procs: 2, PSSKiB: pss, FDs: 40, Threads: 20},
		Inits: usage{Procs: 2, PSSKiB: 1000, FDs: 10, Threads: 8}, DNS: dns,
		HTTP: httpCounts{Sent: 10, OK: 10}}
}

func failed(v verdict) []string {
	var out []string
	for _, c := range v.Checks {
		if !c.Pass {
			out = append(out, c.Name)
		}
	}
	return out
}

func TestVerdictJudgesFromTheBaselineAfterWarmUp(t *testing.T) {
	cfg := config{Want: 2, Askers: 1}
	ok := dnsCounts{Askers: 1, Sent: 100, Answered: 100}
	// Growth during the warm-up does not count; after it, it does.
	ss := []sample{steady(0, 1000, ok), steady(30, 5000, ok), steady(60, 5010, ok)}
	if v := judge(ss, cfg, 20*time.Second, "", ""); !v.Pass {
		t.Errorf("flat after the warm-up: failed %v", failed(v))
	}
	ss = []sample{steady(0, 5000, ok), steady(30, 5000, ok), steady(60, 5500, ok)}
	if v := judge(ss, cfg, 20*time.Second, "", ""); v.Pass || failed(v)[0] != "memory" {
		t.Errorf("10%% growth after the warm-up: failed %v, want memory", failed(v))
	}
}

func TestVerdictFailsOnADroppedQueryOrAStoppedAsker(t *testing.T) {
	cfg := config{Want: 2, Askers: 1}
	for name, dns := range map[string]dnsCounts{
		"dropped": {Askers: 1, Sent: 100, Answered: 99, Failed: 1},
		"stopped": {Askers: 1, Stale: 1, Sent: 100, Answered: 100},
		"missing": {Sent: 100, Answered: 100},
	} {
		ss := []sample{steady(0, 5000, dns), steady(60, 5000, dns)}
		if v := judge(ss, cfg, 0, "", ""); v.Pass {
			t.Errorf("%s: passed", name)
		}
	}
}
