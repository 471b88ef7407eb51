package project

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// graphOf builds the graph of a compose file as compose-go normalises it
// (links, network_mode, volumes_from, ipc and pid become depends_on), without
// compose-go's own consistency check, so NewGraph's checks are the ones
// tested.
func graphOf(t *testing.T, yaml string) (*Graph, error) {
	t.Helper()
	p, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  t.TempDir(),
		ConfigFiles: []types.ConfigFile{{Filename: "compose.yaml", Content: []byte(yaml)}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) {
		o.SkipConsistencyCheck = true
		o.SetProjectName("test", true)
	})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return NewGraph(p)
}

func TestGraphEdges(t *testing.T) {
	started := func(s string) Edge { return Edge{Service: s, Condition: ConditionStarted, Required: true} }
	cases := []struct {
		name    string
		yaml    string
		service string
		want    []Edge
	}{
		{name: "short depends_on", service: "web", want: []Edge{started("cache"), started("db")}, yaml: `
services:
  web: {image: x, depends_on: [db, cache]}
  db: {image: x}
  cache: {image: x}`},
		{name: "long depends_on with conditions and restart", service: "web",
			want: []Edge{
				{Service: "db", Condition: ConditionHealthy, Required: true, Restart: true},
				{Service: "migrate", Condition: ConditionCompleted, Required: true},
			}, yaml: `
services:
  web:
    image: x
    depends_on:
      db: {condition: service_healthy, restart: true}
      migrate: {condition: service_completed_successfully}
  db: {image: x}
  migrate: {image: x}`},
		{name: "required: false to a missing service is dropped", service: "web", want: nil, yaml: `
services:
  web:
    image: x
    depends_on:
      metrics: {condition: service_started, required: false}`},
		{name: "required: false to a present service stays optional", service: "web",
			want: []Edge{{Service: "metrics", Condition: ConditionStarted}}, yaml: `
services:
  web:
    image: x
    depends_on:
      metrics: {condition: service_started, required: false}
  metrics: {image: x}`},
		{name: "links", service: "web", want: []Edge{{Service: "db", Condition: ConditionStarted, Required: true, Restart: true}}, yaml: `
services:
  web: {image: x, links: ["db:database"]}
  db: {image: x}`},
		{name: "network_mode service:X", service: "app", want: []Edge{{Service: "vpn", Condition: ConditionStarted, Required: true, Restart: true}}, yaml: `
services:
  app: {image: x, network_mode: "service:vpn"}
  vpn: {image: x}`},
		{name: "volumes_from services but not containers", service: "app", want: []Edge{started("data"), started("logs")}, yaml: `
services:
  app: {image: x, volumes_from: [data, "logs:ro", "container:other"]}
  data: {image: x}
  logs: {image: x}`},
		{name: "ipc and pid service:X", service: "app",
			want: []Edge{
				{Service: "init", Condition: ConditionStarted, Required: true, Restart: true},
				{Service: "shm", Condition: ConditionStarted, Required: true, Restart: true},
			}, yaml: `
services:
  app: {image: x, ipc: "service:shm", pid: "service:init"}
  shm: {image: x}
  init: {image: x}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g, err := graphOf(t, c.yaml)
			if err != nil {
				t.Fatalf("NewGraph: %v", err)
			}
			if got := g.Dependencies(c.service); !slices.Equal(got, c.want) {
				t.Errorf("dependencies of %s\n got: %+v\nwant: %+v", c.service, got, c.want)
			}
		})
	}
}

func TestGraphErrors(t *testing.T) {
	cases := []struct {
		name string
		yaml string
		want string
		is   error
	}{
		{name: "two-service cycle", want: "dependency cycle: a -> b -> a", is: ErrCycle, yaml: `
services:
  a: {image: x, depends_on: [b]}
  b: {image: x, depends_on: [a]}`},
		{name: "three-service cycle through links and volumes_from", want: "dependency cycle: a -> b -> c -> a", is: ErrCycle, yaml: `
services:
  a: {image: x, links: [b]}
  b: {image: x, volumes_from: [c]}
  c: {image: x, depends_on: [a]}`},
		{name: "a service depending on itself", want: "dependency cycle: a -> a", is: ErrCycle, yaml: `
services:
  a: {image: x, network_mode: "service:a"}`},
		{name: "unknown service names both", want: `service "web" depends on undefined service "db"`, is: ErrUnknownService, yaml: `
services:
  web: {image: x, depends_on: [db]}`},
		{name: "unknown service through network_mode", want: `service "app" depends on undefined service "vpn"`, is: ErrUnknownService, yaml: `
services:
  app: {image: x, network_mode: "service:vpn"}`},
		{name: "service disabled by its profile", want: `service "web" depends on service "db", which is disabled by its profiles: enable it with --profile`, yaml: `
services:
  web: {image: x, depends_on: [db]}
  db: {image: x, profiles: [debug]}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := graphOf(t, c.yaml)
			if err == nil || err.Error() != c.want {
				t.Fatalf("err = %v, want %s", err, c.want)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("errors.Is(%v, %v) = false", err, c.is)
			}
		})
	}
}

func TestGraphOrderPutsDependenciesFirstThenNames(t *testing.T) {
	g, err := graphOf(t, `
services:
  web: {image: x, depends_on: [api]}
  api: {image: x, depends_on: [db, cache]}
  db: {image: x}
  cache: {image: x}
  admin: {image: x}`)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := g.Order(), []string{"admin", "cache", "db", "api", "web"}; !slices.Equal(got, want) {
		t.Errorf("Order = %q, want %q", got, want)
	}
	if got, want := g.Closure("api"), []string{"cache", "db", "api"}; !slices.Equal(got, want) {
		t.Errorf("Closure(api) = %q, want %q", got, want)
	}
	if got, want := g.Dependents("db"), []string{"api"}; !slices.Equal(got, want) {
		t.Errorf("Dependents(db) = %q, want %q", got, want)
	}
	if got, want := g.Services(), []string{"admin", "api", "cache", "db", "web"}; !slices.Equal(got, want) {
		t.Errorf("Services = %q, want %q", got, want)
	}
}
