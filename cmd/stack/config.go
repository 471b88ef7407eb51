package main

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/project"
)

type configFlags struct {
	format                                        string
	quiet                                         bool
	services, volumes, networks, profiles, images bool
}

func newConfigCommand(g *globalFlags) *cobra.Command {
	var f configFlags
	cmd := &cobra.Command{
		Use:   "config [OPTIONS] [SERVICE...]",
		Short: "Parse, resolve and render compose file in canonical format",
		RunE: func(cmd *cobra.Command, args []string) error {
			if f.format != "yaml" && f.format != "json" {
				return fmt.Errorf("config: unsupported format %q", f.format)
			}
			p, err := g.load(cmd.Context(), args...)
			if err != nil {
				return err
			}
			if f.quiet {
				return nil
			}
			return printConfig(cmd.OutOrStdout(), p, f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.format, "format", "yaml", "Format the output. Values: [yaml | json]")
	fl.BoolVarP(&f.quiet, "quiet", "q", false, "Only validate the configuration, don't print anything")
	fl.BoolVar(&f.services, "services", false, "Print the service names, one per line")
	fl.BoolVar(&f.volumes, "volumes", false, "Print the volume names, one per line")
	fl.BoolVar(&f.networks, "networks", false, "Print the network names, one per line")
	fl.BoolVar(&f.profiles, "profiles", false, "Print the profile names, one per line")
	fl.BoolVar(&f.images, "images", false, "Print the image names, one per line")
	return cmd
}

// printConfig prints what the flags ask for, as `docker compose config` does.
func printConfig(w io.Writer, p *project.Project, f configFlags) error {
	switch {
	case f.services:
		return lines(w, p.Graph.Order())
	case f.volumes:
		return lines(w, p.VolumeNames())
	case f.networks:
		return lines(w, p.NetworkNames())
	case f.profiles:
		var names []string
		for _, s := range p.AllServices() {
			names = append(names, s.Profiles...)
		}
		sort.Strings(names)
		return lines(w, slices.Compact(names))
	case f.images:
		var images []string
		for _, name := range p.ServiceNames() {
			images = append(images, project.ImageName(p.Project, name))
		}
		return lines(w, images)
	}
	var out []byte
	var err error
	if f.format == "json" {
		out, err = p.MarshalJSON()
		out = append(out, '\n')
	} else {
		out, err = p.MarshalYAML()
	}
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	// Escaped so that the output loads again to the same project.
	_, err = w.Write(bytes.ReplaceAll(out, []byte("$"), []byte("$$")))
	return err
}

func lines(w io.Writer, names []string) error {
	if len(names) == 0 {
		return nil
	}
	_, err := io.WriteString(w, strings.Join(names, "\n")+"\n")
	return err
}
