package reaper

import (
	"os"
	"strconv"
	"syscall"
)

// Usage is what the lean init writes to its stderr, before it exits 2,
// when its argument is not a pid: it is not meant to be started by hand.
const Usage = "stack-init: started by stack only, as a container's init\n"

// Main is the whole of cmd/stack-init in Go: on other architectures than
// amd64, and when it is built without its assembly entry (which does the
// same: cmd/stack-init/entry_amd64.s). Init execs it once the service
// runs, with the service's pid as its argument and the sync socket as fd
// 3: it forwards signals first, then closes the socket (the monitor waits
// for that before it signals init), then reaps until the service exits,
// and exits with its code.
func Main() {
	// Not dumpable: the exec kept it so already (see runtime/linux's
	// execReaper); this holds should the file have been readable.
	syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_DUMPABLE, 0, 0)
	sigs := Signals()
	// Digits only, up to pid_t's largest, as the assembly reads it.
	service, err := strconv.ParseUint(arg(1), 10, 31)
	if err != nil || service == 0 {
		os.Stderr.WriteString(Usage)
		os.Exit(2)
	}
	syscall.Close(3)
	os.Exit(Reap(int(service), sigs))
}

func arg(i int) string {
	if len(os.Args) > i {
		return os.Args[i]
	}
	return ""
}
