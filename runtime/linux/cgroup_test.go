package linux

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/stackorch/stack/runtime"
)

// The engine makes the cgroup before every monitor: a monitor killed with
// its container leaves one behind, and the start that repairs it must put
// the container in a cgroup with its limits again.
func TestStartAfterAKilledMonitorMakesTheCgroupWithItsLimits(t *testing.T) {
	e := newEngine(t)
	ctx := context.Background()
	spec := sh("t-cg-repair", "sleep 30")
	spec.Resources = runtime.Resources{Memory: 64 << 20, PidsLimit: 50}
	st := run(t, e, spec)
	var s status
	if err := jsonUnmarshalFile(e.o.Paths.stateFile(st.ID), &s); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(s.Monitor, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); monitorAlive(e.o.Paths.lockFile(st.ID)); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("monitor still alive after SIGKILL")
		}
	}
	if loadCgroup(st.ID) == nil {
		t.Fatal("a killed monitor left no cgroup: this test proves nothing")
	}
	if err := e.Start(ctx, st.ID); err != nil {
		t.Fatalf("start after monitor kill: %v", err)
	}
	if err := jsonUnmarshalFile(e.o.Paths.stateFile(st.ID), &s); err != nil {
		t.Fatal(err)
	}
	// The service, init's child: init itself leaves the cgroup (see
	// initConfig.OwnTasks).
	var own string
	for deadline := time.Now().Add(5 * time.Second); !strings.Contains(own, cgroupPath(st.ID)) && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		children := strings.Fields(readFile(t, fmt.Sprintf("/proc/%d/task/%d/children", s.Pid, s.Pid)))
		if len(children) > 0 {
			own = readFile(t, "/proc/"+children[0]+"/cgroup")
		}
	}
	if !strings.Contains(own, cgroupPath(st.ID)) {
		t.Fatalf("repaired container's service is not in its cgroup:\n%s", own)
	}
	mem, pids := filepath.Join("/sys/fs/cgroup/memory", cgroupPath(st.ID), "memory.limit_in_bytes"), filepath.Join("/sys/fs/cgroup/pids", cgroupPath(st.ID), "pids.max")
	if cgroupV2() {
		mem, pids = filepath.Join("/sys/fs/cgroup", cgroupPath(st.ID), "memory.max"), filepath.Join("/sys/fs/cgroup", cgroupPath(st.ID), "pids.max")
	}
	if got := strings.TrimSpace(readFile(t, mem)); got != strconv.Itoa(64<<20) {
		t.Errorf("memory limit after repair = %s, want %d", got, 64<<20)
	}
	if got := strings.TrimSpace(readFile(t, pids)); got != "50" {
		t.Errorf("pids limit after repair = %s, want 50", got)
	}
	if err := e.Stop(ctx, st.ID, 0); err != nil {
		t.Fatal(err)
	}
	e.awaitMonitorExit(st.ID)
	if loadCgroup(st.ID) != nil {
		t.Error("cgroup left after the container stopped")
	}
}

// A monitor needs its cgroup's files only; were they gone it must refuse
// to run the container unconfined, not make bare directories.
func TestMonitorRefusesToStartWithoutItsCgroup(t *testing.T) {
	e := newEngineWith(t, func(o *Options) {
		o.Limits = func(string, runtime.Resources, []specs.LinuxDeviceCgroup) error { return nil }
	})
	spec := sh("t-cg-missing", "true")
	spec.Image = "busybox"
	st, err := e.Create(context.Background(), spec)
	if err != nil {
		t.Fatal(err)
	}
	err = e.Start(context.Background(), st.ID)
	if err == nil || !strings.Contains(err.Error(), "cgroup is missing") {
		t.Fatalf("start without a cgroup: %v", err)
	}
	if loadCgroup(st.ID) != nil {
		t.Error("monitor made a cgroup of its own")
	}
}
