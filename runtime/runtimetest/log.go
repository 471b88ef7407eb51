package runtimetest

import (
	"context"
	"slices"
)

// Call is one recorded runtime call, or one change the Fake made by itself
// (Op "exit" or "health", with Begin == End). Begin and End are ticks of the
// Fake's logical clock: a call that ended before another began has a smaller
// End than the other's Begin. End is 0 while the call is in flight.
type Call struct {
	Op    string // create, start, stop, kill, remove, wait, exit, health
	Name  string // the container's name, or the reference given if unknown
	Arg   string // wait: the condition; exit: the code; health: the status
	Begin int64
	End   int64
	Err   error
}

// Before reports whether c ended before d began.
func (c Call) Before(d Call) bool { return c.End != 0 && c.End < d.Begin }

// Overlaps reports whether c and d were in flight at the same time.
func (c Call) Overlaps(d Call) bool {
	return c.Begin < end(d) && d.Begin < end(c)
}

func end(c Call) int64 {
	if c.End == 0 {
		return 1<<63 - 1
	}
	return c.End
}

// journal is the Fake's call log; the Fake's mutex guards it.
type journal struct {
	clock    int64
	calls    []Call
	inflight map[string]int
	max      map[string]int
}

func newJournal() journal {
	return journal{inflight: map[string]int{}, max: map[string]int{}}
}

// begin records the start of a call and returns its index; f.mu must be held.
func (j *journal) begin(op, name, arg string) int {
	j.clock++
	j.calls = append(j.calls, Call{Op: op, Name: name, Arg: arg, Begin: j.clock})
	for _, k := range []string{op, ""} {
		j.inflight[k]++
		j.max[k] = max(j.max[k], j.inflight[k])
	}
	return len(j.calls) - 1
}

// finish records the end of call i; f.mu must be held.
func (j *journal) finish(i int, err error) {
	j.clock++
	j.calls[i].End = j.clock
	j.calls[i].Err = err
	j.inflight[j.calls[i].Op]--
	j.inflight[""]--
}

// mark records a change the Fake made by itself; f.mu must be held.
func (j *journal) mark(op, name, arg string) {
	j.clock++
	j.calls = append(j.calls, Call{Op: op, Name: name, Arg: arg, Begin: j.clock, End: j.clock})
}

// record starts logging a call and returns the function that ends it.
func (f *Fake) record(op, ref, arg string) func(error) error {
	name := f.label(ref)
	f.mu.Lock()
	i := f.log.begin(op, name, arg)
	f.notify()
	f.mu.Unlock()
	return func(err error) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.log.finish(i, err)
		f.notify()
		return err
	}
}

// Calls returns every recorded call in the order they began.
func (f *Fake) Calls() []Call {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.log.calls)
}

// Ops returns "op name" for every recorded call whose Op is one of ops (all
// calls when ops is empty), in the order they began.
func (f *Fake) Ops(ops ...string) []string {
	var out []string
	for _, c := range f.Calls() {
		if len(ops) == 0 || slices.Contains(ops, c.Op) {
			out = append(out, c.Op+" "+c.Name)
		}
	}
	return out
}

// Find returns the first recorded call of op on the container name.
func (f *Fake) Find(op, name string) (Call, bool) {
	for _, c := range f.Calls() {
		if c.Op == op && c.Name == name {
			return c, true
		}
	}
	return Call{}, false
}

// MaxConcurrent returns the largest number of op calls that were in flight
// at once; op "" counts every call.
func (f *Fake) MaxConcurrent(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.log.max[op]
}

// Await blocks until cond, given the calls so far, reports true, or ctx ends.
// It tests cond again after every call begins or ends and every change of a
// container.
func (f *Fake) Await(ctx context.Context, cond func(calls []Call) bool) error {
	for {
		f.mu.Lock()
		ch := f.changed
		calls := slices.Clone(f.log.calls)
		f.mu.Unlock()
		if cond(calls) {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Began returns a condition for Await: a call of op on name has begun.
func Began(op, name string) func([]Call) bool {
	return func(calls []Call) bool {
		return slices.ContainsFunc(calls, func(c Call) bool { return c.Op == op && c.Name == name })
	}
}
