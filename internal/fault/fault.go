// Package fault kills the process at a named point when the environment
// asks for it, so that tests can prove stack recovers from dying there:
//
//	STACK_FAULT=up.after-network stack up -d   # dies once the networks exist
//
// A point costs one string comparison when STACK_FAULT is unset (two when
// set: POINT:alone kills only the process that reaches it). Points
// are named <verb or step>.<when>; Names lists them.
package fault

import (
	"os"
	"syscall"
)

// Env is the variable that names the point to die at.
const Env = "STACK_FAULT"

var armed = os.Getenv(Env)

// Names are the points stack has, for tests and for people.
var Names = []string{
	"up.after-network",   // cmd/stack: the project's networks are made
	"up.after-create",    // cmd/stack: the first container is created, not started
	"start.after-cgroup", // monitor: the container's cgroup is made
	"start.after-netns",  // monitor: init is cloned in its namespaces
	"start.after-attach", // monitor: its veths, addresses and rules are made
	"start.after-mounts", // monitor: init has built the root file system
	"pull.after-layer",   // image: a layer is stored, the image is not yet
}

// Point dies by SIGKILL if STACK_FAULT names it; also, first, each pid
// of also (a monitor takes its CLI with it: `up` dies at that step), but
// when STACK_FAULT is POINT:alone.
func Point(name string, also ...int) {
	if armed != name {
		if armed == name+":alone" {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {}
		}
		return
	}
	for _, pid := range also {
		if pid > 1 {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {} // SIGKILL is not handled: nothing runs on
}

// Armed reports the point STACK_FAULT names, "" for none: a process that
// starts another passes it on.
func Armed() string { return armed }
