package project

import (
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// Environment variables that steer loading, as Docker Compose reads them.
const (
	EnvProjectName    = "COMPOSE_PROJECT_NAME"
	EnvFile           = "COMPOSE_FILE"
	EnvPathSeparator  = "COMPOSE_PATH_SEPARATOR"
	EnvProfiles       = "COMPOSE_PROFILES"
	EnvEnvFiles       = "COMPOSE_ENV_FILES"
	EnvDisableEnvFile = "COMPOSE_DISABLE_ENV_FILE"
)

// Options say which compose files to load and how, as the global flags of
// `docker compose` do. The zero value loads the project found from the
// current directory with the process environment.
type Options struct {
	Files            []string // -f, merged in order; relative to WorkingDir
	ProjectDirectory string   // --project-directory; default: the first file's directory
	Name             string   // -p; must already be a valid project name
	EnvFiles         []string // --env-file; default: COMPOSE_ENV_FILES, else <project dir>/.env
	Profiles         []string // --profile; default: COMPOSE_PROFILES
	WorkingDir       string   // where relative paths and discovery start; default os.Getwd
	Environ          []string // KEY=VALUE; nil means os.Environ()

	Logger *slog.Logger // warnings such as several candidate files; nil discards them

	// ValidatedCache, when set, is a directory where loads that passed the
	// Compose schema are remembered, so that the same inputs skip it.
	ValidatedCache string
}

// settings are Options resolved: absolute paths and the environment used
// for interpolation, with the .env files merged in.
type settings struct {
	base      string // absolute WorkingDir
	env       types.Mapping
	dir       string // absolute --project-directory, or ""
	envFiles  []string
	files     []string // absolute, in merge order ("-" is stdin)
	profiles  []string
	name      string
	log       *slog.Logger
	validated string // Options.ValidatedCache
}

func (o Options) resolve() (*settings, error) {
	s := &settings{name: o.Name, log: o.Logger, validated: o.ValidatedCache}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if err := checkName(s.name, ""); err != nil {
		return nil, err
	}
	base := o.WorkingDir
	if base == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("working directory: %w", err)
		}
		base = wd
	}
	base, err := filepath.Abs(base)
	if err != nil {
		return nil, fmt.Errorf("working directory %q: %w", o.WorkingDir, err)
	}
	s.base = base
	environ := o.Environ
	if environ == nil {
		environ = os.Environ()
	}
	s.env = types.NewMapping(environ)
	if _, ok := s.env["PWD"]; !ok {
		s.env["PWD"] = base
	}
	if o.ProjectDirectory != "" {
		s.dir = s.abs(o.ProjectDirectory)
	}
	s.envFiles = slices.Clone(o.EnvFiles)
	if len(s.envFiles) == 0 {
		s.envFiles = splitList(s.env[EnvEnvFiles], ",")
	}
	for i, f := range s.envFiles {
		s.envFiles[i] = s.abs(f)
	}
	for _, f := range o.Files {
		if f != "-" {
			f = s.abs(f)
		}
		s.files = append(s.files, f)
	}
	// As Docker Compose: read .env from the directory known so far (it may
	// set COMPOSE_FILE), find the files, then read .env of the project
	// directory they imply. Values already set win.
	if err := s.readDotEnv(); err != nil {
		return nil, err
	}
	if err := s.findFiles(); err != nil {
		return nil, err
	}
	if err := s.readDotEnv(); err != nil {
		return nil, err
	}
	if s.name == "" {
		if err := checkName(s.env[EnvProjectName], " (from "+EnvProjectName+")"); err != nil {
			return nil, err
		}
	}
	s.profiles = o.Profiles
	if len(s.profiles) == 0 {
		s.profiles = splitList(s.env[EnvProfiles], ",")
	}
	return s, nil
}

// checkName checks that a project name given as is is valid.
func checkName(name, from string) error {
	if name != "" && loader.NormalizeProjectName(name) != name {
		return fmt.Errorf("%w %q%s: must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number", ErrProjectName, name, from)
	}
	return nil
}

// abs makes p absolute against the working directory.
func (s *settings) abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(s.base, p)
}

// workDir is the project directory: --project-directory, else the first
// file's directory, else the working directory.
func (s *settings) workDir() string {
	if s.dir != "" {
		return s.dir
	}
	for _, f := range s.files {
		if f != "-" {
			return filepath.Dir(f)
		}
	}
	return s.base
}

// readDotEnv merges the --env-file files, or the project directory's .env
// if there is one, into the environment without overriding what is set.
func (s *settings) readDotEnv() error {
	files := s.envFiles
	if len(files) == 0 {
		if off, _ := strconv.ParseBool(s.env[EnvDisableEnvFile]); off {
			return nil
		}
		dotenv := filepath.Join(s.workDir(), ".env")
		if fi, err := os.Stat(dotenv); err != nil || !fi.Mode().IsRegular() {
			return nil
		}
		files = []string{dotenv}
	}
	for _, f := range files {
		if fi, err := os.Stat(f); err != nil {
			return fmt.Errorf("read env file %q: %w", s.rel(f), ErrNotFound)
		} else if fi.IsDir() {
			return fmt.Errorf("read env file %q: is a directory", s.rel(f))
		}
	}
	// One call, so that a later file overrides an earlier one.
	vars, err := dotenv.GetEnvFromFile(s.env, files)
	if err != nil {
		msg := err.Error()
		for _, f := range files {
			if cause, ok := strings.CutPrefix(msg, "failed to read "+f+": "); ok {
				return fmt.Errorf("read env file %q: %s", s.rel(f), cause)
			}
		}
		return fmt.Errorf("read env file: %s", msg)
	}
	s.env.Merge(vars)
	return nil
}

// splitList splits a list variable, dropping empty entries and spaces.
func splitList(v, sep string) []string {
	var out []string
	for _, e := range strings.Split(v, sep) {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}
