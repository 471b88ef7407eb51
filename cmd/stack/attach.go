package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
	"github.com/stackorch/stack/scheduler"
)

// attachOptions are up's flags for its foreground run.
type attachOptions struct {
	scope        []string // the services up ran: stopped on Ctrl-C or abort
	attach       []string // the services whose logs are shown
	since        time.Time
	abortOnExit  bool
	abortOnFail  bool
	exitCodeFrom string
	noPrefix     bool
	noColor      bool
	timestamps   bool
	timeout      *int
}

// attach shows the logs of the attached services until every one of their
// containers has stopped, or one exits and the flags say to abort, or
// Ctrl-C: then it stops the services (a second Ctrl-C kills them). It
// returns the exit code up should exit with.
func (s *session) attach(ctx context.Context, o attachOptions) (int, error) {
	lp := newLogPrinter(os.Stdout, !o.noPrefix, !o.noColor && s.g.ui.colors(os.Stdout), o.timestamps)
	f := newLogFollower(ctx, s.engine, lp, linux.LogOptions{Tail: -1, Since: o.since})
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	defer signal.Stop(sigs)
	list := func() ([]runtime.State, error) {
		return s.containers(ctx, listOptions{services: o.attach, stopped: true})
	}
	first, err := list()
	if err != nil {
		return 1, err
	}
	var names []string
	for _, c := range first {
		names = append(names, c.Name)
	}
	lp.add(names...)
	fmt.Printf("Attaching to %s\n", strings.Join(names, ", "))
	reported := map[string]time.Time{}
	code, abort, interrupted := 0, false, false
	// scan follows new containers, queues a line for each exit and says
	// how many still run.
	scan := func() (int, error) {
		cs, err := list()
		if err != nil {
			return 0, err
		}
		running := 0
		for _, c := range cs {
			f.follow(c)
			if c.Running() {
				running++
			}
			if !c.FinishedAt.After(o.since) || reported[c.ID].Equal(c.FinishedAt) || c.Status == runtime.StatusRunning {
				continue
			}
			reported[c.ID] = c.FinishedAt
			f.after(c.ID, fmt.Sprintf("exited with code %d", c.ExitCode))
			if !c.Running() && !abort && !interrupted && (o.abortOnExit || (o.abortOnFail && c.ExitCode != 0)) {
				abort, code = true, c.ExitCode
				f.settle(c.ID)
			}
		}
		return running, nil
	}
	watchCtx, stopWatch := context.WithCancel(context.WithoutCancel(ctx)) // on while stopping, too
	defer stopWatch()
	changed := s.changes(watchCtx, 2*time.Second)
	for !abort && !interrupted {
		running, err := scan()
		if err != nil {
			return 1, err
		}
		if running == 0 || abort {
			break
		}
		select {
		case <-changed:
		case <-sigs:
			interrupted, code = true, 130
		case <-ctx.Done():
			interrupted, code = true, 130
		}
	}
	if abort || interrupted {
		if abort {
			fmt.Println("Aborting on container exit...")
		} else {
			fmt.Println("Gracefully stopping... (press Ctrl+C again to force)")
		}
		// Stop in the background, showing exits as they come; Ctrl-C
		// again kills.
		stopped := make(chan error, 1)
		kill := make(chan os.Signal, 1)
		go func() { stopped <- s.stopAll(ctx, o.scope, o.timeout, kill) }()
		for waiting := true; waiting; {
			select {
			case err := <-stopped:
				if err != nil {
					f.stop(context.WithoutCancel(ctx))
					return 1, err
				}
				waiting = false
			case sig := <-sigs:
				select {
				case kill <- sig:
				default:
				}
			case <-changed:
				scan()
			}
		}
		scan()
	}
	f.stop(context.WithoutCancel(ctx))
	if o.exitCodeFrom != "" {
		cs, err := s.containers(ctx, listOptions{services: []string{o.exitCodeFrom}, stopped: true})
		if err != nil || len(cs) == 0 {
			return 1, fmt.Errorf("exit code from service %q: it has no container", o.exitCodeFrom)
		}
		return cs[0].ExitCode, nil
	}
	return code, nil
}

// stopAll stops the services' containers, dependents first; a signal on
// sigs meanwhile kills them instead.
func (s *session) stopAll(ctx context.Context, services []string, timeout *int, sigs <-chan os.Signal) error {
	cs, err := s.containers(ctx, listOptions{services: services, stopped: true})
	if err != nil {
		return err
	}
	stopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	defer cancel()
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-stopCtx.Done():
		}
	}()
	err = s.execute(stopCtx, scheduler.PlanStop(cs, s.p.Graph, services), "Stopping", timeout)
	if stopCtx.Err() == nil || ctx.Err() != nil {
		return err
	}
	// Ctrl-C again: kill what still runs.
	kill := context.WithoutCancel(ctx)
	cs, _ = s.containers(kill, listOptions{services: services})
	for _, c := range cs {
		s.engine.Kill(kill, c.ID, syscall.SIGKILL)
		s.engine.Wait(kill, c.ID, runtime.UntilExited)
	}
	return nil
}

// attached is the services up shows the logs of: those named (else all
// in scope), narrowed by --attach and --no-attach.
func attached(scope, named, attach, noAttach []string) []string {
	out := named
	if len(out) == 0 {
		out = scope
	}
	if len(attach) > 0 {
		out = attach
	}
	return slices.DeleteFunc(slices.Clone(out), func(s string) bool { return slices.Contains(noAttach, s) })
}
