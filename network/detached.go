package network

import (
	"log/slog"
	"os"
	"syscall"
)

// finishEnv marks a process of this executable started by finishElsewhere;
// its value is the namespace that plays the host ("" for the process's
// own).
const finishEnv = "_STACK_NETWORK_FINISH"

// finishElsewhere starts the finisher executable to delete the retired
// bridges, handing it the host lock: the lock stays held till that process
// exits. It touches nothing of the stack root (cwd /, no file of it open),
// so a root can be unmounted meanwhile. It reports whether the process
// started; if not, the caller finishes the deletions itself.
func (m *Manager) finishElsewhere(host *os.File) bool {
	null, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		return false
	}
	defer null.Close()
	// syscall's fork and exec, not os/exec's: this is on the way out of a
	// down, and os/exec first probes the kernel for pidfds with a fork of
	// its own.
	pid, err := syscall.ForkExec(m.finisher, []string{"stack-network-finish"}, &syscall.ProcAttr{
		Dir:   "/",
		Env:   []string{finishEnv + "=" + m.hostNS, "GOMAXPROCS=1"},
		Files: []uintptr{null.Fd(), null.Fd(), null.Fd(), host.Fd()},
		// Its own session: a Ctrl-C meant for the command leaves it be.
		Sys: &syscall.SysProcAttr{Setsid: true},
	})
	if err != nil {
		m.log.Debug("delete the bridge here", "err", err)
		return false
	}
	go func() { // a long-lived caller reaps it; a CLI has exited by then
		var ws syscall.WaitStatus
		for {
			if _, err := syscall.Wait4(pid, &ws, 0, nil); err != syscall.EINTR {
				return
			}
		}
	}()
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
