package linux

import (
	"context"
	"testing"
	"time"
)

func TestWatchSignalsCreateStateChangesAndRemove(t *testing.T) {
	e := newEngine(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changed, err := e.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	expect := func(what string) {
		t.Helper()
		select {
		case <-changed:
		case <-time.After(10 * time.Second):
			t.Fatalf("no signal after %s", what)
		}
		for drained := false; !drained; { // what came with it
			select {
			case <-changed:
			case <-time.After(50 * time.Millisecond):
				drained = true
			}
		}
	}
	st := run(t, e, sh("t-watch-1", "sleep 30"))
	expect("create and start")
	if err := e.Stop(ctx, st.ID, time.Second); err != nil {
		t.Fatal(err)
	}
	expect("stop")
	if err := e.Remove(ctx, st.ID, false); err != nil {
		t.Fatal(err)
	}
	expect("remove")
	cancel()
	for range changed { // closed once ctx ends
	}
}
