package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/scheduler"
	"github.com/stackorch/stack/service"
	"github.com/stackorch/stack/volume"
)

// newVolumeCommand is `stack volume`: ls, inspect, create, rm, prune.
func newVolumeCommand(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{Use: "volume", Short: "Manage volumes"}
	cmd.AddCommand(newVolumeLsCommand(g), newVolumeInspectCommand(g), newVolumeCreateCommand(g),
		newVolumeRmCommand(g), newVolumePruneCommand(g))
	return cmd
}

// volumeRow is one volume as `docker volume ls --format json` prints it.
type volumeRow struct {
	Driver, Labels, Links, Mountpoint, Name, Scope, Size string
}

func newVolumeLsCommand(g *globalFlags) *cobra.Command {
	var quiet bool
	var format string
	var filters []string
	cmd := &cobra.Command{
		Use:     "ls [OPTIONS]",
		Aliases: []string{"list"},
		Short:   "List volumes",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			want := map[string]string{}
			var names []string
			for _, f := range filters {
				k, v, ok := strings.Cut(f, "=")
				switch {
				case ok && k == "label":
					lk, lv, _ := strings.Cut(v, "=")
					want[lk] = lv
				case ok && k == "name":
					names = append(names, v)
				default:
					return fmt.Errorf("volume ls: filter %q: use label=KEY=VALUE or name=NAME", f)
				}
			}
			vols, err := g.volumes()
			if err != nil {
				return err
			}
			list, err := vols.List(want)
			if err != nil {
				return err
			}
			var rows []volumeRow
			for _, v := range list {
				if len(names) > 0 && !slices.ContainsFunc(names, func(n string) bool { return strings.Contains(v.Name, n) }) {
					continue
				}
				rows = append(rows, volumeRow{Driver: v.Driver, Labels: labelList(v.Labels), Links: "N/A",
					Mountpoint: v.Mountpoint, Name: v.Name, Scope: v.Scope, Size: "N/A"})
			}
			if quiet {
				for _, r := range rows {
					fmt.Fprintln(cmd.OutOrStdout(), r.Name)
				}
				return nil
			}
			return printFormatted(cmd.OutOrStdout(), format, rows, []string{"DRIVER", "VOLUME NAME"},
				func(r volumeRow) []string { return []string{r.Driver, r.Name} })
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "Only display volume names")
	cmd.Flags().StringVar(&format, "format", "table", "Format output: table, json or a Go template")
	cmd.Flags().StringArrayVarP(&filters, "filter", "f", nil, "Provide filter values (e.g. 'label=com.docker.compose.project=demo')")
	return cmd
}

func newVolumeInspectCommand(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "inspect VOLUME [VOLUME...]",
		Short: "Display detailed information on one or more volumes",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			vols, err := g.volumes()
			if err != nil {
				return err
			}
			return printInspect(cmd.OutOrStdout(), args, vols.Get)
		},
	}
}

func newVolumeCreateCommand(g *globalFlags) *cobra.Command {
	var labels []string
	cmd := &cobra.Command{
		Use:   "create [OPTIONS] VOLUME",
		Short: "Create a volume",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			vols, err := g.volumes()
			if err != nil {
				return err
			}
			l := map[string]string{}
			for _, kv := range labels {
				k, v, _ := strings.Cut(kv, "=")
				l[k] = v
			}
			v, _, err := vols.Create(cmd.Context(), args[0], volume.Options{Labels: l})
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), v.Name)
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&labels, "label", "l", nil, "Set metadata for a volume")
	return cmd
}

func newVolumeRmCommand(g *globalFlags) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:     "rm [OPTIONS] VOLUME [VOLUME...]",
		Aliases: []string{"remove"},
		Short:   "Remove one or more volumes",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, vols, err := g.engineVolumes()
			if err != nil {
				return err
			}
			removed, err := scheduler.RemoveVolumes(cmd.Context(), eng, vols, args)
			for _, name := range removed {
				fmt.Fprintln(cmd.OutOrStdout(), name)
			}
			if force && errors.Is(err, volume.ErrNotFound) && !errors.Is(err, scheduler.ErrVolumeInUse) {
				return nil
			}
			return err
		},
	}
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Do not error when a volume does not exist")
	return cmd
}

func newVolumePruneCommand(g *globalFlags) *cobra.Command {
	var all, force bool
	var filters []string
	cmd := &cobra.Command{
		Use:   "prune [OPTIONS]",
		Short: "Remove unused local volumes",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			project := ""
			for _, f := range filters {
				v, ok := strings.CutPrefix(f, "label="+service.LabelProject+"=")
				if !ok {
					return fmt.Errorf("volume prune: filter %q: only label=%s=PROJECT is supported", f, service.LabelProject)
				}
				project = v
			}
			eng, vols, err := g.engineVolumes()
			if err != nil {
				return err
			}
			names, err := scheduler.UnusedVolumes(cmd.Context(), eng, vols, all)
			if err != nil {
				return err
			}
			if project != "" {
				mine, _ := scheduler.ProjectVolumes(vols, project)
				names = slices.DeleteFunc(names, func(n string) bool { return !slices.Contains(mine, n) })
			}
			removed, err := scheduler.RemoveVolumes(cmd.Context(), eng, vols, names)
			w := cmd.OutOrStdout()
			if len(removed) > 0 {
				fmt.Fprintln(w, "Deleted Volumes:")
				for _, n := range removed {
					fmt.Fprintln(w, n)
				}
				fmt.Fprintln(w)
			}
			fmt.Fprintln(w, "Total reclaimed space: 0B")
			return err
		},
	}
	cmd.Flags().BoolVarP(&all, "all", "a", false, "Remove all unused volumes, not just anonymous ones")
	cmd.Flags().BoolVarP(&force, "force", "f", false, "Do not prompt for confirmation")
	cmd.Flags().StringArrayVar(&filters, "filter", nil, "Provide filter values (e.g. 'label=com.docker.compose.project=demo')")
	return cmd
}
