package main

import (
	"context"
	"errors"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/scheduler"
)

// each does op to each container in turn, shown under title: doing before
// (unless empty), done after, Failed if op fails. It goes on past
// failures and returns them joined.
func (s *session) each(ctx context.Context, title string, cs []runtime.State, doing, done scheduler.Status,
	op func(ctx context.Context, id string) error) error {
	pr := s.g.newProgress(title)
	defer pr.close()
	var errs []error
	for _, c := range cs {
		if doing != "" {
			pr.resource("Container", c.Name, doing)
		}
		if err := op(ctx, c.ID); err != nil {
			pr.resource("Container", c.Name, scheduler.Failed)
			errs = append(errs, err)
			continue
		}
		pr.resource("Container", c.Name, done)
	}
	return errors.Join(errs...)
}
