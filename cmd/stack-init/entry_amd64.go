package main

import "github.com/stackorch/stack/runtime/linux/reaper"

// entry is the whole lean init on linux/amd64, in entry_amd64.s: what
// reaper.Main does, without the Go runtime. Only the kernel enters it, as
// the program's entry point (-ldflags=-E=main.entry): it reads argc and
// argv from the stack the kernel set up, so Go code must never call it.
func entry()

// usage is reaper.Usage where entry can address it: a string header,
// statically initialized, so it is there before any code runs.
var usage = reaper.Usage
