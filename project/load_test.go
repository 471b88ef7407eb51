package project

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// loadCase loads testdata/<dir> (from testdata/<dir>/<cwd> when set) with
// opts and the environment env only, then checks the project.
type loadCase struct {
	name  string
	dir   string
	cwd   string
	opts  Options
	env   []string
	check func(t *testing.T, p *Project)
}

func TestLoadFixtures(t *testing.T) {
	cases := []loadCase{
		{name: "several -f merge in order", dir: "merge", opts: Options{Files: []string{"compose.yaml", "extra.yaml"}},
			check: func(t *testing.T, p *Project) {
				wantImage(t, p, "web", "web:2")
				wantEnv(t, p, "web", map[string]string{"A": "1", "B": "2"})
				if n := len(p.Services["web"].Ports); n != 2 {
					t.Errorf("web has %d ports, want 2 (merged)", n)
				}
				wantServices(t, p, "db", "web")
			}},
		{name: "-f order decides which value wins", dir: "merge", opts: Options{Files: []string{"extra.yaml", "compose.yaml"}},
			check: func(t *testing.T, p *Project) { wantImage(t, p, "web", "web:1") }},
		{name: "override file found beside compose.yaml is merged", dir: "override",
			check: func(t *testing.T, p *Project) {
				wantImage(t, p, "web", "web:override")
				wantServices(t, p, "debug", "web")
				if got := p.Services["web"].Command; !slices.Equal(got, []string{"serve"}) {
					t.Errorf("command = %q, want the base file's [serve]", got)
				}
				want := []string{abs(t, "override/compose.yaml"), abs(t, "override/compose.override.yml")}
				if !slices.Equal(p.ComposeFiles, want) {
					t.Errorf("compose files = %q, want %q", p.ComposeFiles, want)
				}
			}},
		{name: "-f turns off override discovery", dir: "override", opts: Options{Files: []string{"compose.yaml"}},
			check: func(t *testing.T, p *Project) {
				wantImage(t, p, "web", "web:base")
				wantServices(t, p, "web")
			}},
		{name: "discovery walks up from a subdirectory", dir: "walkup", cwd: "a/b",
			check: func(t *testing.T, p *Project) {
				wantName(t, p, "walkup")
				if p.WorkingDir != abs(t, "walkup") {
					t.Errorf("working dir = %q, want the compose file's directory", p.WorkingDir)
				}
				if got := p.Services["web"].Volumes[0].Source; got != abs(t, "walkup/html") {
					t.Errorf("bind source = %q, want it absolute against the project directory", got)
				}
			}},
		{name: "name from the directory is normalised", dir: "My_App.v2",
			check: func(t *testing.T, p *Project) { wantName(t, p, "my_appv2") }},
		{name: "name from top-level name: is normalised", dir: "named",
			check: func(t *testing.T, p *Project) { wantName(t, p, "top_namev1") }},
		{name: "COMPOSE_PROJECT_NAME beats name:", dir: "named", env: []string{"COMPOSE_PROJECT_NAME=from-env"},
			check: func(t *testing.T, p *Project) { wantName(t, p, "from-env") }},
		{name: "-p beats COMPOSE_PROJECT_NAME", dir: "named", opts: Options{Name: "from-flag"}, env: []string{"COMPOSE_PROJECT_NAME=from-env"},
			check: func(t *testing.T, p *Project) { wantName(t, p, "from-flag") }},
		{name: "COMPOSE_PROJECT_NAME in .env beats name:", dir: "dotenv-name",
			check: func(t *testing.T, p *Project) { wantName(t, p, "from-dotenv") }},
		{name: ".env feeds interpolation", dir: "dotenv",
			check: func(t *testing.T, p *Project) {
				wantImage(t, p, "web", "nginx:from-dotenv")
				wantEnv(t, p, "web", map[string]string{"FROM_DOTENV": "yes", "FROM_ALT": "unset"})
			}},
		{name: "process environment beats .env", dir: "dotenv", env: []string{"TAG=from-os"},
			check: func(t *testing.T, p *Project) { wantImage(t, p, "web", "nginx:from-os") }},
		{name: "--env-file replaces .env", dir: "dotenv", opts: Options{EnvFiles: []string{"alt.env"}},
			check: func(t *testing.T, p *Project) {
				wantImage(t, p, "web", "nginx:from-alt")
				wantEnv(t, p, "web", map[string]string{"FROM_DOTENV": "unset", "FROM_ALT": "yes"})
			}},
		{name: "a later --env-file wins", dir: "dotenv", opts: Options{EnvFiles: []string{"alt.env", "alt2.env"}},
			check: func(t *testing.T, p *Project) {
				wantImage(t, p, "web", "nginx:from-alt2")
				wantEnv(t, p, "web", map[string]string{"FROM_ALT": "yes"})
			}},
		{name: "COMPOSE_ENV_FILES stands for --env-file", dir: "dotenv", env: []string{"COMPOSE_ENV_FILES=alt.env"},
			check: func(t *testing.T, p *Project) { wantImage(t, p, "web", "nginx:from-alt") }},
		{name: "the working directory's .env wins over the project's", dir: "nested", cwd: "sub",
			check: func(t *testing.T, p *Project) {
				if got := p.Services["echo"].Command; !slices.Equal(got, []string{"echo", "root", "sub", "win=sub"}) {
					t.Errorf("command = %q, want [echo root sub win=sub] as docker compose gives", got)
				}
			}},
		{name: "interpolation defaults, required, alternatives and $$", dir: "interpolation", env: []string{"SET=given", "EMPTY="},
			check: func(t *testing.T, p *Project) {
				wantImage(t, p, "web", "nginx:latest")
				wantEnv(t, p, "web", map[string]string{
					"SET": "given", "EMPTY_DEFAULT": "fallback", "EMPTY_KEPT": "", "ALT": "alternative",
					"LITERAL": "$HOME", "BRACED": "${NOT_A_VAR}",
				})
			}},
		{name: "services without a profile only, by default", dir: "profiles",
			check: func(t *testing.T, p *Project) {
				wantServices(t, p, "web")
				if len(p.DisabledServices) != 3 {
					t.Errorf("disabled = %v, want the three profiled services", p.DisabledServiceNames())
				}
			}},
		{name: "--profile enables its services", dir: "profiles", opts: Options{Profiles: []string{"debug"}},
			check: func(t *testing.T, p *Project) { wantServices(t, p, "debug", "tools", "web") }},
		{name: "COMPOSE_PROFILES enables its services", dir: "profiles", env: []string{"COMPOSE_PROFILES=metrics, tools"},
			check: func(t *testing.T, p *Project) { wantServices(t, p, "metrics", "tools", "web") }},
		{name: "--profile beats COMPOSE_PROFILES", dir: "profiles", opts: Options{Profiles: []string{"debug"}}, env: []string{"COMPOSE_PROFILES=metrics"},
			check: func(t *testing.T, p *Project) { wantServices(t, p, "debug", "tools", "web") }},
		{name: "profile * enables every service", dir: "profiles", opts: Options{Profiles: []string{"*"}},
			check: func(t *testing.T, p *Project) { wantServices(t, p, "debug", "metrics", "tools", "web") }},
		{name: "extends from another file and the same file", dir: "extends",
			check: func(t *testing.T, p *Project) {
				wantImage(t, p, "api", "app:common")
				wantEnv(t, p, "api", map[string]string{"COMMON": "1", "API": "1"})
				if p.Services["api"].Labels["tier"] != "backend" {
					t.Errorf("api labels = %v, want tier=backend from common.yaml", p.Services["api"].Labels)
				}
				wantImage(t, p, "worker", "app:local")
				if p.Services["worker"].Restart != "always" {
					t.Errorf("worker restart = %q, want always from local-base", p.Services["worker"].Restart)
				}
			}},
		{name: "include brings services with their own .env and paths", dir: "include",
			check: func(t *testing.T, p *Project) {
				wantServices(t, p, "db", "web")
				wantImage(t, p, "db", "postgres:16")
				if got := p.Services["db"].Volumes[0].Source; got != abs(t, "include/inc/data") {
					t.Errorf("db bind source = %q, want it against the included file's directory", got)
				}
				if got := p.Graph.Order(); !slices.Equal(got, []string{"db", "web"}) {
					t.Errorf("order = %q, want [db web]", got)
				}
			}},
		{name: "COMPOSE_FILE lists the files", dir: "composefile", env: []string{"COMPOSE_FILE=a.yaml:b.yaml"},
			check: func(t *testing.T, p *Project) {
				wantImage(t, p, "web", "web:b")
				wantServices(t, p, "extra", "web")
			}},
		{name: "COMPOSE_PATH_SEPARATOR splits COMPOSE_FILE", dir: "composefile", env: []string{"COMPOSE_FILE=b.yaml;a.yaml", "COMPOSE_PATH_SEPARATOR=;"},
			check: func(t *testing.T, p *Project) { wantImage(t, p, "web", "web:a") }},
		{name: ".env may set COMPOSE_FILE, and that file's .env is read too", dir: "dotenv-composefile",
			check: func(t *testing.T, p *Project) {
				wantImage(t, p, "backend", "backend:latest")
				wantName(t, p, "development")
			}},
		{name: "--project-directory holds .env and anchors paths", dir: "projectdir",
			opts: Options{Files: []string{"files/compose.yaml"}, ProjectDirectory: "elsewhere"},
			check: func(t *testing.T, p *Project) {
				wantImage(t, p, "web", "nginx:from-elsewhere")
				wantName(t, p, "elsewhere")
				if got := p.Services["web"].Volumes[0].Source; got != abs(t, "projectdir/elsewhere/site") {
					t.Errorf("bind source = %q, want it against the project directory", got)
				}
			}},
		{name: "env_file is read into environment and dropped", dir: "envfile",
			check: func(t *testing.T, p *Project) {
				wantEnv(t, p, "web", map[string]string{"FROM_FILE": "1", "OVERRIDDEN": "from-environment", "REFERS": "1-x"})
				if ef := p.Services["web"].EnvFiles; len(ef) != 0 {
					t.Errorf("env_file = %v, want it resolved away as docker compose config does", ef)
				}
			}},
		{name: "env_file format raw takes values as they are", dir: "rawenv", env: []string{"PASSED=from-env"},
			check: func(t *testing.T, p *Project) {
				wantEnv(t, p, "web", map[string]string{"QUOTED": `"kept"`, "DOLLAR": "$HOME", "SPACED": "a b ", "PASSED": "from-env", "QUOTES": "stripped"})
				if _, ok := p.Services["web"].Environment["UNSET_PASS"]; ok {
					t.Error("UNSET_PASS is set, want a bare name without a value skipped")
				}
			}},
		{name: "paths are absolute and the default network is added", dir: "build",
			check: func(t *testing.T, p *Project) {
				if got := p.Services["nginx"].Build.Context; got != abs(t, "build/nginx-build") {
					t.Errorf("build context = %q, want it absolute", got)
				}
				if got := p.Networks["default"].Name; got != "build_default" {
					t.Errorf("default network name = %q, want build_default", got)
				}
				if _, ok := p.Services["nginx"].Networks["default"]; !ok {
					t.Errorf("nginx networks = %v, want default", p.Services["nginx"].Networks)
				}
			}},
		{name: "networks and volumes no service uses are dropped", dir: "unused",
			check: func(t *testing.T, p *Project) {
				if got := p.NetworkNames(); !slices.Equal(got, []string{"front"}) {
					t.Errorf("networks = %q, want [front]", got)
				}
				if got := p.VolumeNames(); !slices.Equal(got, []string{"data"}) {
					t.Errorf("volumes = %q, want [data]", got)
				}
			}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := c.opts
			o.WorkingDir = filepath.Join("testdata", c.dir, c.cwd)
			o.Environ = append([]string{}, c.env...)
			p, err := Open(context.Background(), o)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			if len(p.Graph.Services()) != len(p.Services) {
				t.Errorf("graph has %d services, project %d", len(p.Graph.Services()), len(p.Services))
			}
			c.check(t, p)
		})
	}
}

func TestLoadReturnsTheProjectOpenReturns(t *testing.T) {
	p, err := Load(context.Background(), Options{WorkingDir: "testdata/override", Environ: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	wantServices(t, &Project{Project: p}, "debug", "web")
}

func abs(t *testing.T, rel string) string {
	t.Helper()
	a, err := filepath.Abs(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func wantName(t *testing.T, p *Project, want string) {
	t.Helper()
	if p.Name != want {
		t.Errorf("project name = %q, want %q", p.Name, want)
	}
}

func wantServices(t *testing.T, p *Project, want ...string) {
	t.Helper()
	if got := p.ServiceNames(); !slices.Equal(got, want) {
		t.Errorf("services = %q, want %q", got, want)
	}
}

func wantImage(t *testing.T, p *Project, service, want string) {
	t.Helper()
	if got := p.Services[service].Image; got != want {
		t.Errorf("%s image = %q, want %q", service, got, want)
	}
}

func wantEnv(t *testing.T, p *Project, service string, want map[string]string) {
	t.Helper()
	env := p.Services[service].Environment
	for k, v := range want {
		if got := env[k]; got == nil || *got != v {
			t.Errorf("%s environment %s = %v, want %q", service, k, deref(got), v)
		}
	}
}

func deref(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}
