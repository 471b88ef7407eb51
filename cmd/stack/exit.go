package main

import (
	"fmt"
	"time"
)

// exitStatus is an error that only sets the exit code: the command has
// said what it had to (a container's exit code passed on, as exec, run and
// up --exit-code-from do).
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// seconds converts a -t/--timeout value.
func seconds(n int) time.Duration { return time.Duration(n) * time.Second }
