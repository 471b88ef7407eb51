package linux

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackorch/stack/internal/testenv"
	"github.com/stackorch/stack/runtime"
	"github.com/stackorch/stack/runtime/linux/limits"
)

// BenchmarkCreateStart reports what one container costs: create+start
// latency percentiles, stop latency, and the PSS of stack's processes (its
// monitor and init) per running container.
func BenchmarkCreateStart(b *testing.B) {
	benchCreateStart(b, benchEngine(b), func(i int) runtime.Spec {
		return runtime.Spec{Name: fmt.Sprintf("b-%d", i), Image: "busybox", Command: []string{"sleep", "300"}}
	})
}

// benchCreateStart creates and starts b.N containers of spec, then stops
// and removes them, and reports the figures.
func benchCreateStart(b *testing.B, e *Engine, spec func(i int) runtime.Spec) {
	ctx := context.Background()
	var starts, stops []time.Duration
	var ids []string
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		st, err := e.Create(ctx, spec(i))
		if err != nil {
			b.Fatal(err)
		}
		if err := e.Start(ctx, st.ID); err != nil {
			b.Fatal(err)
		}
		starts = append(starts, time.Since(t0))
		ids = append(ids, st.ID)
	}
	b.StopTimer()
	pss := 0
	for _, id := range ids {
		var s status
		jsonUnmarshalFile(e.o.Paths.stateFile(id), &s)
		pss += pssKB(s.Monitor) + pssKB(s.Pid)
	}
	for _, id := range ids {
		t0 := time.Now()
		if err := e.Stop(ctx, id, 0); err != nil {
			b.Fatal(err)
		}
		stops = append(stops, time.Since(t0))
		if st, _ := e.Inspect(ctx, id); st.Running() {
			b.Fatalf("%s still %s after stop", st.Name, st.Status)
		}
		if err := e.Remove(ctx, id, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(pct(starts, 50), "start-p50-ms")
	b.ReportMetric(pct(starts, 90), "start-p90-ms")
	b.ReportMetric(pct(starts, 99), "start-p99-ms")
	b.ReportMetric(pct(stops, 50), "stop-p50-ms")
	b.ReportMetric(float64(pss)/float64(len(ids))/1024, "pss-MB/container")
}

func pct(d []time.Duration, p int) float64 {
	s := slices.Clone(d)
	slices.Sort(s)
	i := (len(s) - 1) * p / 100
	return float64(s[i].Microseconds()) / 1000
}

// pssKB is the proportional set size of pid in KiB.
func pssKB(pid int) int {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/smaps_rollup")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "Pss:" {
			n, _ := strconv.Atoi(f[1])
			return n
		}
	}
	return 0
}

func benchEngine(b *testing.B) *Engine {
	testenv.RequireRoot(b)
	setupImages(b)
	// STACK_BENCH_BINARY measures the monitor and init of a built stack
	// binary rather than of this test binary; the lean init is built as
	// make build builds it.
	e, err := New(Options{Paths: PathsAt(b.TempDir()), Images: images, Binary: os.Getenv("STACK_BENCH_BINARY"), Reaper: leanInit(b), Limits: limits.Make})
	if err != nil {
		b.Fatal(err)
	}
	return e
}
