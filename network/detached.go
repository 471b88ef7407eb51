package network

import (
	"log/slog"
	"os"

	"github.com/stackorch/stack/internal/detach"
)

// finishEnv marks a process of this executable started by finishElsewhere;
// its value is the namespace that plays the host ("" for the process's
// own).
const finishEnv = "_STACK_NETWORK_FINISH"

// finishElsewhere starts the finisher executable to delete the retired
// bridges, handing it the host lock: the lock stays held till that process
// exits. It opens no file of the stack root and runs from /, though its
// executable may be the root's shim (a test that unmounts the root waits
// for the lock first). It reports whether the process
// started; if not, the caller finishes the deletions itself.
func (m *Manager) finishElsewhere(host *os.File) bool {
	env := []string{finishEnv + "=" + m.hostNS, "GOMAXPROCS=1"}
	if err := detach.Start(m.finisher, []string{"stack-network-finish"}, env, host); err != nil {
		m.log.Debug("delete the bridge here", "err", err)
		return false
	}
	return true
}

// Reexec deletes retired bridges and exits when this process was started
// for that (see Options.Finisher); otherwise it returns false at once. The
// finisher's main calls it first thing.
func Reexec() bool {
	hostNS, ok := os.LookupEnv(finishEnv)
	if !ok {
		return false
	}
	// fd 3 is the host lock, held since the parent took it; it goes when
	// this process does.
	m := &Manager{hostNS: hostNS, log: slog.New(slog.DiscardHandler)}
	err := m.kernel()
	if err == nil {
		err = m.finishRetired()
	}
	if err != nil {
		os.Exit(1) // the next change of a network finishes them, and says why not
	}
	os.Exit(0)
	return true
}
