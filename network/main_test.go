package network

import (
	"os"
	"testing"
)

// TestMain lets this test binary be the process a detached removal starts
// (Options.DetachRemovals re-executes /proc/self/exe).
func TestMain(m *testing.M) {
	if Reexec() {
		return
	}
	os.Exit(m.Run())
}
