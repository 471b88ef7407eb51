package scheduler_test

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/scheduler"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("plan differs from %s:\n--- got\n%s--- want\n%s", path, got, want)
	}
}

// The project of the plan tests: web needs db healthy and cache started,
// worker needs db; web runs 2 replicas.
var stackDeps = map[string][]dep{
	"db":     nil,
	"cache":  nil,
	"web":    {{on: "db", cond: "healthy", restart: true}, {on: "cache"}},
	"worker": {{on: "db"}},
}

func desired(t *testing.T, hashes map[string]string, scale map[string]int) scheduler.Desired {
	d := scheduler.Desired{Project: proj, Graph: newGraph(t, stackDeps), Services: map[string][]runtime.Spec{}}
	for _, svc := range []string{"db", "cache", "web", "worker"} {
		n, ok := scale[svc]
		if !ok {
			n = 1
		}
		h := hashes[svc]
		if h == "" {
			h = "h1"
		}
		d.Services[svc] = specs(svc, n, h)
	}
	return d
}

// converged is the project as desired(t, nil, {web: 2}) leaves it.
func converged() []runtime.State {
	return join(running("cache", 1, "h1"), running("db", 1, "h1"), running("web", 2, "h1"), running("worker", 1, "h1"))
}

func TestPlanUpGolden(t *testing.T) {
	web2 := map[string]int{"web": 2}
	orphan := state("old", 1, "h0", runtime.StatusRunning)
	exited := state("worker", 1, "h1", runtime.StatusExited)
	cases := []struct {
		name     string
		desired  scheduler.Desired
		observed []runtime.State
		opts     scheduler.Options
	}{
		{"fresh_project", desired(t, nil, web2), nil, scheduler.Options{}},
		{"nothing_changed", desired(t, nil, web2), converged(), scheduler.Options{}},
		{"config_changed", desired(t, map[string]string{"worker": "h2"}, web2), converged(), scheduler.Options{}},
		{"scale_up_1_to_3", desired(t, nil, map[string]int{"web": 3}),
			join(running("cache", 1, "h1"), running("db", 1, "h1"), running("web", 1, "h1"), running("worker", 1, "h1")), scheduler.Options{}},
		{"scale_down_3_to_1", desired(t, nil, nil),
			join(running("cache", 1, "h1"), running("db", 1, "h1"), running("web", 3, "h1"), running("worker", 1, "h1")), scheduler.Options{}},
		{"scale_to_zero", desired(t, nil, map[string]int{"web": 0}), converged(), scheduler.Options{}},
		{"exited_started", desired(t, nil, web2),
			join(running("cache", 1, "h1"), running("db", 1, "h1"), running("web", 2, "h1"), []runtime.State{exited}), scheduler.Options{}},
		{"orphans_reported", desired(t, nil, web2), append(converged(), orphan), scheduler.Options{}},
		{"orphans_removed", desired(t, nil, web2), append(converged(), orphan), scheduler.Options{RemoveOrphans: true}},
		{"force_recreate", desired(t, nil, web2), converged(), scheduler.Options{ForceRecreate: true}},
		{"force_recreate_named_only", desired(t, nil, web2), converged(), scheduler.Options{Services: []string{"web"}, ForceRecreate: true}},
		{"always_recreate_deps", desired(t, nil, web2), converged(), scheduler.Options{Services: []string{"web"}, AlwaysRecreateDeps: true}},
		{"no_recreate", desired(t, map[string]string{"db": "h2", "web": "h2"}, web2),
			join(running("cache", 1, "h1"), running("db", 1, "h1"), running("web", 2, "h1"), []runtime.State{exited}), scheduler.Options{NoRecreate: true}},
		{"restart_dependents", desired(t, map[string]string{"db": "h2"}, web2), converged(), scheduler.Options{}},
		{"no_start", desired(t, map[string]string{"db": "h2"}, web2), []runtime.State{state("db", 1, "h1", runtime.StatusRunning)}, scheduler.Options{NoStart: true}},
		{"named_service_with_deps", desired(t, nil, web2), nil, scheduler.Options{Services: []string{"worker"}}},
		{"named_service_no_deps", desired(t, nil, web2), nil, scheduler.Options{Services: []string{"worker"}, NoDeps: true}},
		{"oneoff_ignored", desired(t, nil, web2), append(converged(), oneoffState("web")), scheduler.Options{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := scheduler.PlanUp(c.desired, c.observed, c.opts).String()
			golden(t, c.name, got)
			reversed := slices.Clone(c.observed)
			slices.Reverse(reversed)
			if again := scheduler.PlanUp(c.desired, reversed, c.opts).String(); again != got {
				t.Errorf("plan depends on the order of observed:\n%s---\n%s", got, again)
			}
		})
	}
}

func oneoffState(svc string) runtime.State {
	s := state(svc, 1, "h1", runtime.StatusRunning)
	s.Name = "p-web-run-0123456789ab"
	s.Labels["com.docker.compose.oneoff"] = "True"
	return s
}

func TestPlanUpNothingChangedIsEmpty(t *testing.T) {
	p := scheduler.PlanUp(desired(t, nil, map[string]int{"web": 2}), converged(), scheduler.Options{})
	if !p.Empty() || p.String() != "" {
		t.Fatalf("plan = %q, want empty", p.String())
	}
	want := map[string][]string{"cache": {"p-cache-1"}, "db": {"p-db-1"}, "web": {"p-web-1", "p-web-2"}, "worker": {"p-worker-1"}}
	for svc, names := range want {
		if !slices.Equal(p.Replicas[svc], names) {
			t.Errorf("Replicas[%s] = %v, want %v", svc, p.Replicas[svc], names)
		}
	}
}

func TestPlanUpScaleDownRemovesHighestNumbersFirst(t *testing.T) {
	p := scheduler.PlanUp(desired(t, nil, nil), join(running("web", 3, "h1")), scheduler.Options{Services: []string{"web"}, NoDeps: true})
	var removed []string
	for _, o := range p.Ops {
		if o.Kind == scheduler.OpRemove {
			removed = append(removed, o.Name)
		}
	}
	if want := []string{"p-web-3", "p-web-2"}; !slices.Equal(removed, want) {
		t.Fatalf("removed %v, want %v", removed, want)
	}
	if !slices.Equal(p.Replicas["web"], []string{"p-web-1"}) {
		t.Fatalf("Replicas[web] = %v, want [p-web-1]", p.Replicas["web"])
	}
}

func TestPlanUpNoRecreateWaitsOnKeptContainerName(t *testing.T) {
	d := desired(t, map[string]string{"db": "h2"}, nil)
	old := state("db", 1, "h1", runtime.StatusRunning)
	old.Name = "legacy-db"
	p := scheduler.PlanUp(d, []runtime.State{old}, scheduler.Options{NoRecreate: true, Services: []string{"db"}})
	if !p.Empty() || !slices.Equal(p.Replicas["db"], []string{"legacy-db"}) {
		t.Fatalf("plan %q, Replicas[db] = %v; want empty and [legacy-db]", p.String(), p.Replicas["db"])
	}
}

func TestPlanDownGolden(t *testing.T) {
	g := newGraph(t, stackDeps)
	stopped := state("worker", 1, "h1", runtime.StatusExited)
	observed := join(running("cache", 1, "h1"), running("db", 1, "h1"), running("web", 2, "h1"), []runtime.State{stopped})
	orphan := state("old", 1, "h0", runtime.StatusRunning)
	cases := []struct {
		name     string
		observed []runtime.State
		opts     scheduler.DownOptions
	}{
		{"down", observed, scheduler.DownOptions{}},
		{"down_orphans_reported", append(observed, orphan), scheduler.DownOptions{}},
		{"down_orphans_removed", append(observed, orphan), scheduler.DownOptions{RemoveOrphans: true}},
		{"down_nothing", nil, scheduler.DownOptions{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := scheduler.PlanDown(c.observed, g, c.opts)
			if !p.Down {
				t.Error("PlanDown gave a plan without Down")
			}
			golden(t, c.name, p.String())
		})
	}
}
