package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"golang.org/x/sys/unix"

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
	if spec.StdinOpen {
		return attachOneOff(ctx, s, spec, f.rm)
	}
	return foreground(ctx, s, spec.Name, since, f.rm)
}

// attachOneOff connects stack's stdin, stdout and stderr to the one-off
// container until it exits (on a raw terminal when it has one, whose size
// follows stack's) and returns its exit code.
func attachOneOff(ctx context.Context, s *session, spec runtime.Spec, rm bool) (int, error) {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM, syscall.SIGWINCH)
	defer signal.Stop(sigs)
	resize := func() {
		if ws, err := unix.IoctlGetWinsize(int(os.Stdout.Fd()), unix.TIOCGWINSZ); err == nil {
			s.engine.Resize(ctx, spec.Name, ws.Row, ws.Col)
		}
	}
	if spec.Tty {
		resize()
		defer rawTerminal(os.Stdin)()
	}
	done := make(chan error, 1)
	go func() {
		done <- s.engine.Attach(ctx, spec.Name, linux.AttachOptions{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr})
	}()
	for waiting := true; waiting; {
		select {
		case sig := <-sigs:
			if sig == syscall.SIGWINCH {
				if spec.Tty {
					resize()
				}
				continue
			}
			s.engine.Kill(ctx, spec.Name, sig.(syscall.Signal))
		case err := <-done:
			if err != nil {
				// Attaching failed before any output: the run may have
				// ended first (its monitor gone with it); its log has all.
				if st, ierr := s.engine.Inspect(ctx, spec.Name); ierr != nil || st.Running() {
					return 1, err
				}
				if err := printRunLog(ctx, s, spec.Name); err != nil {
					return 1, err
				}
			}
			waiting = false
		}
	}
	st, err := s.engine.Wait(context.WithoutCancel(ctx), spec.Name, runtime.UntilExited)
	if err != nil {
		return 1, err
	}
	return ended(ctx, s, st, rm)
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
	st.ID, st.Name = c.ID, c.Name // Wait may have failed: remove the container itself
	return ended(ctx, s, st, rm)
}

// ended returns the exit code of a one-off that has exited, removing it
// and its anonymous volumes first when rm.
func ended(ctx context.Context, s *session, st runtime.State, rm bool) (int, error) {
	if rm {
		if err := s.engine.Remove(context.WithoutCancel(ctx), st.ID, true); err != nil {
			return 1, err
		}
		s.removeAnonymous(context.WithoutCancel(ctx), st.Name)
	}
	return st.ExitCode, nil
}

// printRunLog writes a container's log to stdout and stderr, as its
// streams were.
func printRunLog(ctx context.Context, s *session, name string) error {
	return s.engine.Logs(ctx, name, linux.LogOptions{Tail: -1}, func(e linux.LogEntry) error {
		w := os.Stdout
		if e.Stream == "stderr" {
			w = os.Stderr
		}
		_, err := io.WriteString(w, e.Log)
		return err
	})
}
