package linux

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/stackorch/stack/internal/detach"
)

// trashPrefix names a removed container's directory, moved aside by
// Remove: no longer a container, not yet deleted.
const trashPrefix = ".removing-"

// sweepEnv is the sweep's job in a detached process (internal/detach):
// the containers directory whose removed containers' files it deletes.
const sweepEnv = "_STACK_SWEEP"

// Sweep adds to j the deletion of the files of the containers this engine
// removed with Options.DeferRemoval: the process j starts (the monitor's
// binary, from /) deletes them, so that a command need not wait for the
// disk. It deletes any other removed container's files too, such as those
// a killed sweeper left.
func (e *Engine) Sweep(j *detach.Jobs) {
	if !e.trash.Swap(false) {
		return
	}
	dir := e.o.Paths.containers()
	j.Add(sweepEnv+"="+dir, func() { sweepTrash(dir) })
}

// sweep is a detached process's sweep, if it has that job: it yields the
// CPU to whoever wants it, as nobody waits for it.
func sweep() bool {
	dir, ok := os.LookupEnv(sweepEnv)
	if !ok || !detach.Started() {
		return false
	}
	syscall.Setpriority(syscall.PRIO_PROCESS, 0, 19)
	sweepTrash(dir)
	return true
}

// sweepTrash deletes every removed container's directory under dir.
func sweepTrash(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, en := range entries {
		if strings.HasPrefix(en.Name(), trashPrefix) {
			os.RemoveAll(filepath.Join(dir, en.Name()))
		}
	}
}
