// Command stack-init is what stays of a container's init once its service
// runs: it forwards signals and reaps. stack embeds it beside stack-shim;
// init, set up by the shim, execs into it (see runtime/linux's execReaper)
// so that a container's PID 1 costs almost no memory. It is not meant to be
// started by hand.
//
// On linux/amd64 it is built with -ldflags=-E=main.entry (build.sh, the
// one place that knows how it is built): the kernel then enters entry, a
// few dozen instructions of assembly that never start the Go runtime, and
// PID 1 costs a few pages. Elsewhere, or built without -E, main runs the
// same loop in Go (runtime/linux/reaper), at the Go runtime's price.
package main

import "github.com/stackorch/stack/runtime/linux/reaper"

func main() { reaper.Main() }
