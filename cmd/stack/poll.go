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
