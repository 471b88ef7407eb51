package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/stackorch/stack/runtime/linux"
)

// logPrinter prints log lines as docker compose does: "<container>  | "
// prefixes padded to the widest name, a colour per container on a
// terminal, optional timestamps. Lines from many containers never mix.
type logPrinter struct {
	w          io.Writer
	errw       io.Writer // if set, stderr entries go there
	prefix     bool
	colors     bool
	timestamps bool

	mu     sync.Mutex
	width  int
	colour map[string]string
}

// palette is docker compose's rotation of container colours.
var palette = []string{"36", "33", "32", "35", "34", "36;1", "33;1", "32;1", "35;1", "34;1"}

func newLogPrinter(w io.Writer, prefix, colors, timestamps bool) *logPrinter {
	return &logPrinter{w: w, prefix: prefix, colors: colors, timestamps: timestamps, colour: map[string]string{}}
}

// add makes room for name in the prefixes and gives it its colour.
func (lp *logPrinter) add(names ...string) {
	lp.mu.Lock()
	defer lp.mu.Unlock()
	for _, n := range names {
		lp.width = max(lp.width, len(n))
		if _, ok := lp.colour[n]; !ok {
			lp.colour[n] = palette[len(lp.colour)%len(palette)]
		}
	}
}

// entry prints one log entry of container name.
func (lp *logPrinter) entry(name string, e linux.LogEntry) {
	text := strings.TrimRight(e.Log, "\r\n")
	if lp.timestamps {
		text = e.Time.UTC().Format(time.RFC3339Nano) + " " + text
	}
	if lp.errw != nil && e.Stream == "stderr" {
		lp.mu.Lock()
		fmt.Fprintln(lp.errw, text)
		lp.mu.Unlock()
		return
	}
	lp.print(name, text)
}

// print prints one line of container name with its prefix.
func (lp *logPrinter) print(name, text string) {
	lp.add(name)
	lp.mu.Lock()
	defer lp.mu.Unlock()
	if !lp.prefix {
		fmt.Fprintln(lp.w, text)
		return
	}
	p := fmt.Sprintf("%-*s  | ", lp.width, name)
	if lp.colors {
		p = "\x1b[" + lp.colour[name] + "m" + p + "\x1b[0m"
	}
	fmt.Fprintln(lp.w, p+text)
}

// event prints a line about a container, such as its exit, unprefixed.
func (lp *logPrinter) event(name, text string) {
	lp.add(name)
	lp.mu.Lock()
	defer lp.mu.Unlock()
	if lp.colors {
		name = "\x1b[" + lp.colour[name] + "m" + name + "\x1b[0m"
	}
	fmt.Fprintln(lp.w, name+" "+text)
}
