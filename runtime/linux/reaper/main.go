package reaper

import (
	"os"
	"strconv"
	"syscall"
)

// Main is the whole of cmd/stack-init. Init execs it once the service runs,
// with the service's pid as its argument and the sync socket as fd 3: it
// forwards signals first, then closes the socket (the monitor waits for
// that before it signals init), then reaps until the service exits, and
// exits with its code.
func Main() {
	// Not dumpable: the exec kept it so already (see runtime/linux's
	// execReaper); this holds should the file have been readable.
	syscall.RawSyscall(syscall.SYS_PRCTL, syscall.PR_SET_DUMPABLE, 0, 0)
	sigs := Signals()
	service, err := strconv.Atoi(arg(1))
	if err != nil || service <= 0 {
		os.Stderr.WriteString("stack-init: started by stack only, as a container's init\n")
		os.Exit(2)
	}
	syscall.Close(3)
	os.Exit(Reap(service, sigs))
}

func arg(i int) string {
	if len(os.Args) > i {
		return os.Args[i]
	}
	return ""
}
