package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
	"github.com/stackorch/stack/scheduler"
)

// runOneOff is stack run: it brings the service's dependencies up (unless
// --no-deps), creates and starts the one-off container once they meet
// their conditions, then unless -d shows its output until it exits and
// returns its exit code.
func runOneOff(cmd *cobra.Command, g *globalFlags, f runFlags, name string, command []string) (int, error) {
	ctx := cmd.Context()
	s, _, err := g.openServices(ctx, openOptions{lock: true}, []string{name})
	if err != nil {
		return 1, err
	}
	defer s.close()
	tp := *s.p.Project
	tp.Services, tp.Volumes = maps.Clone(tp.Services), maps.Clone(tp.Volumes)
	if tp.Volumes == nil {
		tp.Volumes = types.Volumes{}
	}
	spec, err := f.oneOffSpec(&tp, name, command)
	if err != nil {
		return 1, err
	}
	graph := s.p.Graph
	deps := slices.DeleteFunc(graph.Closure(name), func(d string) bool { return d == name })
	if f.noDeps {
		deps, graph = nil, nil
	}
	if err := s.ensureImages(ctx, []string{name}, imagePolicy{pull: f.pull}); err != nil {
		return 1, err
	}
	plan := scheduler.Plan{Project: s.p.Name, Replicas: map[string][]string{}}
	if len(deps) > 0 {
		up, err := s.converge(ctx, convergeOptions{title: "Running", images: imagePolicy{pull: f.pull},
			plan: scheduler.Options{Services: deps, RemoveOrphans: f.removeOrphans}})
		if err != nil || g.ui.dryRun {
			return 1, err
		}
		plan.Replicas = up.Replicas
	}
	plan.Ops = []scheduler.Op{{Kind: scheduler.OpCreate, Service: name, Name: spec.Name, Spec: spec},
		{Kind: scheduler.OpStart, Service: name, Name: spec.Name}}
	if s.dryRun(plan) {
		return 0, nil
	}
	if err := s.ensureNetworks(ctx); err != nil {
		return 1, err
	}
	since := time.Now()
	err = scheduler.Execute(ctx, s.rt, plan, graph, scheduler.ExecOptions{Logger: g.logger()})
	s.close() // the one-off runs without holding the project
	if err != nil {
		if f.rm {
			s.engine.Remove(context.WithoutCancel(ctx), spec.Name, true)
		}
		return 1, err
	}
	if f.detach {
		fmt.Fprintln(cmd.OutOrStdout(), spec.Name)
		return 0, nil
	}
	return foreground(ctx, s, spec.Name, since, f.rm)
}

// foreground shows the output of container name until it exits,
// forwarding SIGINT and SIGTERM to it, and returns its exit code.
func foreground(ctx context.Context, s *session, name string, since time.Time, rm bool) (int, error) {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	c, err := s.engine.Inspect(ctx, name)
	if err != nil {
		return 1, err
	}
	lp := newLogPrinter(os.Stdout, false, false, false)
	lp.errw = os.Stderr
	f := newLogFollower(ctx, s.engine, lp, linux.LogOptions{Tail: -1, Since: since})
	f.follow(c)
	exited := make(chan runtime.State, 1)
	go func() {
		st, _ := s.engine.Wait(context.WithoutCancel(ctx), c.ID, runtime.UntilExited)
		exited <- st
	}()
	var st runtime.State
	for done := false; !done; {
		select {
		case sig := <-sigs:
			s.engine.Kill(ctx, c.ID, sig.(syscall.Signal))
		case st = <-exited:
			done = true
		}
	}
	f.stop(context.WithoutCancel(ctx))
	if rm {
		if err := s.engine.Remove(context.WithoutCancel(ctx), c.ID, true); err != nil {
			return 1, err
		}
		s.removeAnonymous(context.WithoutCancel(ctx), c.Name)
	}
	return st.ExitCode, nil
}
