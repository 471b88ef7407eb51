package network

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/google/nftables"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Options say where a Manager keeps its state and which namespace is the
// host.
type Options struct {
	Lib, Run string // stack's state directories: state goes in <dir>/network
	Logger   *slog.Logger
	// HostNetns is the path of the network namespace that plays the host
	// (bridges, nftables, port reservations); "" is the caller's own. Tests
	// set a throwaway namespace.
	HostNetns string
	// Finisher, if set, lets Remove return before the kernel has deleted
	// the bridge, which waits out RCU grace periods (about 40 ms): the
	// deletion goes on in a detached process of the executable at this
	// path, whose main calls Reexec first. Remove keeps the host's network
	// lock held for it, so the next change of any network waits for it;
	// Leave hands the deletion to the caller's detached process, else the
	// Manager's next change or Close starts one for it alone.
	Finisher string
}

// Manager makes and removes networks and attaches containers to them.
// Its methods may be called from any goroutine and, through the lock on
// disk, from any number of processes at once.
type Manager struct {
	st       store
	log      *slog.Logger
	hostNS   string
	finisher string

	// The connections to the host namespace: opened for the Manager's
	// life by the first method that makes or removes networks (kernel),
	// for their own time only by Attach and Detach (borrow).
	kmu     sync.Mutex
	users   int  // Attach and Detach calls using them
	lasting bool // kept until Close
	nsFd    *os.File
	nl      *netlink.Handle // each opened when first needed
	nft     *nftables.Conn
	// nftDeleted: nft deleted rules. Closing it then waits out the kernel's
	// deferred destruction of them (an RCU grace period, 4-8 ms), so the
	// end of an Attach or Detach leaves it open for Close.
	nftDeleted atomic.Bool

	// chg is held through each change (hold): a Remove may leave the host
	// lock held by this Manager, which the next change of this process
	// goes on under or lets go of, never takes a second time.
	chg sync.Mutex

	mu    sync.Mutex
	holds map[string][]io.Closer // port reservations this process holds, by container
	// pending is the host lock Remove keeps held for the finisher of the
	// bridges it retired (Leave).
	pending *os.File
}

// Open opens the network state under o.Lib and o.Run, creating it if
// needed. The kernel is not touched until a method needs it.
func Open(o Options) (*Manager, error) {
	if o.Lib == "" || o.Run == "" {
		return nil, fmt.Errorf("open network state: %w: Lib and Run are needed", ErrInvalid)
	}
	lib, err := filepath.Abs(o.Lib)
	if err != nil {
		return nil, err
	}
	run, err := filepath.Abs(o.Run)
	if err != nil {
		return nil, err
	}
	m := &Manager{st: store{lib: lib, run: run}, log: o.Logger, hostNS: o.HostNetns, finisher: o.Finisher, holds: map[string][]io.Closer{}}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if err := m.st.init(); err != nil {
		return nil, fmt.Errorf("open network state %q: %w", lib, err)
	}
	return m, nil
}

// kernel opens the connections to the host namespace, nftables and
// netlink, for the rest of the Manager's life.
func (m *Manager) kernel() error {
	m.kmu.Lock()
	defer m.kmu.Unlock()
	if err := m.openTables(); err != nil {
		return err
	}
	if err := m.openHandle(); err != nil {
		return err
	}
	m.lasting = true
	return nil
}

// borrow begins an Attach or Detach, which opens the connections it needs
// (tables, handle), and returns what ends it: the connections are closed
// unless another call still uses them or the Manager keeps them. A
// monitor attaches its container, and detaches it at its end: it holds
// no connection to the kernel in between, only its port reservations.
func (m *Manager) borrow() func() {
	m.kmu.Lock()
	defer m.kmu.Unlock()
	m.users++
	return func() {
		m.kmu.Lock()
		defer m.kmu.Unlock()
		if m.users--; m.users == 0 && !m.lasting {
			m.closeKernel(false)
		}
	}
}

// tables opens the nftables connection to the host if it is not open:
// between borrow and its end, or after kernel.
func (m *Manager) tables() error {
	m.kmu.Lock()
	defer m.kmu.Unlock()
	return m.openTables()
}

// handle opens vishvananda's netlink handle to the host likewise.
func (m *Manager) handle() error {
	m.kmu.Lock()
	defer m.kmu.Unlock()
	return m.openHandle()
}

func (m *Manager) openNS() error {
	if m.nsFd != nil {
		return nil
	}
	path := m.hostNS
	if path == "" {
		path = "/proc/self/ns/net"
	}
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open host netns %q: %w", path, err)
	}
	m.nsFd = f
	return nil
}

func (m *Manager) openTables() error {
	if m.nft != nil {
		return nil
	}
	if err := m.openNS(); err != nil {
		return err
	}
	// In its own namespace a socket needs no thread sent to one.
	opts := []nftables.ConnOption{nftables.AsLasting()}
	if m.hostNS != "" {
		opts = append(opts, nftables.WithNetNSFd(int(m.nsFd.Fd())))
	}
	var err error
	if m.nft, err = nftables.New(opts...); err != nil {
		m.nft = nil
		return fmt.Errorf("open nftables: %w", err)
	}
	return nil
}

func (m *Manager) openHandle() error {
	if m.nl != nil {
		return nil
	}
	if err := m.openNS(); err != nil {
		return err
	}
	var err error
	if m.hostNS == "" {
		m.nl, err = netlink.NewHandle()
	} else {
		m.nl, err = netlink.NewHandleAt(netns.NsHandle(m.nsFd.Fd()))
	}
	if err != nil {
		m.nl = nil
		return fmt.Errorf("open netlink: %w", err)
	}
	return nil
}

// closeKernel closes the connections; the nftables one that deleted rules
// only if all.
func (m *Manager) closeKernel(all bool) {
	if m.nft != nil && (all || !m.nftDeleted.Load()) {
		m.nft.CloseLasting()
		m.nft = nil
		m.nftDeleted.Store(false)
	}
	if m.nl != nil {
		m.nl.Close()
		m.nl = nil
	}
	if m.nsFd != nil {
		m.nsFd.Close()
		m.nsFd = nil
	}
}

// Close releases the manager's connections and every port reservation it
// still holds. It may wait some milliseconds for the kernel (see
// nftDeleted): a process on its way out closes it last, or not at all.
func (m *Manager) Close() error {
	m.chg.Lock()
	m.settle()
	m.chg.Unlock()
	m.mu.Lock()
	for id, hs := range m.holds {
		closeAll(hs)
		delete(m.holds, id)
	}
	m.mu.Unlock()
	m.kmu.Lock()
	m.closeKernel(true)
	m.kmu.Unlock()
	return nil
}

func closeAll(cs []io.Closer) {
	for _, c := range cs {
		c.Close()
	}
}
