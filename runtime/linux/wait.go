package linux

import (
	"context"
	"errors"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/runtime"
)

// Wait blocks until the container reaches cond. It watches the container's
// directory for the monitor's state writes, and looks again every so often
// to notice a monitor that died without writing.
func (e *Engine) Wait(ctx context.Context, ref string, cond runtime.Condition) (runtime.State, error) {
	id, err := e.resolve(ref)
	if err != nil {
		if cond == runtime.UntilRemoved && errors.Is(err, runtime.ErrNotFound) {
			return runtime.State{}, nil
		}
		return runtime.State{}, err
	}
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		return runtime.State{}, err
	}
	defer unix.Close(fd)
	unix.InotifyAddWatch(fd, e.o.Paths.container(id), unix.IN_MOVED_TO|unix.IN_DELETE_SELF|unix.IN_MOVE_SELF)
	buf := make([]byte, 4096)
	for {
		st, err := e.Inspect(ctx, id)
		if errors.Is(err, runtime.ErrNotFound) && cond == runtime.UntilRemoved {
			return runtime.State{}, nil
		}
		if err != nil {
			return st, err
		}
		if reached(st, cond) {
			return st, nil
		}
		if err := pollWait(ctx, fd, buf, 200*time.Millisecond); err != nil {
			return st, err
		}
	}
}

func reached(st runtime.State, cond runtime.Condition) bool {
	stopped := st.Status == runtime.StatusExited || st.Status == runtime.StatusDead
	switch cond {
	case runtime.UntilRunning:
		return st.Running() || stopped || st.Error != ""
	case runtime.UntilHealthy:
		return stopped || st.Error != "" || (st.Running() && st.Health != runtime.HealthStarting)
	case runtime.UntilExited:
		return stopped || (st.Status == runtime.StatusCreated && st.Error != "")
	}
	return false
}

// pollWait waits for an inotify event on fd, the timeout or ctx.
func pollWait(ctx context.Context, fd int, buf []byte, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 20)
		if err != nil && err != unix.EINTR {
			return err
		}
		if n > 0 {
			unix.Read(fd, buf)
			return nil
		}
	}
	return nil
}
