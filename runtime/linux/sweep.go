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

// Sweep deletes the files of the containers this engine removed with
// Options.DeferRemoval, in a process of its own started detached (the
// monitor's binary, cwd /), so that a command need not wait for the disk;
// it deletes them itself if that process cannot start. It deletes any
// other removed container's files too, such as a killed sweeper's.
func (e *Engine) Sweep() {
	if !e.trash.Swap(false) {
		return
	}
	dir := e.o.Paths.containers()
	env := []string{reexecEnv + "=sweep", "GOMAXPROCS=1"}
	if err := detach.Start(e.o.Binary, []string{"stack", "sweep", dir}, env); err != nil {
		sweepTrash(dir)
	}
}

// sweepMain is the sweeper process: args are the containers directory.
// Nobody waits for it: it yields the CPU to whoever wants it.
func sweepMain(args []string) {
	syscall.Setpriority(syscall.PRIO_PROCESS, 0, 19)
	if len(args) == 1 {
		sweepTrash(args[0])
	}
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
