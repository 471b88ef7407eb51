package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/service"
)

// event is one container event, as `docker compose events --json` prints it.
type event struct {
	Time       time.Time         `json:"time"`
	Type       string            `json:"type"`
	Action     string            `json:"action"`
	ID         string            `json:"id"`
	Service    string            `json:"service"`
	Attributes map[string]string `json:"attributes"`
}

func newEventsCommand(g *globalFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "events [OPTIONS] [SERVICE...]",
		Short: "Receive real time events from containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, stop := untilInterrupted(cmd.Context())
			defer stop()
			s, services, err := g.openServices(ctx, reading, args)
			if err != nil {
				return err
			}
			defer s.close()
			list := func() ([]runtime.State, error) {
				return s.containers(ctx, listOptions{services: services, stopped: true, oneoff: true})
			}
			changed, err := s.engine.Watch(ctx)
			if err != nil {
				return err
			}
			return watchEvents(ctx, list, changed, func(e event) { printEvent(cmd.OutOrStdout(), e, asJSON) })
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "Output events as a stream of json objects")
	return cmd
}

// watchEvents looks at the containers each time changed says they may
// have changed (and every few seconds besides) and reports what changed
// since: create, start, die, pause, unpause, health_status, destroy.
func watchEvents(ctx context.Context, list func() ([]runtime.State, error), changed <-chan struct{}, emit func(event)) error {
	cs, err := list()
	if err != nil {
		return err
	}
	seen := map[string]runtime.State{}
	for _, c := range cs {
		seen[c.ID] = c
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case _, ok := <-changed:
			if !ok {
				changed = nil // the watch ended: looking every few seconds is left
			}
		case <-time.After(2 * time.Second):
		}
		cs, err := list()
		if err != nil {
			return err
		}
		now := map[string]runtime.State{}
		for _, c := range cs {
			now[c.ID] = c
			for _, action := range changes(seen[c.ID], c) {
				emit(newEvent(c, action))
			}
		}
		for _, id := range slices.Sorted(maps.Keys(seen)) {
			if _, ok := now[id]; !ok {
				emit(newEvent(seen[id], "destroy"))
			}
		}
		seen = now
	}
}

// changes lists what happened between two looks at a container; was is
// the zero State for a container not seen before.
func changes(was, is runtime.State) []string {
	var out []string
	if was.ID == "" {
		out = append(out, "create")
	}
	ran := !was.StartedAt.IsZero() && was.StartedAt.Equal(is.StartedAt)
	if !is.StartedAt.IsZero() && !ran {
		out = append(out, "start")
	}
	if !is.FinishedAt.IsZero() && !is.FinishedAt.Equal(was.FinishedAt) && (was.ID != "" || !is.Running()) {
		out = append(out, "die")
	}
	switch {
	case is.Status == runtime.StatusPaused && was.Status != runtime.StatusPaused:
		out = append(out, "pause")
	case was.Status == runtime.StatusPaused && is.Status == runtime.StatusRunning:
		out = append(out, "unpause")
	}
	if is.Health != was.Health && is.Health != runtime.HealthNone {
		out = append(out, "health_status: "+string(is.Health))
	}
	return out
}

func newEvent(c runtime.State, action string) event {
	attrs := map[string]string{"name": c.Name, "image": c.Image}
	if action == "die" {
		attrs["exitCode"] = fmt.Sprint(c.ExitCode)
	}
	return event{Time: time.Now(), Type: "container", Action: action, ID: c.ID, Service: c.Labels[service.LabelService], Attributes: attrs}
}

func printEvent(w io.Writer, e event, asJSON bool) {
	if asJSON {
		json.NewEncoder(w).Encode(e)
		return
	}
	var attrs []string
	for _, k := range slices.Sorted(maps.Keys(e.Attributes)) {
		attrs = append(attrs, k+"="+e.Attributes[k])
	}
	fmt.Fprintf(w, "%s container %s %s (%s)\n", e.Time.Format("2006-01-02 15:04:05.000000"), e.Action, e.ID, strings.Join(attrs, ", "))
}
