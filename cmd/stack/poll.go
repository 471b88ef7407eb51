package main

import (
	"context"
	"time"
)

// poll calls fn every d until ctx ends (nil), fn fails, or fn says done.
func poll(ctx context.Context, d time.Duration, fn func() (done bool, err error)) error {
	tick := time.NewTicker(d)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if done, err := fn(); done || err != nil {
			return err
		}
	}
}

// changes signals on its channel whenever the engine says a container may
// have changed, and every d besides (should the watch fail), until ctx
// ends. Signals are coalesced.
func (s *session) changes(ctx context.Context, d time.Duration) <-chan struct{} {
	out := make(chan struct{}, 1)
	changed, err := s.engine.Watch(ctx)
	if err != nil {
		changed = nil
	}
	go func() {
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case _, ok := <-changed:
				if !ok {
					changed = nil
				}
			case <-tick.C:
			}
			select {
			case out <- struct{}{}:
			default:
			}
		}
	}()
	return out
}
