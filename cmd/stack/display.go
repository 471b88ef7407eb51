package main

import (
	"sync"
	"time"
)

// display is what the progress displays share: a lock, and while live (on
// a terminal) a redraw every 100 ms until close draws the final state. A
// display that is not live prints as things happen and never redraws.
type display struct {
	mu   sync.Mutex
	live bool
	stop chan struct{}
	done chan struct{}
}

// start begins redrawing with draw, called with mu held, if live.
func (d *display) start(live bool, draw func()) {
	d.live, d.stop, d.done = live, make(chan struct{}), make(chan struct{})
	if !live {
		close(d.done)
		return
	}
	go func() {
		defer close(d.done)
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-d.stop:
				return
			case <-t.C:
				d.mu.Lock()
				draw()
				d.mu.Unlock()
			}
		}
	}()
}

// close stops redrawing and draws the final state, if live.
func (d *display) close(draw func()) {
	if !d.live {
		return
	}
	close(d.stop)
	<-d.done
	d.mu.Lock()
	draw()
	d.mu.Unlock()
}
