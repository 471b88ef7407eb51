package network

import (
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/stackorch/stack/internal/detach"
)

// finishEnv is the network's job in a detached process (internal/detach):
// "FD:HOSTNS", the descriptor of the host lock it inherits and the
// namespace that plays the host ("" for the process's own).
const finishEnv = "_STACK_NETWORK_FINISH"

// Leave adds to j the deletions Remove left, if any: the process j starts
// inherits the host lock, held since Remove took it, and deletes the
// retired bridges and rules. It opens no file of the stack root and runs
// from /, though its executable may be the root's shim (a test that
// unmounts the root waits for the lock first). Without Options.Finisher,
// Remove has done them itself.
func (m *Manager) Leave(j *detach.Jobs) {
	m.mu.Lock()
	host := m.pending
	m.pending = nil
	m.mu.Unlock()
	if host == nil {
		return
	}
	fd := j.Pass(host)
	j.Add(finishEnv+"="+strconv.Itoa(fd)+":"+m.hostNS, func() {
		if err := m.finishRetired(); err != nil {
			m.log.Debug("delete the retired bridges", "err", err)
		}
	})
}

// settle starts the deletions Remove left, before this process takes the
// host lock again: it holds it still, and a second open file of it would
// wait for the first forever.
func (m *Manager) settle() {
	var j detach.Jobs
	m.Leave(&j)
	j.Start(m.finisher)
}

// Reexec deletes retired bridges when this process is a detached one
// (internal/detach) with that job, and reports whether it was; it lets go
// of the host lock when done, and leaves the process to the other jobs.
// The finisher's main calls it first thing.
func Reexec() bool {
	v, ok := os.LookupEnv(finishEnv)
	if !ok || !detach.Started() {
		return false
	}
	fd, hostNS, _ := strings.Cut(v, ":")
	n, err := strconv.Atoi(fd)
	if err != nil || n < 3 {
		return true
	}
	lock := os.NewFile(uintptr(n), "host lock")
	m := &Manager{hostNS: hostNS, log: slog.New(slog.DiscardHandler)}
	if m.kernel() == nil {
		m.finishRetired() // on failure the next change of a network finishes them, and says why not
	}
	lock.Close()
	return true
}
