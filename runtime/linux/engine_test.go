package linux

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stackorch/stack/runtime"
)

func logText(t *testing.T, e *Engine, id string) string {
	t.Helper()
	data, err := os.ReadFile(e.o.Paths.logFile(id))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestContainerRunsAndExitCodeIsRecorded(t *testing.T) {
	e := newEngine(t)
	st := run(t, e, runtime.Spec{Name: "t-exit-1", Command: []string{"sh", "-c", "echo hello; echo oops >&2; exit 3"}})
	st = waitExit(t, e, st.ID)
	if st.Status != runtime.StatusExited || st.ExitCode != 3 {
		t.Fatalf("state = %s code %d, want exited 3", st.Status, st.ExitCode)
	}
	log := logText(t, e, st.ID)
	if !strings.Contains(log, `"log":"hello\n","stream":"stdout"`) || !strings.Contains(log, `"log":"oops\n","stream":"stderr"`) {
		t.Fatalf("log = %s", log)
	}
	_ = context.Background()
}
