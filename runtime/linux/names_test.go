package linux

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stackorch/stack/runtime"
)

// A create or remove killed half way leaves a directory without a name, or
// a name without a directory: neither is listed, neither blocks the name,
// and List sweeps the directory once it is old.
func TestACreateOrRemoveCutShortLeavesNoContainerAndFreesTheName(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	cut := func() runtime.Spec { s := sh("t-cut", "true"); s.Image = "busybox"; return s }
	st, err := e.Create(ctx, cut())
	if err != nil {
		t.Fatal(err)
	}
	// A create killed before it claimed the name: the directory is all
	// there, the name is not.
	if err := os.Remove(filepath.Join(e.o.Paths.names(), "t-cut")); err != nil {
		t.Fatal(err)
	}
	e.records = map[string]*record{}
	if list, _ := e.List(ctx, nil); len(list) != 0 {
		t.Fatalf("a container without its name is listed: %+v", list)
	}
	again, err := e.Create(ctx, cut())
	if err != nil {
		t.Fatalf("create the name again: %v", err)
	}
	if _, err := e.Create(ctx, cut()); !errors.Is(err, runtime.ErrAlreadyExists) {
		t.Fatalf("a third create of the name: %v, want ErrAlreadyExists", err)
	}
	old := time.Now().Add(-2 * abandoned)
	os.Chtimes(e.o.Paths.container(st.ID), old, old)
	if list, _ := e.List(ctx, nil); len(list) != 1 || list[0].ID != again.ID {
		t.Fatalf("list: %+v, want only the second", list)
	}
	if _, err := os.Stat(e.o.Paths.container(st.ID)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the abandoned directory is still there: %v", err)
	}
	// A remove killed after its directory went: the name points nowhere.
	if err := os.RemoveAll(e.o.Paths.container(again.ID)); err != nil {
		t.Fatal(err)
	}
	e.records = map[string]*record{}
	if _, err := e.Create(ctx, cut()); err != nil {
		t.Fatalf("create over a name pointing nowhere: %v", err)
	}
}

func TestValidNameIsDockers(t *testing.T) {
	for name, want := range map[string]bool{
		"web": true, "p-web-1": true, "A.b_c-9": true, "0": true,
		"": false, "-web": false, ".web": false, "_web": false, "we b": false, "wéb": false, "web/1": false, "web:1": false,
	} {
		if got := validName(name); got != want {
			t.Errorf("validName(%q) = %v, want %v", name, got, want)
		}
	}
}
