package main

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/scheduler"
)

func TestStatusTextReadsLikeDockers(t *testing.T) {
	now := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	cases := []struct {
		st   runtime.State
		want string
	}{
		{runtime.State{Status: runtime.StatusCreated}, "Created"},
		{runtime.State{Status: runtime.StatusRunning, StartedAt: ago(3 * time.Second)}, "Up 3 seconds"},
		{runtime.State{Status: runtime.StatusRunning, StartedAt: ago(time.Hour), Health: runtime.HealthHealthy}, "Up About an hour (healthy)"},
		{runtime.State{Status: runtime.StatusRunning, StartedAt: ago(0), Health: runtime.HealthStarting}, "Up Less than a second (health: starting)"},
		{runtime.State{Status: runtime.StatusPaused, StartedAt: ago(2 * time.Minute)}, "Up 2 minutes (Paused)"},
		{runtime.State{Status: runtime.StatusExited, ExitCode: 137, FinishedAt: ago(2 * time.Second)}, "Exited (137) 2 seconds ago"},
		{runtime.State{Status: runtime.StatusRestarting, ExitCode: 1, FinishedAt: ago(time.Second)}, "Restarting (1) 1 second ago"},
		{runtime.State{Status: runtime.StatusDead}, "Dead"},
	}
	for _, c := range cases {
		if got := statusText(c.st, now); got != c.want {
			t.Errorf("%s: %q, want %q", c.st.Status, got, c.want)
		}
	}
}

func TestParseScale(t *testing.T) {
	got, err := parseScale([]string{"web=3", "db=0"})
	if err != nil || got["web"] != 3 || got["db"] != 0 {
		t.Fatalf("parseScale: %v, %v", got, err)
	}
	for _, bad := range []string{"web", "web=-1", "=2", "web=x"} {
		if _, err := parseScale([]string{bad}); err == nil {
			t.Errorf("parseScale(%q) took it", bad)
		}
	}
}

func TestParseTimeTakesTimestampsUnixSecondsAndDurations(t *testing.T) {
	now := time.Date(2026, 1, 2, 10, 0, 0, 0, time.UTC)
	cases := map[string]time.Time{
		"":                     {},
		"10m":                  now.Add(-10 * time.Minute),
		"2026-01-02T09:00:00Z": time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC),
		"1767344400":           time.Unix(1767344400, 0),
	}
	for in, want := range cases {
		got, err := parseTime(in, now)
		if err != nil || !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := parseTime("yesterday", now); err == nil {
		t.Error("parseTime took yesterday")
	}
}

func TestPrintFormatted(t *testing.T) {
	rows := []lsRow{{Name: "a", Status: "running(1)"}, {Name: "b", Status: "exited(2)"}}
	cells := func(r lsRow) []string { return []string{r.Name, r.Status} }
	cases := map[string]string{
		"json":                             `{"Name":"a","Status":"running(1)","ConfigFiles":""}` + "\n" + `{"Name":"b","Status":"exited(2)","ConfigFiles":""}` + "\n",
		"{{.Name}}={{.Status}}":            "a=running(1)\nb=exited(2)\n",
		"table {{.Name}}\\t{{.Status}}":    "NAME   STATUS\na      running(1)\nb      exited(2)\n",
		"table":                            "N   S\na   running(1)\nb   exited(2)\n",
		"{{json .Name}} {{upper .Status}}": "\"a\" RUNNING(1)\n\"b\" EXITED(2)\n",
	}
	for format, want := range cases {
		var b bytes.Buffer
		if err := printFormatted(&b, format, rows, []string{"N", "S"}, cells); err != nil || b.String() != want {
			t.Errorf("format %q:\n%q, %v\nwant %q", format, b.String(), err, want)
		}
	}
	if err := printFormatted(&bytes.Buffer{}, "{{.Nope", rows, nil, cells); err == nil {
		t.Error("a broken template printed")
	}
}

func TestAttachedServices(t *testing.T) {
	scope := []string{"db", "web", "worker"}
	cases := []struct {
		named, attach, noAttach, want []string
	}{
		{nil, nil, nil, scope},
		{[]string{"web"}, nil, nil, []string{"web"}},
		{nil, []string{"db"}, nil, []string{"db"}},
		{nil, nil, []string{"worker"}, []string{"db", "web"}},
	}
	for _, c := range cases {
		if got := attached(scope, c.named, c.attach, c.noAttach); !slices.Equal(got, c.want) {
			t.Errorf("attached(%v, %v, %v) = %v, want %v", c.named, c.attach, c.noAttach, got, c.want)
		}
	}
}

func TestPlainProgressPrintsALinePerEvent(t *testing.T) {
	var b bytes.Buffer
	p := &progress{w: &b, byKey: map[string]*item{}}
	p.event(scheduler.Event{Time: time.Now(), Container: "demo-web-1", Status: scheduler.Creating})
	p.resource("Network", "demo_default", scheduler.Created)
	p.event(scheduler.Event{Time: time.Now(), Container: "demo-db-1", Status: scheduler.Skipped, Text: "optional"})
	want := " Container demo-web-1  Creating\n Network demo_default  Created\n Container demo-db-1  Skipped: optional\n"
	if b.String() != want {
		t.Errorf("plain progress:\n%q\nwant %q", b.String(), want)
	}
}

func TestLiveProgressRedrawsInPlace(t *testing.T) {
	var b bytes.Buffer
	p := &progress{w: &b, display: display{live: true}, title: "Running", byKey: map[string]*item{}}
	now := time.Now()
	p.event(scheduler.Event{Time: now, Container: "demo-web-1", Status: scheduler.Starting})
	p.event(scheduler.Event{Time: now.Add(300 * time.Millisecond), Container: "demo-web-1", Status: scheduler.Started})
	out := b.String()
	if !strings.Contains(out, "\x1b[2A") || !strings.Contains(out, "[+] Running 1/1") || !strings.Contains(out, "✔") || !strings.Contains(out, "Started") || !strings.Contains(out, "0.3s") {
		t.Errorf("live progress:\n%q", out)
	}
}
