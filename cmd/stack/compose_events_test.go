package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestEventsReportsWhatHappensToContainers(t *testing.T) {
	t.Parallel()
	p := newProject(t, twoServices)
	p.ok("up", "-d")
	b := p.start("events", "--json")
	// Until events has had its first look, a pause goes unseen: again.
	for deadline := time.Now().Add(guard); !strings.Contains(b.output(), `"action":"pause"`); {
		if time.Now().After(deadline) {
			t.Fatalf("no pause event:\n%s", b.output())
		}
		p.ok("pause", "db")
		time.Sleep(300 * time.Millisecond)
		p.ok("unpause", "db")
	}
	p.ok("kill", "web")
	b.waitFor(`"action":"die"`)
	p.ok("rm", "-f", "web")
	b.waitFor(`"action":"destroy"`)
	b.signal(syscall.SIGINT)
	if code := b.wait(); code != 0 {
		t.Errorf("events after Ctrl-C: exit %d", code)
	}
	for line := range strings.Lines(b.output()) {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("events --json printed %q: %v", line, err)
		}
		if e["type"] != "container" || e["service"] == "" || e["id"] == "" || e["time"] == "" {
			t.Errorf("event %v", e)
		}
	}
	if !strings.Contains(b.output(), `"action":"unpause"`) || !strings.Contains(b.output(), `"exitCode":"137"`) {
		t.Errorf("events:\n%s", b.output())
	}
}

func TestStatsNoStreamReadsTheCgroups(t *testing.T) {
	t.Parallel()
	p := newProject(t, twoServices+`
  writer:
    image: busybox
    command: [sh, -c, 'i=0; while [ $$i -lt 20000 ]; do echo 0123456789012345678901234567890123456789012345678901234567890123456789; i=$$((i+1)); done > /big; echo written; sleep 1d']
`)
	p.ok("up", "-d")
	eventually(t, "the writer wrote", func() bool { return strings.Contains(p.ok("logs", "writer").stdout, "written") })
	r := p.ok("stats", "--no-stream", "--format", "json", "writer")
	var w statsRow
	var written float64
	if err := json.Unmarshal([]byte(r.stdout), &w); err == nil {
		_, after, _ := strings.Cut(w.BlockIO, " / ")
		fmt.Sscanf(after, "%fMB", &written)
	}
	if written < 1.4 || written > 1.5 {
		t.Errorf("stats of a container that wrote 1.42MB: %+v", w)
	}
	r = p.ok("stats", "--no-stream", "--format", "json", "web")
	var row statsRow
	if err := json.Unmarshal([]byte(r.stdout), &row); err != nil {
		t.Fatalf("stats --format json: %v %q", err, r.stdout)
	}
	if row.Name != "demo-web-1" || row.PIDs == "0" || !strings.HasSuffix(row.CPUPerc, "%") || strings.HasPrefix(row.MemUsage, "0B ") {
		t.Errorf("stats: %+v", row)
	}
	r = p.ok("stats", "--no-stream")
	if !strings.HasPrefix(strings.Join(strings.Fields(r.stdout), " "), "CONTAINER ID NAME CPU % MEM USAGE / LIMIT MEM % NET I/O BLOCK I/O PIDS") {
		t.Errorf("stats table:\n%s", r.stdout)
	}
}
