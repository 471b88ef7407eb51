package main

import (
	"context"
	"sync"
	"time"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
)

// logFollower follows the logs of containers as they come: each one from
// when it is added, across its restarts, until stop, which then prints
// what each wrote since its last printed line, so that nothing is lost.
type logFollower struct {
	eng  *linux.Engine
	lp   *logPrinter
	opts linux.LogOptions // the first read of each container: Tail, Since, Until

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	seen  map[string]*followed // by container ID
	order []string
}

type followed struct {
	name    string
	last    time.Time // of the last entry printed
	ended   bool      // the container is gone
	pending []string  // events to print once its log is read to the end
	opts    linux.LogOptions
}

func newLogFollower(ctx context.Context, eng *linux.Engine, lp *logPrinter, opts linux.LogOptions) *logFollower {
	f := &logFollower{eng: eng, lp: lp, opts: opts, seen: map[string]*followed{}}
	f.ctx, f.cancel = context.WithCancel(ctx)
	return f
}

// follow starts following c unless it is followed already.
func (f *logFollower) follow(c runtime.State) { f.followFrom(c, f.opts) }

// followFrom is follow with other options for the first read.
func (f *logFollower) followFrom(c runtime.State, o linux.LogOptions) {
	f.mu.Lock()
	if _, ok := f.seen[c.ID]; ok {
		f.mu.Unlock()
		return
	}
	fc := &followed{name: c.Name, opts: o}
	f.seen[c.ID] = fc
	f.order = append(f.order, c.ID)
	f.mu.Unlock()
	f.lp.add(c.Name)
	o.Follow = true
	o.Idle = func() { f.flush(fc) }
	f.wg.Go(func() {
		f.eng.Logs(f.ctx, c.ID, o, func(e linux.LogEntry) error {
			f.printed(fc, e)
			return nil
		})
		f.mu.Lock()
		fc.ended = f.ctx.Err() == nil // it returns by itself once the container is removed
		f.mu.Unlock()
	})
}

func (f *logFollower) printed(fc *followed, e linux.LogEntry) {
	f.lp.entry(fc.name, e)
	f.mu.Lock()
	fc.last = e.Time
	f.mu.Unlock()
}

// after prints text about container id (such as its exit) once its log
// has been read to the end: what it printed before comes first.
func (f *logFollower) after(id, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if fc, ok := f.seen[id]; ok && !fc.ended {
		fc.pending = append(fc.pending, text)
	}
}

func (f *logFollower) flush(fc *followed) {
	f.mu.Lock()
	pending := fc.pending
	fc.pending = nil
	f.mu.Unlock()
	for _, text := range pending {
		f.lp.event(fc.name, text)
	}
}

// settle waits (a little) until id's pending events are printed.
func (f *logFollower) settle(id string) {
	for range 100 {
		f.mu.Lock()
		fc, ok := f.seen[id]
		done := !ok || len(fc.pending) == 0 || fc.ended
		f.mu.Unlock()
		if done {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// active counts the containers still followed.
func (f *logFollower) active() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, fc := range f.seen {
		if !fc.ended {
			n++
		}
	}
	return n
}

// stop ends following and prints what each container wrote since.
func (f *logFollower) stop(ctx context.Context) {
	f.cancel()
	f.wg.Wait()
	f.mu.Lock()
	ids := append([]string(nil), f.order...)
	f.mu.Unlock()
	for _, id := range ids {
		fc := f.seen[id]
		if fc.ended {
			f.flush(fc)
			continue
		}
		// What the follower would have printed, from after its last line.
		o := fc.opts
		o.Follow, o.Idle = false, nil
		if !fc.last.IsZero() {
			o.Tail, o.Since = -1, fc.last.Add(time.Nanosecond)
		}
		f.eng.Logs(ctx, id, o, func(e linux.LogEntry) error {
			f.printed(fc, e)
			return nil
		})
		f.flush(fc)
	}
}
