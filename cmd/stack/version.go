package main

import (
	"fmt"
	goruntime "runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...";
// otherwise the module's version or VCS revision stands in.
var version = ""

func versionString() string {
	if version != "" {
		return version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	if v := info.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	rev, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "dev"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return "dev-" + rev
}

func newVersionCommand() *cobra.Command {
	var short bool
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Show the stack version information",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v := versionString()
			switch {
			case short:
				fmt.Fprintln(cmd.OutOrStdout(), v)
			case format == "json":
				fmt.Fprintf(cmd.OutOrStdout(), "{\"version\":%q}\n", v)
			default:
				fmt.Fprintf(cmd.OutOrStdout(), "stack version %s (%s, %s/%s)\n", v, goruntime.Version(), goruntime.GOOS, goruntime.GOARCH)
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&short, "short", false, "Show only the version number")
	cmd.Flags().StringVarP(&format, "format", "", "", "Format the output: json")
	return cmd
}
