package network

import (
	"os"
	"testing"
)

// TestMain lets this test binary be the finisher of a detached removal
// (Options.Finisher).
func TestMain(m *testing.M) {
	if Reexec() {
		return
	}
	os.Exit(m.Run())
}
