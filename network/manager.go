package network

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"

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
	// deletion goes on in a process of the executable at this path, whose
	// main calls Reexec first, started holding the host's network lock, so
	// the next change of any network waits for it.
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

	once    sync.Once
	openErr error
	nsFd    *os.File
	nl      *netlink.Handle
	nft     *nftables.Conn

	mu    sync.Mutex
	holds map[string][]io.Closer // port reservations this process holds, by container
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

// kernel opens the netlink and nftables connections to the host namespace.
func (m *Manager) kernel() error {
	m.once.Do(func() {
		m.openErr = m.openKernel()
	})
	return m.openErr
}

func (m *Manager) openKernel() error {
	path := m.hostNS
	if path == "" {
		path = "/proc/self/ns/net"
	}
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open host netns %q: %w", path, err)
	}
	m.nsFd = f
	if m.hostNS == "" {
		m.nl, err = netlink.NewHandle()
	} else {
		m.nl, err = netlink.NewHandleAt(netns.NsHandle(f.Fd()))
	}
	if err != nil {
		return fmt.Errorf("open netlink: %w", err)
	}
	if m.nft, err = nftables.New(nftables.WithNetNSFd(int(f.Fd())), nftables.AsLasting()); err != nil {
		return fmt.Errorf("open nftables: %w", err)
	}
	return nil
}

// Close releases the manager's connections and every port reservation it
// still holds.
func (m *Manager) Close() error {
	m.mu.Lock()
	for id, hs := range m.holds {
		closeAll(hs)
		delete(m.holds, id)
	}
	m.mu.Unlock()
	if m.nft != nil {
		m.nft.CloseLasting()
	}
	if m.nl != nil {
		m.nl.Close()
	}
	if m.nsFd != nil {
		m.nsFd.Close()
	}
	return nil
}

func closeAll(cs []io.Closer) {
	for _, c := range cs {
		c.Close()
	}
}
