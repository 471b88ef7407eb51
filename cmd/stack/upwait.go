package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/stackorch/stack/runtime"
)

// waitReady waits until every container named is running, and healthy if
// it has a healthcheck, or has completed with exit code 0 (up --wait). A
// one-shot still running counts as running, as in Docker Compose.
// timeout is in seconds; 0 waits as long as it takes.
func (s *session) waitReady(ctx context.Context, names []string, timeout int) error {
	if timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, seconds(timeout))
		defer cancel()
	}
	eg, ctx := errgroup.WithContext(ctx)
	for _, name := range names {
		eg.Go(func() error {
			st, err := s.engine.Wait(ctx, name, runtime.UntilHealthy)
			switch {
			case errors.Is(err, context.DeadlineExceeded):
				return fmt.Errorf("wait for container %q: not ready after %s", name, time.Duration(timeout)*time.Second)
			case err != nil:
				return fmt.Errorf("wait for container %q: %w", name, err)
			case !st.Running() && st.ExitCode != 0:
				return fmt.Errorf("container %q exited (%d)", name, st.ExitCode)
			case st.Health == runtime.HealthUnhealthy:
				return fmt.Errorf("container %q is unhealthy", name)
			}
			return nil
		})
	}
	return eg.Wait()
}
