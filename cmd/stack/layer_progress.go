package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/docker/go-units"
	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/image"
)

// layerProgress shows how the layers of a pull or push go, as docker does:
// on a terminal one line per layer redrawn in place with a bar; otherwise
// one line each time a layer's status changes (byte counts left out).
type layerProgress struct {
	w     io.Writer
	words map[string]string // status -> what is shown

	display
	order []string
	state map[string]image.Progress
	drawn int
}

// newLayerProgress starts a display on w; words rename statuses ("Waiting"
// is "Pulling fs layer" in a pull). It redraws in place when --progress and
// --ansi allow and w is a terminal.
func (g *globalFlags) newLayerProgress(w io.Writer, words map[string]string) *layerProgress {
	p := &layerProgress{w: w, words: words, state: map[string]image.Progress{}}
	p.start(g.ui.live(liveTerminal(w)), p.draw)
	return p
}

// liveTerminal reports whether w is a terminal that lines can be redrawn on.
func liveTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || os.Getenv("TERM") == "dumb" {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// report takes news of a layer; it is safe for concurrent use.
func (p *layerProgress) report(ev image.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	old, seen := p.state[ev.ID]
	if !seen {
		p.order = append(p.order, ev.ID)
	}
	p.state[ev.ID] = ev
	if !p.live && (!seen || old.Status != ev.Status) && ev.Status != image.StatusDownloading && ev.Status != image.StatusPushing {
		fmt.Fprintf(p.w, "%s: %s\n", ev.ID, p.word(ev.Status))
	}
}

func (p *layerProgress) word(status string) string {
	if w, ok := p.words[status]; ok {
		return w
	}
	return status
}

// close draws the final state and stops the display.
func (p *layerProgress) close() { p.display.close(p.draw) }

// draw redraws every layer's line over the previous drawing.
func (p *layerProgress) draw() {
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	for _, id := range p.order {
		ev := p.state[id]
		b.WriteString("\x1b[2K" + id + ": " + p.word(ev.Status))
		if (ev.Status == image.StatusDownloading || ev.Status == image.StatusPushing) && ev.Total > 0 {
			b.WriteString(" " + bar(ev.Current, ev.Total))
		}
		b.WriteByte('\n')
	}
	p.drawn = len(p.order)
	io.WriteString(p.w, b.String())
}

// bar is docker's "[=====>     ]  1.2MB/4.5MB".
func bar(cur, total int64) string {
	const width = 50
	n := int(min(cur, total) * width / total)
	fill := strings.Repeat("=", n)
	if n < width {
		fill += ">" + strings.Repeat(" ", width-n-1)
	}
	return fmt.Sprintf("[%s] %8s/%s", fill, units.HumanSize(float64(cur)), units.HumanSize(float64(total)))
}
