package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/stackorch/stack/scheduler"
)

// progress shows the scheduler's events as docker compose does: on a
// terminal a block of one line per container redrawn in place, with a
// spinner and the time each step took; otherwise one plain line per event.
type progress struct {
	w     io.Writer
	quiet bool
	title string

	display
	items []*item
	byKey map[string]*item
	drawn int // lines of the last drawing
}

type item struct {
	kind   string // Container, Volume, Image
	name   string
	status scheduler.Status
	text   string
	begin  time.Time
	end    time.Time // zero while in progress
}

// newProgress starts a display titled title ("Running", "Stopping", ...).
func (g *globalFlags) newProgress(title string) *progress {
	p := &progress{w: os.Stderr, quiet: g.ui.progress == "quiet", title: title, byKey: map[string]*item{}}
	p.start(g.ui.liveProgress(), p.draw)
	return p
}

// event records one scheduler event; Execute calls it one at a time.
func (p *progress) event(e scheduler.Event) { p.record("Container", e) }

// resource records the progress of something other than a container.
func (p *progress) resource(kind, name string, s scheduler.Status) {
	p.record(kind, scheduler.Event{Time: time.Now(), Container: name, Status: s})
}

func (p *progress) record(kind string, e scheduler.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	it, ok := p.byKey[kind+" "+e.Container]
	if !ok {
		it = &item{kind: kind, name: e.Container, begin: e.Time}
		p.byKey[kind+" "+e.Container] = it
		p.items = append(p.items, it)
	}
	it.status, it.text, it.end = e.Status, e.Text, time.Time{}
	if finished(e.Status) {
		it.end = e.Time
	}
	switch {
	case p.quiet:
	case p.live:
		p.draw()
	default:
		line := " " + kind + " " + e.Container + "  " + string(e.Status)
		if e.Text != "" && e.Status == scheduler.Skipped {
			line += ": " + e.Text
		}
		fmt.Fprintln(p.w, line)
	}
}

// line prints a line of its own, as `up` does for orphans and waits.
func (p *progress) line(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.quiet {
		return
	}
	if p.live && p.drawn > 0 {
		fmt.Fprintf(p.w, "\x1b[%dA\x1b[J", p.drawn) // the line goes above the block
		p.drawn = 0
	}
	fmt.Fprintln(p.w, s)
	if p.live {
		p.draw()
	}
}

// close draws the final state and stops redrawing.
func (p *progress) close() { p.display.close(p.draw) }

// finished reports whether s ends a step: Created, Started, Killed... but
// not Creating, Waiting or Recreate.
func finished(s scheduler.Status) bool {
	return !strings.HasSuffix(string(s), "ing") && s != scheduler.Recreating
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// draw redraws the block over the previous one; p.mu is held.
func (p *progress) draw() {
	if len(p.items) == 0 {
		return
	}
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	now := time.Now()
	doneCount, width := 0, 0
	for _, it := range p.items {
		if !it.end.IsZero() {
			doneCount++
		}
		width = max(width, len(it.kind)+1+len(it.name))
	}
	fmt.Fprintf(&b, "\x1b[2K[+] %s %d/%d\n", p.title, doneCount, len(p.items))
	for _, it := range p.items {
		mark, end := spinner[int(now.UnixMilli()/100)%len(spinner)], now
		switch {
		case it.status == scheduler.Failed:
			mark, end = "\x1b[31m✘\x1b[0m", it.end
		case !it.end.IsZero():
			mark, end = "\x1b[32m✔\x1b[0m", it.end
		}
		status := string(it.status)
		if it.status == scheduler.Failed || it.status == scheduler.Skipped {
			status += " " + it.text
		}
		fmt.Fprintf(&b, "\x1b[2K %s %-*s  %-10s %5.1fs\n", mark, width, it.kind+" "+it.name, status, end.Sub(it.begin).Seconds())
	}
	p.drawn = len(p.items) + 1
	io.WriteString(p.w, b.String())
}
