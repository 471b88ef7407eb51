// Command stack-init is what stays of a container's init once its service
// runs: it forwards signals and reaps (see runtime/linux/reaper). stack
// embeds it beside stack-shim; init, set up by the shim, execs into it so
// that a container's PID 1 costs as little memory as a Go process can. It
// is not meant to be started by hand.
package main

import "github.com/stackorch/stack/runtime/linux/reaper"

func main() { reaper.Main() }
