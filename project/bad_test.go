package project

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// Each bad input fails with one line that names the file (and the line
// where it can be found), and with the package's sentinel.
func TestLoadBadInputGivesOneLineNamingTheFile(t *testing.T) {
	cases := []struct {
		name string
		dir  string
		opts Options
		env  []string
		want string
		is   error
	}{
		{name: "unreadable YAML", dir: "bad/yaml", is: ErrInvalid,
			want: `compose.yaml:4: yaml: did not find expected key (while parsing a block mapping at line 2)`},
		{name: "tab indentation", dir: "bad/tab", is: ErrInvalid,
			want: `compose.yaml:3: yaml: a tab indents this line; YAML indents with spaces only`},
		{name: "unknown key in a service", dir: "bad/unknownkey", is: ErrInvalid,
			want: `compose.yaml:5: services.web: unknown key "imagee"`},
		{name: "unknown top-level key", dir: "bad/unknowntop", is: ErrInvalid,
			want: `compose.yaml:4: unknown key "servics"`},
		{name: "wrong type", dir: "bad/wrongtype", is: ErrInvalid,
			want: `compose.yaml:4: services.web.ports: must be a list`},
		{name: "value that does not decode", dir: "bad/decode", is: ErrInvalid,
			want: `compose.yaml:4: services.web.mem_limit: invalid size: 'lots'`},
		{name: "missing required variable", dir: "bad/required", is: ErrInvalid,
			want: `compose.yaml:5: services.web.environment.TOKEN: required variable API_TOKEN is missing a value: set API_TOKEN to your token`},
		{name: "missing required variable in a list item", dir: "bad/requiredlist", is: ErrInvalid,
			want: `compose.yaml:6: services.web.command: required variable TOKEN is missing a value`},
		{name: "unknown key in a second YAML document", dir: "bad/multidoc", is: ErrInvalid,
			want: `compose.yaml:7: services.db: unknown key "imag"`},
		{name: "missing env_file", dir: "bad/envfile", is: ErrInvalid,
			want: `compose.yaml: env file "nope.env": not found`},
		{name: "error in the override file names the override file", dir: "bad/override", is: ErrInvalid,
			want: `compose.override.yaml:7: services.web.healthcheck.retries: "many" is not a number`},
		{name: "error in an included file names the included file", dir: "bad/include", is: ErrInvalid,
			want: `inc/compose.yaml:4: services.db.volumes: must be a list`},
		{name: "missing -f file", dir: "bad/wrongtype", opts: Options{Files: []string{"nope.yaml"}}, is: ErrNotFound,
			want: `read compose file "nope.yaml": not found`},
		{name: "missing COMPOSE_FILE file", dir: "composefile", env: []string{"COMPOSE_FILE=a.yaml:nope.yaml"}, is: ErrNotFound,
			want: `compose file "nope.yaml" set by COMPOSE_FILE: not found`},
		{name: "missing --env-file", dir: "dotenv", opts: Options{EnvFiles: []string{"nope.env"}}, is: ErrNotFound,
			want: `read env file "nope.env": not found`},
		{name: "invalid -p", dir: "named", opts: Options{Name: "Bad.Name"}, is: ErrProjectName,
			want: `invalid project name "Bad.Name": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`},
		{name: "invalid COMPOSE_PROJECT_NAME", dir: "named", env: []string{"COMPOSE_PROJECT_NAME=My App"}, is: ErrProjectName,
			want: `invalid project name "My App" (from COMPOSE_PROJECT_NAME): must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`},
		{name: "directory whose name normalises to nothing", dir: "bad/__", is: ErrProjectName,
			want: `invalid project name: directory "__" gives no name: set one with -p, COMPOSE_PROJECT_NAME or name:`},
		{name: "two services with one container_name", dir: "bad/containername", is: ErrInvalid,
			want: `compose.yaml:7: services.b.container_name: "same" is already the container name of service "a"`},
		{name: "dependency cycle", dir: "bad/cycle", is: ErrCycle,
			want: `compose.yaml:4: services.a.depends_on: dependency cycle: a -> b -> a`},
		{name: "dependency on an unknown service", dir: "bad/unknowndep", is: ErrUnknownService,
			want: `compose.yaml:4: services.web.depends_on: service "web" depends on undefined service "db"`},
		{name: "dependency on a service its profile disables", dir: "bad/disableddep",
			want: `compose.yaml:4: services.web.depends_on: service "web" depends on service "db", which is disabled by its profiles: enable it with --profile`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.opts
			o.WorkingDir = filepath.Join("testdata", c.dir)
			o.Environ = append([]string{}, c.env...)
			_, err := Load(context.Background(), o)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if err.Error() != c.want {
				t.Errorf("error\n got: %s\nwant: %s", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans several lines: %q", err)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, c.is)
			}
		})
	}
}

func TestLoadWithoutAnyComposeFileSaysSo(t *testing.T) {
	dir := t.TempDir()
	_, err := Load(context.Background(), Options{WorkingDir: dir, Environ: []string{}})
	if !errors.Is(err, ErrNoConfig) {
		t.Fatalf("err = %v, want ErrNoConfig", err)
	}
	if !strings.Contains(err.Error(), dir) {
		t.Errorf("err = %v, want it to name where the search started", err)
	}
}

func TestFileErrorLocatesTheWrongValueInTheFileThatSetsIt(t *testing.T) {
	// The type error is in the second -f file: the message names it and its line.
	_, err := Load(context.Background(), Options{
		WorkingDir: "testdata/bad/override",
		Files:      []string{"compose.yaml", "compose.override.yaml"},
		Environ:    []string{},
	})
	var fe *FileError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v, want a *FileError", err)
	}
	if fe.File != "compose.override.yaml" || fe.Line != 7 || fe.Path != "services.web.healthcheck.retries" {
		t.Errorf("located at %s:%d %s, want compose.override.yaml:7 services.web.healthcheck.retries", fe.File, fe.Line, fe.Path)
	}
}
