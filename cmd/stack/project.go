package main

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/stackorch/stack/project"
)

// globalFlags are the flags every verb takes to find its project, as
// `docker compose` spells them.
type globalFlags struct {
	files      []string
	name       string
	projectDir string
	envFiles   []string
	profiles   []string
	root       string
	log        *slog.Logger
	ui         uiFlags // --progress, --ansi, --dry-run: see ui.go
}

func (g *globalFlags) register(cmd *cobra.Command) {
	f := cmd.PersistentFlags()
	// -f and -p are the root's own flags (read before the verb, as docker
	// compose's TraverseChildren does), so that logs -f can mean --follow
	// and run -p --publish; --file and --project-name work anywhere.
	f.StringArrayVar(&g.files, "file", nil, "Compose configuration files")
	cmd.Flags().StringArrayVarP(&g.files, "file", "f", nil, "Compose configuration files")
	f.StringVar(&g.name, "project-name", "", "Project name")
	cmd.Flags().StringVarP(&g.name, "project-name", "p", "", "Project name")
	cmd.TraverseChildren = true
	f.StringVar(&g.projectDir, "project-directory", "", "Specify an alternate working directory\n(default: the path of the, first specified, Compose file)")
	f.StringArrayVar(&g.envFiles, "env-file", nil, "Specify an alternate environment file")
	f.StringArrayVar(&g.profiles, "profile", nil, "Specify a profile to enable")
	f.StringVar(&g.root, "root", "", "Directory of stack's state (default $STACK_ROOT, else /var/lib/stack and /run/stack)")
}

// options are the loading options the flags describe.
func (g *globalFlags) options() project.Options {
	return project.Options{
		Files:            g.files,
		ProjectDirectory: g.projectDir,
		Name:             g.name,
		EnvFiles:         g.envFiles,
		Profiles:         g.profiles,
		Logger:           g.logger(),
		ValidatedCache:   filepath.Join(g.paths().Run, "validated"),
	}
}

// load loads the project and narrows it to services (and their
// dependencies) when some are named.
func (g *globalFlags) load(ctx context.Context, services ...string) (*project.Project, error) {
	p, err := project.Open(ctx, g.options())
	if err != nil {
		return nil, err
	}
	return p.Select(services...)
}

func (g *globalFlags) logger() *slog.Logger {
	if g.log == nil {
		g.log = slog.New(warnHandler{w: os.Stderr})
	}
	return g.log
}
