package main

import (
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// fixtures are the project package's compose projects.
func fixture(t *testing.T, name string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", "..", "project", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// Docker Compose's own end-to-end test (pkg/e2e TestConfig) expects exactly
// this from `docker compose -f <this fixture> -p compose-e2e-convert config`.
// Key order within a mapping follows compose-go's struct order, which
// changes between compose-go versions, so the documents are compared parsed.
func TestConfigPrintsWhatDockerComposePrintsForItsBuildFixture(t *testing.T) {
	dir := fixture(t, "build")
	r := runStack(t, dir, nil, "-f", "compose.yaml", "-p", "compose-e2e-convert", "config")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	want := `name: compose-e2e-convert
services:
  nginx:
    build:
      context: ` + filepath.Join(dir, "nginx-build") + `
      dockerfile: Dockerfile
    networks:
      default: null
networks:
  default:
    name: compose-e2e-convert_default
`
	if !strings.HasPrefix(r.stdout, "name: compose-e2e-convert\n") {
		t.Errorf("output does not start with name:\n%s", r.stdout)
	}
	if got, exp := parseYAML(t, r.stdout), parseYAML(t, want); !reflect.DeepEqual(got, exp) {
		t.Errorf("config\n got:\n%s\nwant:\n%s", r.stdout, want)
	}
}

func TestConfigJSONHoldsTheResolvedProject(t *testing.T) {
	dir := fixture(t, "build")
	r := runStack(t, dir, nil, "-p", "demo", "config", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	var doc struct {
		Name     string
		Services map[string]struct {
			Build    struct{ Context, Dockerfile string }
			Networks map[string]any
			Command  any
		}
		Networks map[string]struct{ Name string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &doc); err != nil {
		t.Fatalf("parse JSON: %v\n%s", err, r.stdout)
	}
	nginx := doc.Services["nginx"]
	if doc.Name != "demo" || nginx.Build.Context != filepath.Join(dir, "nginx-build") || doc.Networks["default"].Name != "demo_default" {
		t.Errorf("unexpected project:\n%s", r.stdout)
	}
	// docker compose prints "command": null in JSON (compose-go never omits it).
	if !strings.Contains(r.stdout, `"command": null`) {
		t.Errorf("JSON lacks \"command\": null:\n%s", r.stdout)
	}
}

func TestConfigResolvesVariablesAndEnvFilesAndEscapesDollars(t *testing.T) {
	r := runStack(t, fixture(t, "interpolation"), []string{"SET=given", "EMPTY="}, "config")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	for _, want := range []string{"image: nginx:latest", "SET: given", "EMPTY_DEFAULT: fallback", "LITERAL: $$HOME", "BRACED: $${NOT_A_VAR}"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	r = runStack(t, fixture(t, "envfile"), nil, "config")
	if !strings.Contains(r.stdout, `FROM_FILE: "1"`) || strings.Contains(r.stdout, "env_file") {
		t.Errorf("env_file not resolved into environment:\n%s", r.stdout)
	}
}

func TestConfigListFlags(t *testing.T) {
	cases := []struct {
		name string
		dir  string
		env  []string
		args []string
		want string
	}{
		{name: "--services in dependency order", dir: "include", args: []string{"config", "--services"}, want: "db\nweb\n"},
		{name: "--services of a selected service and its dependencies", dir: "include", args: []string{"config", "--services", "db"}, want: "db\n"},
		{name: "--services with --profile", dir: "profiles", args: []string{"--profile", "debug", "config", "--services"}, want: "debug\ntools\nweb\n"},
		{name: "--services with COMPOSE_PROFILES", dir: "profiles", env: []string{"COMPOSE_PROFILES=metrics"}, args: []string{"config", "--services"}, want: "metrics\nweb\n"},
		{name: "--volumes lists used volumes", dir: "unused", args: []string{"config", "--volumes"}, want: "data\n"},
		{name: "--networks lists used networks", dir: "unused", args: []string{"config", "--networks"}, want: "front\n"},
		{name: "--profiles lists every profile", dir: "profiles", args: []string{"config", "--profiles"}, want: "debug\nmetrics\ntools\n"},
		{name: "--images names built images project-service", dir: "build", args: []string{"config", "--images"}, want: "build-nginx\n"},
		{name: "--images follows service names", dir: "include", args: []string{"config", "--images"}, want: "postgres:16\nnginx\n"},
		{name: "-q validates and prints nothing", dir: "include", args: []string{"config", "-q"}, want: ""},
		{name: "--env-file", dir: "dotenv", args: []string{"--env-file", "alt.env", "config", "--images"}, want: "nginx:from-alt\n"},
		{name: "-f given twice", dir: "merge", args: []string{"-f", "compose.yaml", "-f", "extra.yaml", "config", "--images"}, want: "postgres:16\nweb:2\n"},
		{name: "--project-directory", dir: "projectdir", args: []string{"-f", "files/compose.yaml", "--project-directory", "elsewhere", "config", "--images"}, want: "nginx:from-elsewhere\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runStack(t, fixture(t, c.dir), c.env, c.args...)
			if r.code != 0 || r.stdout != c.want {
				t.Errorf("stack %s: exit %d\nstdout %q, want %q\nstderr %s", strings.Join(c.args, " "), r.code, r.stdout, c.want, r.stderr)
			}
		})
	}
}

func TestConfigBadInputExitsOneWithOneLine(t *testing.T) {
	cases := []struct {
		name string
		dir  string
		args []string
		want string
	}{
		{name: "wrong type", dir: "bad/wrongtype", args: []string{"config"},
			want: "stack: compose.yaml:4: services.web.ports: must be a list\n"},
		{name: "unreadable YAML, even with -q", dir: "bad/yaml", args: []string{"config", "-q"},
			want: "stack: compose.yaml:4: yaml: did not find expected key (while parsing a block mapping at line 2)\n"},
		{name: "missing file", dir: "bad/yaml", args: []string{"-f", "nope.yaml", "config"},
			want: "stack: read compose file \"nope.yaml\": not found\n"},
		{name: "unknown service", dir: "include", args: []string{"config", "nope"},
			want: "stack: select service \"nope\": no such service\n"},
		{name: "unknown format", dir: "include", args: []string{"config", "--format", "xml"},
			want: "stack: config: unsupported format \"xml\"\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runStack(t, fixture(t, c.dir), nil, c.args...)
			if r.code != 1 || r.stderr != c.want || r.stdout != "" {
				t.Errorf("exit %d, stdout %q\nstderr %q\n  want %q", r.code, r.stdout, r.stderr, c.want)
			}
		})
	}
}

func parseYAML(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("parse YAML: %v\n%s", err, s)
	}
	return m
}
