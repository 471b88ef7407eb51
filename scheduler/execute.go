package scheduler

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
)

// ExecOptions tune Execute.
type ExecOptions struct {
	// Timeout is how long a stop waits before SIGKILL; nil means each
	// container's stop grace period.
	Timeout *time.Duration
	// Logger receives warnings, such as an optional dependency that failed;
	// nil discards them.
	Logger *slog.Logger
	// Events, if not nil, receives every container's progress, one event at
	// a time.
	Events func(Event)
}

// Execute runs plan on rt, walking graph (nil: no dependencies). A service's
// ops begin once each dependency taking part has run its own ops and reached
// the condition its edge asks for (for a Down plan: once every container of
// every dependent has stopped; removals need not wait); each container's ops
// run in order, different containers' at once. The first failure cancels the rest; Execute waits for the ops in
// flight and returns that failure. It returns ctx's error if ctx ends first.
func Execute(ctx context.Context, rt runtime.Runtime, plan Plan, graph *project.Graph, opts ExecOptions) error {
	x := &executor{rt: rt, plan: plan, graph: graph, opts: opts, log: opts.Logger, stopTimeout: -1}
	if x.log == nil {
		x.log = slog.New(slog.DiscardHandler)
	}
	if opts.Timeout != nil {
		x.stopTimeout = *opts.Timeout
	}
	x.group()
	return x.run(ctx)
}

type executor struct {
	rt          runtime.Runtime
	plan        Plan
	graph       *project.Graph
	opts        ExecOptions
	log         *slog.Logger
	stopTimeout time.Duration
	emitMu      sync.Mutex

	chains  map[string][][]Op // per service, each container's ops in order
	done    map[string]chan struct{}
	stopped map[string]chan struct{} // Down: closed once svc's stops are done
	nodes   []string

	cancel  context.CancelFunc
	errOnce sync.Once
	err     error
}

// group sorts the plan's ops into per-container chains, per service.
func (x *executor) group() {
	x.chains = map[string][][]Op{}
	x.done = map[string]chan struct{}{}
	x.stopped = map[string]chan struct{}{}
	index := map[string]int{} // container name -> its chain in its service
	add := func(svc string) {
		if _, ok := x.done[svc]; !ok {
			x.done[svc] = make(chan struct{})
			x.stopped[svc] = make(chan struct{})
			x.nodes = append(x.nodes, svc)
		}
	}
	for _, o := range x.plan.Ops {
		add(o.Service)
		key := o.Service + "\x00" + o.Name
		i, ok := index[key]
		if !ok {
			i = len(x.chains[o.Service])
			index[key] = i
			x.chains[o.Service] = append(x.chains[o.Service], nil)
		}
		x.chains[o.Service][i] = append(x.chains[o.Service][i], o)
	}
	for svc := range x.plan.Replicas {
		add(svc)
	}
}

func (x *executor) run(parent context.Context) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	x.cancel = cancel
	var wg sync.WaitGroup
	for _, svc := range x.nodes {
		wg.Go(func() {
			defer close(x.done[svc])
			if err := x.service(ctx, svc); err != nil {
				x.fail(err)
			}
		})
	}
	wg.Wait()
	if x.err != nil {
		return x.err
	}
	return parent.Err()
}

// fail keeps the first error and cancels everything else.
func (x *executor) fail(err error) {
	x.errOnce.Do(func() {
		x.err = err
		x.cancel()
	})
}

// service waits for what svc must wait for, then runs its containers' ops.
func (x *executor) service(ctx context.Context, svc string) error {
	if err := x.before(ctx, svc); err != nil {
		return err
	}
	var wg, stopping sync.WaitGroup
	stopping.Add(len(x.chains[svc]))
	go func() {
		stopping.Wait()
		close(x.stopped[svc])
	}()
	for _, chain := range x.chains[svc] {
		wg.Go(func() {
			var once sync.Once
			stopped := func() { once.Do(stopping.Done) }
			defer stopped()
			for i, o := range chain {
				if o.Kind != OpStop {
					stopped()
				}
				op := x.op
				if o.Kind == OpStop && i+1 < len(chain) && chain[i+1].Kind == OpRemove && chain[i+1].ID == o.ID {
					// A teardown: Remove waits for what the stop leaves.
					op = func(ctx context.Context, o Op) error {
						return x.step(ctx, o, Stopping, Stopped, x.stopToRemove)
					}
				}
				if err := op(ctx, o); err != nil {
					x.fail(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return nil
}

// before blocks until svc may run: its dependencies are done and reached
// their conditions, or for Down, its dependents are done.
func (x *executor) before(ctx context.Context, svc string) error {
	if x.graph == nil {
		return ctx.Err()
	}
	if x.plan.Down {
		for _, d := range x.graph.Dependents(svc) {
			if err := x.waitOn(ctx, x.stopped, d); err != nil {
				return err
			}
		}
		return ctx.Err()
	}
	for _, e := range x.graph.Dependencies(svc) {
		if err := x.wait(ctx, e.Service); err != nil {
			return err
		}
		if err := x.await(ctx, svc, e); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// wait blocks until svc's ops are done; a service not in the plan is.
func (x *executor) wait(ctx context.Context, svc string) error {
	return x.waitOn(ctx, x.done, svc)
}

// waitOn blocks until svc's channel in chans is closed; a service not in
// the plan has none, and is not waited for.
func (x *executor) waitOn(ctx context.Context, chans map[string]chan struct{}, svc string) error {
	ch, ok := chans[svc]
	if !ok {
		return nil
	}
	select {
	case <-ch:
		return ctx.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ignore reports whether err leaves the container as the op wanted it.
func ignore(err error, sentinels ...error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}
