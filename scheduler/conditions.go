package scheduler

import (
	"context"
	"errors"
	"fmt"

	"github.com/stackorch/stack/project"
	"github.com/stackorch/stack/runtime"
)

// ErrDependencyFailed is wrapped by the error of a dependency that did not
// reach its condition: `dependency failed to start: container "p-db-1" is
// unhealthy`.
var ErrDependencyFailed = errors.New("dependency failed to start")

// ConditionError says how a dependency's container missed its condition.
type ConditionError struct {
	Container string
	Unhealthy bool // else it exited with ExitCode
	ExitCode  int
}

func (e *ConditionError) Error() string {
	if e.Unhealthy {
		return fmt.Sprintf("container %q is unhealthy", e.Container)
	}
	return fmt.Sprintf("container %q exited (%d)", e.Container, e.ExitCode)
}

// await blocks until every container of e's service reaches e.Condition. A
// required dependency that cannot is an error; an optional one a warning.
func (x *executor) await(ctx context.Context, svc string, e project.Edge) error {
	if x.plan.NoStart || e.Condition == project.ConditionStarted {
		return nil
	}
	for _, name := range x.plan.Replicas[e.Service] {
		x.emit(e.Service, name, Waiting, "")
		reached, err := x.check(ctx, name, e.Condition)
		switch {
		case err == nil:
			x.emit(e.Service, name, reached, "")
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case !e.Required:
			msg := fmt.Sprintf("optional dependency %q failed to start: %v", e.Service, err)
			x.emit(e.Service, name, Skipped, msg)
			x.log.Warn(msg, "service", svc, "dependency", e.Service)
			return nil
		}
		x.emit(e.Service, name, Failed, err.Error())
		return fmt.Errorf("%w: %w", ErrDependencyFailed, err)
	}
	return nil
}

// check waits for the container name to reach cond and says what it reached.
func (x *executor) check(ctx context.Context, name, cond string) (Status, error) {
	switch cond {
	case project.ConditionHealthy:
		st, err := x.rt.Wait(ctx, name, runtime.UntilHealthy)
		switch {
		case err != nil:
			return "", wrap("wait", name, err)
		case !st.Running():
			return "", &ConditionError{Container: name, ExitCode: st.ExitCode}
		case st.Health == runtime.HealthUnhealthy:
			return "", &ConditionError{Container: name, Unhealthy: true}
		case st.Health == runtime.HealthHealthy, st.Health == runtime.HealthNone:
			// Without a healthcheck, running is enough, as in Compose.
			return Healthy, nil
		}
		return "", fmt.Errorf("container %q has unexpected health %q", name, st.Health)
	case project.ConditionCompleted:
		st, err := x.rt.Wait(ctx, name, runtime.UntilExited)
		switch {
		case err != nil:
			return "", wrap("wait", name, err)
		case st.ExitCode != 0:
			return "", &ConditionError{Container: name, ExitCode: st.ExitCode}
		}
		return Exited, nil
	}
	x.log.Warn(fmt.Sprintf("unsupported depends_on condition %q", cond), "container", name)
	return Started, nil
}
