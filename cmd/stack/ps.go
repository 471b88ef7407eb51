package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/service"
)

type psFlags struct {
	all, quiet, services, noTrunc, orphans bool
	status, filter                         []string
	format                                 string
}

func newPsCommand(g *globalFlags) *cobra.Command {
	var f psFlags
	cmd := &cobra.Command{
		Use:   "ps [OPTIONS] [SERVICE...]",
		Short: "List containers",
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, flt := range f.filter {
				k, v, ok := strings.Cut(flt, "=")
				if !ok || k != "status" {
					return fmt.Errorf("ps: filter %q: only status=STATUS is supported", flt)
				}
				f.status = append(f.status, v)
			}
			ctx := cmd.Context()
			s, services, err := g.openServices(ctx, reading, args)
			if err != nil {
				return err
			}
			defer s.close()
			cs, err := s.containers(ctx, listOptions{services: services, stopped: f.all || len(f.status) > 0, oneoff: true})
			if err != nil {
				return err
			}
			cs = slices.DeleteFunc(cs, func(c runtime.State) bool {
				return (len(f.status) > 0 && !slices.Contains(f.status, string(c.Status))) || (!f.orphans && !s.known(c))
			})
			var ports func(string) []runtime.Port
			if nets, err := s.networks(nil); err == nil {
				ports = func(id string) []runtime.Port {
					p, _ := nets.Manager.Ports(ctx, id)
					return p
				}
			}
			return f.print(cmd, cs, ports)
		},
	}
	fl := cmd.Flags()
	fl.BoolVarP(&f.all, "all", "a", false, "Show all stopped containers (including those created by the run command)")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "Only display IDs")
	fl.BoolVar(&f.services, "services", false, "Display services")
	fl.BoolVar(&f.noTrunc, "no-trunc", false, "Don't truncate output")
	fl.BoolVar(&f.orphans, "orphans", true, "Include orphaned services (not declared by project)")
	fl.StringArrayVar(&f.status, "status", nil, "Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]")
	fl.StringArrayVar(&f.filter, "filter", nil, "Filter services by a property (supported filters: status).")
	fl.StringVar(&f.format, "format", "table", "Format output using a custom template: 'table', 'json' or a Go template")
	return cmd
}

func (f psFlags) print(cmd *cobra.Command, cs []runtime.State, ports func(id string) []runtime.Port) error {
	w := cmd.OutOrStdout()
	switch {
	case f.quiet:
		for _, c := range cs {
			fmt.Fprintln(w, c.ID)
		}
		return nil
	case f.services:
		var seen []string
		for _, c := range cs {
			if svc := c.Labels[service.LabelService]; !slices.Contains(seen, svc) {
				seen = append(seen, svc)
				fmt.Fprintln(w, svc)
			}
		}
		return nil
	}
	now := time.Now()
	rows := make([]psRow, 0, len(cs))
	for _, c := range cs {
		row := newPsRow(c, now)
		if ports != nil && c.Running() {
			row = row.withPorts(ports(c.ID))
		}
		rows = append(rows, row)
	}
	return printFormatted(w, f.format, rows, []string{"NAME", "IMAGE", "COMMAND", "SERVICE", "CREATED", "STATUS", "PORTS"},
		func(r psRow) []string {
			command := r.Command
			if !f.noTrunc && len([]rune(command)) > 20 {
				command = string([]rune(command)[:19]) + "…"
			}
			return []string{r.Name, r.Image, fmt.Sprintf("%q", command), r.Service, r.RunningFor, r.Status, r.Ports}
		})
}
