package scheduler_test

import (
	"slices"
	"testing"

	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/scheduler"
)

func TestExecuteEmitsProgressPerContainer(t *testing.T) {
	w := newWorld(t, map[string][]dep{"web": nil})
	var got []scheduler.Status
	err := w.up(guarded(t), scheduler.ExecOptions{Events: func(e scheduler.Event) {
		if e.Container != "p-web-1" || e.Service != "web" || e.Time.IsZero() {
			t.Errorf("event %+v, want one for web's p-web-1 with a time", e)
		}
		got = append(got, e.Status)
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []scheduler.Status{scheduler.Creating, scheduler.Created, scheduler.Starting, scheduler.Started}
	if !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
}

func TestExecuteConvergedTwiceKeepsContainers(t *testing.T) {
	w := newWorld(t, map[string][]dep{"db": nil, "web": {{on: "db"}}})
	ctx := guarded(t)
	if err := w.up(ctx, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	before, _ := w.f.Inspect(ctx, "p-web-1")
	if p := w.plan(scheduler.Options{}); !p.Empty() {
		t.Fatalf("second plan = %q, want empty", p.String())
	}
	if err := w.up(ctx, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	if after, _ := w.f.Inspect(ctx, "p-web-1"); after.ID != before.ID {
		t.Errorf("p-web-1 changed ID from %s to %s on a no-op up", before.ID, after.ID)
	}
}

func TestExecuteRecreatesChangedConfig(t *testing.T) {
	w := newWorld(t, map[string][]dep{"web": nil})
	ctx := guarded(t)
	if err := w.up(ctx, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	old, _ := w.f.Inspect(ctx, "p-web-1")
	w.specs["web"] = specs("web", 1, "h2")
	if err := w.up(ctx, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	now, err := w.f.Inspect(ctx, "p-web-1")
	if err != nil || now.ID == old.ID || now.Labels["com.docker.compose.config-hash"] != "h2" || !now.Running() {
		t.Fatalf("p-web-1 after recreate: %+v, %v; want a new running container with hash h2", now, err)
	}
}

func TestExecuteScalesKeepingNumbers(t *testing.T) {
	w := newWorld(t, map[string][]dep{"web": nil})
	ctx := guarded(t)
	w.specs["web"] = specs("web", 3, "h1")
	if err := w.up(ctx, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	first, _ := w.f.Inspect(ctx, "p-web-1")
	w.specs["web"] = specs("web", 1, "h1")
	if err := w.up(ctx, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	left, _ := w.f.List(ctx, nil)
	if len(left) != 1 || left[0].ID != first.ID {
		t.Fatalf("after scale 3->1: %v, want only the original p-web-1", left)
	}
}

func TestExecuteRestartsDependentsOfRecreatedDependency(t *testing.T) {
	w := newWorld(t, map[string][]dep{"db": nil, "web": {{on: "db", restart: true}}, "cron": {{on: "db"}}})
	ctx := guarded(t)
	if err := w.up(ctx, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	web, _ := w.f.Inspect(ctx, "p-web-1")
	w.specs["db"] = specs("db", 1, "h2")
	if err := w.up(ctx, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	var starts []string
	for _, c := range w.f.Calls() {
		if c.Op == "start" || c.Op == "stop" {
			starts = append(starts, c.Op+" "+c.Name)
		}
	}
	// First up: start db, web, cron. Second: stop db (recreate), start db,
	// then web restarts; cron, without restart: true, is left alone.
	if i := slices.Index(starts, "stop p-web-1"); i < 0 || !slices.Contains(starts[i:], "start p-web-1") {
		t.Fatalf("web was not restarted: %v", starts)
	}
	if slices.Contains(starts, "stop p-cron-1") {
		t.Errorf("cron restarted without restart: true: %v", starts)
	}
	now, _ := w.f.Inspect(ctx, "p-web-1")
	if now.ID != web.ID || !now.Running() {
		t.Errorf("web after restart: %+v, want the same container running again", now)
	}
}

func TestExecuteNoStartCreatesWithoutStarting(t *testing.T) {
	w := newWorld(t, map[string][]dep{"db": nil, "web": {{on: "db", cond: "healthy"}}})
	ctx := guarded(t)
	p := w.plan(scheduler.Options{NoStart: true})
	if err := scheduler.Execute(ctx, w.f, p, w.g, scheduler.ExecOptions{}); err != nil {
		t.Fatal(err)
	}
	if ops := w.f.Ops("start", "wait"); len(ops) != 0 {
		t.Fatalf("no-start ran %v", ops)
	}
	for _, name := range []string{"p-db-1", "p-web-1"} {
		if st, err := w.f.Inspect(ctx, name); err != nil || st.Status != runtime.StatusCreated {
			t.Errorf("%s: %+v, %v; want created", name, st, err)
		}
	}
}
