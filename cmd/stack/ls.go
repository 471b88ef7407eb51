package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/service"
)

// lsRow is one project as `docker compose ls --format json` prints it.
type lsRow struct {
	Name        string
	Status      string
	ConfigFiles string
}

func newLsCommand(g *globalFlags) *cobra.Command {
	var all, quiet bool
	var format string
	var filters []string
	cmd := &cobra.Command{
		Use:   "ls [OPTIONS]",
		Short: "List running compose projects",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var nameFilter []string
			for _, f := range filters {
				k, v, ok := strings.Cut(f, "=")
				if !ok || k != "name" {
					return fmt.Errorf("ls: filter %q: only name=NAME is supported", f)
				}
				nameFilter = append(nameFilter, v)
			}
			eng, err := g.engine()
			if err != nil {
				return err
			}
			cs, err := eng.List(cmd.Context(), nil)
			if err != nil {
				return err
			}
			counts := map[string]map[string]int{}
			files := map[string]string{}
			running := map[string]bool{}
			for _, c := range cs {
				p := c.Labels[service.LabelProject]
				if p == "" || (len(nameFilter) > 0 && !slices.ContainsFunc(nameFilter, func(n string) bool { return strings.Contains(p, n) })) {
					continue
				}
				if counts[p] == nil {
					counts[p] = map[string]int{}
				}
				counts[p][string(c.Status)]++
				files[p] = c.Labels[service.LabelConfigFiles]
				running[p] = running[p] || c.Running()
			}
			rows := []lsRow{}
			for _, p := range slices.Sorted(maps.Keys(counts)) {
				if !all && !running[p] {
					continue
				}
				var status []string
				for _, st := range slices.Sorted(maps.Keys(counts[p])) {
					status = append(status, fmt.Sprintf("%s(%d)", st, counts[p][st]))
				}
				rows = append(rows, lsRow{Name: p, Status: strings.Join(status, ", "), ConfigFiles: files[p]})
			}
			w := cmd.OutOrStdout()
			switch {
			case quiet:
				for _, r := range rows {
					fmt.Fprintln(w, r.Name)
				}
				return nil
			case format == "json":
				return json.NewEncoder(w).Encode(rows)
			}
			return printFormatted(w, format, rows, []string{"NAME", "STATUS", "CONFIG FILES"},
				func(r lsRow) []string { return []string{r.Name, r.Status, r.ConfigFiles} })
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "Show all stopped Compose projects")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display project names")
	cmd.Flags().StringVar(&format, "format", "table", "Format the output. Values: [table | json]")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "Filter output based on conditions provided")
	return cmd
}
