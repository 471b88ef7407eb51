package scheduler

import (
	"context"
	"fmt"
	"strings"

	"github.com/stackorch/stack/internal/fault"
	"github.com/stackorch/stack/runtime"
)

// op runs one op, announcing its progress.
func (x *executor) op(ctx context.Context, o Op) error {
	var err error
	switch o.Kind {
	case OpCreate:
		err = x.step(ctx, o, Creating, Created, x.create)
	case OpRecreate:
		err = x.step(ctx, o, Recreating, Recreated, func(ctx context.Context, o Op) error {
			if err := x.stopToRemove(ctx, o); err != nil {
				return err
			}
			if err := x.remove(ctx, o); err != nil {
				return err
			}
			return x.create(ctx, o)
		})
	case OpStart:
		err = x.step(ctx, o, Starting, Started, x.start)
	case OpRestart:
		err = x.step(ctx, o, Restarting, Restarted, func(ctx context.Context, o Op) error {
			if err := x.stop(ctx, o); err != nil {
				return err
			}
			return x.start(ctx, o)
		})
	case OpStop:
		err = x.step(ctx, o, Stopping, Stopped, x.stop)
	case OpRemove:
		err = x.step(ctx, o, Removing, Removed, x.remove)
	default:
		err = fmt.Errorf("run op %q: unknown kind", o.String())
	}
	return err
}

// step announces begin, runs fn, then announces end or the failure.
func (x *executor) step(ctx context.Context, o Op, begin, end Status, fn func(context.Context, Op) error) error {
	x.emit(o.Service, o.Name, begin, "")
	if err := fn(ctx, o); err != nil {
		if ctx.Err() == nil {
			x.emit(o.Service, o.Name, Failed, err.Error())
		}
		return err
	}
	x.emit(o.Service, o.Name, end, "")
	return nil
}

func (x *executor) create(ctx context.Context, o Op) error {
	if _, err := x.rt.Create(ctx, o.Spec); err != nil {
		return wrap("create", o.Name, err)
	}
	fault.Point("up.after-create")
	return nil
}

func (x *executor) start(ctx context.Context, o Op) error {
	if err := x.rt.Start(ctx, o.Name); err != nil {
		return wrap("start", o.Name, err)
	}
	return nil
}

// stop stops o's container; one already stopped or gone is fine.
func (x *executor) stop(ctx context.Context, o Op) error {
	err := x.rt.Stop(ctx, o.Name, x.stopTimeout)
	if err != nil && !ignore(err, runtime.ErrNotRunning, runtime.ErrNotFound) {
		return wrap("stop", o.Name, err)
	}
	return nil
}

// stopToRemove stops o's container, which is removed next: it returns
// once the container's processes are gone (runtime.Runtime.StopToRemove).
func (x *executor) stopToRemove(ctx context.Context, o Op) error {
	err := x.rt.StopToRemove(ctx, o.Name, x.stopTimeout)
	if err != nil && !ignore(err, runtime.ErrNotRunning, runtime.ErrNotFound) {
		return wrap("stop", o.Name, err)
	}
	return nil
}

// remove removes o's container, killing it if it runs; one gone is fine.
func (x *executor) remove(ctx context.Context, o Op) error {
	err := x.rt.Remove(ctx, o.Name, true)
	if err != nil && !ignore(err, runtime.ErrNotFound) {
		return wrap("remove", o.Name, err)
	}
	return nil
}

// wrap is `op container "name": err`, unless err already says so, as
// engines following the os package's convention do.
func wrap(op, name string, err error) error {
	prefix := fmt.Sprintf("%s container %q: ", op, name)
	if strings.HasPrefix(err.Error(), prefix) {
		return err
	}
	return fmt.Errorf("%s container %q: %w", op, name, err)
}
