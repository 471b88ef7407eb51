package linux

import (
	"os"
	goruntime "runtime"

	"golang.org/x/sys/unix"
)

// reexecEnv marks a process started by the engine as its monitor or init,
// so that a user typing "stack init" gets the CLI, not a container.
const reexecEnv = "_STACK_REEXEC"

func init() {
	// Keep the main goroutine on the main thread, so that no goroutine
	// that joins a container's namespaces (exec, healthchecks) ever runs
	// there: a locked thread that joined is discarded when its goroutine
	// ends, but the main thread cannot be, and /proc/self follows it.
	goruntime.LockOSThread()
}

// Reexec runs the monitor or init when this process was started as one,
// and then exits; it sweeps removed containers' files and returns true
// when this is a detached process with that job (Sweep); otherwise it
// returns false at once, having marked every inherited descriptor
// close-on-exec. A binary that embeds the engine (the stack CLI, a test
// binary) calls it first thing in main.
func Reexec() bool {
	// Descriptors this process inherited without close-on-exec (Go opens
	// its own with it) must not reach a container: mark them all.
	unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
	if sweep() {
		return true
	}
	role := os.Getenv(reexecEnv)
	if role == "" || len(os.Args) < 2 || os.Args[1] != role {
		return false
	}
	switch role {
	case "init":
		initMain()
	case "monitor":
		monitorMain(os.Args[2:])
	default:
		return false
	}
	os.Exit(0)
	return true
}
