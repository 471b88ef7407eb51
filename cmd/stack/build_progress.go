package main

import (
	"bytes"
	"fmt"
	"io"
	"sync"

	"github.com/stackorch/stack/image"
)

// buildPrinter shows a build's steps as buildkit's plain progress does:
// "#3 [build 2/4] RUN make", the step's output prefixed "#3 ", then
// "#3 DONE 0.4s" or "#3 CACHED".
type buildPrinter struct {
	mu      sync.Mutex
	w       io.Writer
	step    int
	pending []byte // output not yet ended by a newline
}

func newBuildPrinter(w io.Writer) *buildPrinter { return &buildPrinter{w: w} }

func (p *buildPrinter) event(ev image.BuildEvent) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flush()
	switch ev.State {
	case image.StepStarted:
		p.step = ev.Step
		fmt.Fprintf(p.w, "#%d [%s %d/%d] %s\n", ev.Step, ev.Stage, ev.Index, ev.Count, ev.Text)
	case image.StepCached:
		fmt.Fprintf(p.w, "#%d CACHED\n", ev.Step)
	case image.StepDone:
		fmt.Fprintf(p.w, "#%d DONE %.1fs\n", ev.Step, ev.Took.Seconds())
	default:
		fmt.Fprintf(p.w, "#%d %s\n", ev.Step, ev.State)
	}
}

// Write takes a RUN step's output and prints it line by line.
func (p *buildPrinter) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pending = append(p.pending, b...)
	for {
		line, rest, ok := bytes.Cut(p.pending, []byte{'\n'})
		if !ok {
			return len(b), nil
		}
		fmt.Fprintf(p.w, "#%d %s\n", p.step, line)
		p.pending = rest
	}
}

// flush prints output left without a newline.
func (p *buildPrinter) flush() {
	if len(p.pending) > 0 {
		fmt.Fprintf(p.w, "#%d %s\n", p.step, p.pending)
		p.pending = nil
	}
}
