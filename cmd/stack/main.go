// Command stack is a Compose-compatible orchestrator with its own container
// engine.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/runtime/linux"
)

func main() {
	// A container's monitor and init are this binary too, and so is the
	// process that finishes a command's work after it (internal/detach):
	// deleting the bridges down retired, first, as it holds a lock, then
	// the files of removed containers.
	finished := network.Reexec()
	if linux.Reexec() || finished {
		return
	}
	// Most commands live some milliseconds and allocate a few MB loading
	// the project: a collection then is pure cost (about a tenth of their
	// CPU). Long-lived ones (logs -f, a foreground up) still collect, at a
	// larger heap. GOGC, if set, decides.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if err := newRootCommand().Execute(); err != nil {
		var status exitStatus
		if errors.As(err, &status) {
			os.Exit(int(status))
		}
		fmt.Fprintln(os.Stderr, "stack:", err)
		os.Exit(1)
	}
}
