// Command stack-shim is the lean half of stack: a container's monitor and
// its init, without the compose loader and the CLI. Every package a Go
// binary links runs its init at start-up, and the CLI's (the compose
// schema above all) cost megabytes per process; a monitor and an init live
// as long as their container, so they get a binary of their own. stack
// embeds this one and runs it (see cmd/stack/shim.go); it is not meant to
// be started by hand.
package main

import (
	"fmt"
	"os"

	"github.com/stackorch/stack/network"
	"github.com/stackorch/stack/runtime/linux"
)

func main() {
	// A detached process's jobs (internal/detach): the network's first, as
	// it holds a lock others wait on.
	finished := network.Reexec()
	if !linux.Reexec() && !finished {
		fmt.Fprintln(os.Stderr, "stack-shim: started by stack only, as a container's monitor or init, or to finish a command's work")
		os.Exit(2)
	}
}
