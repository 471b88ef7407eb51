package linux

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stackorch/stack/internal/detach"
)

func TestDeferredRemovalHidesTheContainerAtOnceAndSweepDeletesItsFiles(t *testing.T) {
	e := newEngineWith(t, func(o *Options) { o.DeferRemoval = true })
	ctx := context.Background()
	st := run(t, e, sh("t-sweep-1", "sleep 30"))
	if err := e.Remove(ctx, st.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Inspect(ctx, st.ID); err == nil {
		t.Fatal("still listed after remove")
	}
	trash := filepath.Join(e.o.Paths.containers(), trashPrefix+st.ID)
	if _, err := os.Stat(trash); err != nil {
		t.Fatalf("the removed container's files before Sweep: %v", err)
	}
	var j detach.Jobs
	e.Sweep(&j)
	j.Start("/proc/self/exe") // a detached process of the test binary (TestMain runs Reexec)
	deadline := time.Now().Add(30 * time.Second)
	for {
		if _, err := os.Stat(trash); os.IsNotExist(err) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still there after Sweep", trash)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := os.Stat(e.o.Paths.container(st.ID)); !os.IsNotExist(err) {
		t.Errorf("container directory: %v", err)
	}
}
