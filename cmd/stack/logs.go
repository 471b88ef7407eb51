package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux"
)

type logsFlags struct {
	follow, timestamps, noPrefix, noColor bool
	tail, since, until                    string
	index                                 int
}

func newLogsCommand(g *globalFlags) *cobra.Command {
	var f logsFlags
	cmd := &cobra.Command{
		Use:   "logs [OPTIONS] [SERVICE...]",
		Short: "View output from containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts, err := f.options(time.Now())
			if err != nil {
				return err
			}
			ctx, stop := untilInterrupted(cmd.Context())
			defer stop()
			s, services, err := g.openServices(ctx, reading, args)
			if err != nil {
				return err
			}
			defer s.close()
			list := func() ([]runtime.State, error) {
				return s.containers(ctx, listOptions{services: services, stopped: true, index: f.index})
			}
			cs, err := list()
			if err != nil {
				return err
			}
			lp := newLogPrinter(cmd.OutOrStdout(), !f.noPrefix, !f.noColor && g.ui.colors(os.Stdout), f.timestamps)
			for _, c := range cs {
				lp.add(c.Name)
			}
			if !f.follow {
				return printLogs(ctx, s.engine, lp, opts, cs)
			}
			return followLogs(ctx, s, lp, opts, cs, list)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&f.follow, "follow", "f", false, "Follow log output")
	fl.BoolVarP(&f.timestamps, "timestamps", "t", false, "Show timestamps")
	fl.BoolVar(&f.noPrefix, "no-log-prefix", false, "Don't print prefix in logs")
	fl.BoolVar(&f.noColor, "no-color", false, "Produce monochrome output")
	fl.StringVarP(&f.tail, "tail", "n", "all", "Number of lines to show from the end of the logs for each container")
	fl.StringVar(&f.since, "since", "", "Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	fl.StringVar(&f.until, "until", "", "Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)")
	fl.IntVar(&f.index, "index", 0, "index of the container if service has multiple replicas")
	return cmd
}

// options turns the flags into the engine's, times relative to now.
func (f logsFlags) options(now time.Time) (linux.LogOptions, error) {
	o := linux.LogOptions{Tail: -1}
	if f.tail != "all" && f.tail != "" {
		n, err := strconv.Atoi(f.tail)
		if err != nil {
			return o, fmt.Errorf("logs: --tail %q: a number or all", f.tail)
		}
		o.Tail = n
	}
	var err error
	if o.Since, err = parseTime(f.since, now); err != nil {
		return o, fmt.Errorf("logs: --since: %w", err)
	}
	if o.Until, err = parseTime(f.until, now); err != nil {
		return o, fmt.Errorf("logs: --until: %w", err)
	}
	return o, nil
}

// parseTime reads a time as docker does: RFC 3339 (with or without zone
// or fraction), Unix seconds, or a duration before now.
func parseTime(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		return time.Unix(0, int64(secs*1e9)), nil
	}
	return time.Time{}, fmt.Errorf("%q is not a timestamp or a duration", s)
}

// printLogs prints what the containers have logged, merged in time order.
func printLogs(ctx context.Context, eng *linux.Engine, lp *logPrinter, opts linux.LogOptions, cs []runtime.State) error {
	type line struct {
		name  string
		entry linux.LogEntry
	}
	var lines []line
	for _, c := range cs {
		err := eng.Logs(ctx, c.ID, opts, func(e linux.LogEntry) error {
			lines = append(lines, line{c.Name, e})
			return nil
		})
		if err != nil && ctx.Err() == nil {
			return err
		}
	}
	slices.SortStableFunc(lines, func(a, b line) int { return a.entry.Time.Compare(b.entry.Time) })
	for _, l := range lines {
		lp.entry(l.name, l.entry)
	}
	return nil
}

// followLogs follows cs and the containers list finds later (scaled up,
// recreated) until Ctrl-C or until none is left.
func followLogs(ctx context.Context, s *session, lp *logPrinter, opts linux.LogOptions, cs []runtime.State, list func() ([]runtime.State, error)) error {
	f := newLogFollower(ctx, s.engine, lp, opts)
	defer f.stop(context.WithoutCancel(ctx))
	for _, c := range cs {
		f.follow(c)
	}
	later := opts
	later.Tail, later.Since = -1, time.Now()
	changed := s.changes(ctx, 2*time.Second)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-changed:
		}
		now, err := list()
		if err != nil {
			return err
		}
		for _, c := range now {
			f.followFrom(c, later)
		}
		if len(now) == 0 && f.active() == 0 {
			return nil
		}
	}
}
