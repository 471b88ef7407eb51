package project

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// Project is a loaded compose project with its checked dependency graph.
// Open returns one; Select narrows it to some services.
type Project struct {
	*types.Project
	Graph *Graph
}

// Load loads the project o describes, resolved as `docker compose config`
// prints it: files merged, variables interpolated, env_file read into
// environment, paths absolute, profiles applied, unused networks and volumes
// dropped. It builds the dependency graph too, so a cycle or a dependency on
// an unknown service fails here. Use Open to keep the graph.
func Load(ctx context.Context, o Options) (*types.Project, error) {
	p, err := Open(ctx, o)
	if err != nil {
		return nil, err
	}
	return p.Project, nil
}

// Open is Load that returns the graph with the project.
func Open(ctx context.Context, o Options) (*Project, error) {
	s, err := o.resolve()
	if err != nil {
		return nil, err
	}
	details, err := s.read()
	if err != nil {
		return nil, err
	}
	p, err := s.load(ctx, details)
	if err != nil {
		return nil, err
	}
	if err := uniqueContainerNames(p); err != nil {
		return nil, s.explain(ctx, err, details, s.loaderOptions(false))
	}
	p = p.WithoutUnnecessaryResources()
	g, err := NewGraph(p)
	if err != nil {
		return nil, s.place(details, err)
	}
	return &Project{Project: p, Graph: g}, nil
}

// uniqueContainerNames checks that no two services set the same
// container_name, as docker compose config does.
func uniqueContainerNames(p *types.Project) error {
	owner := map[string]string{}
	for _, name := range p.ServiceNames() {
		c := p.Services[name].ContainerName
		if first, ok := owner[c]; ok && c != "" {
			return fmt.Errorf("services.%s.container_name: %q is already the container name of service %q", name, c, first)
		}
		owner[c] = name
	}
	return nil
}

// read reads the compose files into memory, refusing one past the limits
// (limits.go).
func (s *settings) read() (*types.ConfigDetails, error) {
	d := &types.ConfigDetails{WorkingDir: s.workDir(), Environment: s.env}
	for _, f := range s.files {
		b, err := s.readFile(f)
		if err != nil {
			return nil, err
		}
		if err := s.checkCommands(f, b); err != nil {
			return nil, err
		}
		d.ConfigFiles = append(d.ConfigFiles, types.ConfigFile{Filename: f, Content: b})
	}
	return d, nil
}

// readFile reads one compose file, or stdin for "-", up to MaxFileSize.
func (s *settings) readFile(f string) ([]byte, error) {
	r := io.Reader(os.Stdin)
	if f != "-" {
		if err := regularFile(f); err != nil {
			return nil, fmt.Errorf("read compose file %q: %w", s.rel(f), err)
		}
		file, err := os.Open(f)
		if err != nil {
			return nil, fmt.Errorf("read compose file %q: %w", s.rel(f), err)
		}
		defer file.Close()
		if fi, err := file.Stat(); err == nil {
			if err := s.checkSize(f, fi.Size()); err != nil {
				return nil, err
			}
		}
		r = file
	}
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read compose file %q: %w", s.display(f), err)
	}
	if err := s.checkSize(f, int64(len(b))); err != nil {
		if f == "-" {
			return nil, &FileError{File: s.display(f), Msg: fmt.Sprintf("more than %d bytes (1 MiB), the most stack reads in a compose file", MaxFileSize)}
		}
		return nil, err
	}
	return b, nil
}

// load runs compose-go on details. Its consistency check also reports
// unknown dependencies and cycles; when it fails, the graph is built from
// an unchecked load so that those come out in our words.
func (s *settings) load(ctx context.Context, d *types.ConfigDetails) (*types.Project, error) {
	key := s.validationKey(d)
	opts := s.loaderOptions(false)
	passed := s.passed(key)
	if passed {
		opts = append(opts, loader.WithSkipValidation)
	}
	p, err := loader.LoadWithContext(ctx, *d, opts...)
	if err == nil {
		for _, f := range d.ConfigFiles {
			p.ComposeFiles = append(p.ComposeFiles, f.Filename)
		}
		if !passed {
			s.remember(key)
		}
		return p, nil
	}
	if err.Error() == "project name must not be empty" {
		return nil, fmt.Errorf("%w: directory %q gives no name: set one with -p, %s or name:", ErrProjectName, filepath.Base(s.workDir()), EnvProjectName)
	}
	if unchecked, err2 := loader.LoadWithContext(ctx, *d, s.loaderOptions(true)...); err2 == nil {
		if _, gerr := NewGraph(unchecked); gerr != nil {
			return nil, s.place(d, gerr)
		}
	}
	return nil, s.explain(ctx, err, d, s.loaderOptions(false))
}

// place puts a dependency error at the depends_on of its service, or at
// the service, in the file that defines it.
func (s *settings) place(d *types.ConfigDetails, err error) error {
	var de *DependencyError
	if !errors.As(err, &de) {
		return err
	}
	fe := &FileError{File: s.display(d.ConfigFiles[0].Filename), Msg: err.Error(), Err: de.Err}
	for _, path := range []string{"services." + de.Service + ".depends_on", "services." + de.Service} {
		if file, line := s.search(d, path, problem{keyLine: true}); file != "" {
			fe.File, fe.Line, fe.Path = s.display(file), line, path
			break
		}
	}
	return fe
}

func (s *settings) loaderOptions(skipConsistency bool) []func(*loader.Options) {
	return []func(*loader.Options){
		func(lo *loader.Options) {
			lo.SkipConsistencyCheck = skipConsistency
			lo.Profiles = s.profiles
			lo.ResolvePaths = true
			switch {
			case s.name != "":
				lo.SetProjectName(s.name, true)
			case s.env[EnvProjectName] != "":
				lo.SetProjectName(s.env[EnvProjectName], true)
			default:
				// A name: in a file, read by the loader, wins over this.
				lo.SetProjectName(loader.NormalizeProjectName(filepath.Base(s.workDir())), false)
			}
		},
		loader.WithDiscardEnvFiles,
	}
}

// rel names path for messages: relative to the working directory when it
// is inside it, else absolute.
func (s *settings) rel(path string) string {
	if r, err := filepath.Rel(s.base, path); err == nil && filepath.IsLocal(r) {
		return r
	}
	return path
}
