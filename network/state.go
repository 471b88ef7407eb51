package network

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/internal/atomicfile"
	"github.com/stackorch/stack/runtime"
)

// Network is a network as stack remembers it.
type Network struct {
	Name     string
	ID       string
	Driver   string // always "bridge"
	Internal bool
	Subnet   string // CIDR, e.g. 172.18.0.0/16
	Gateway  string // the bridge's address
	IPRange  string // CIDR addresses are allocated from; "" means the subnet
	Bridge   string // the Linux bridge, stk-<id>
	MTU      int    // 0 means the kernel's default (1500)
	Labels   map[string]string
	Created  time.Time
	// Endpoints are the containers attached now; filled by Get and List.
	Endpoints []EndpointInfo `json:"-"`
}

// EndpointInfo is one container's attachment to one network, as recorded.
type EndpointInfo struct {
	ContainerID string
	Name        string // the container's name
	Hostname    string
	Network     string
	Interface   string // inside the container: eth0, eth1, ...
	HostVeth    string // the bridge's side
	IPv4        string // CIDR, e.g. 172.18.0.2/16
	MAC         string
	Aliases     []string
	// Ports are the published ports with their host ports resolved; only
	// on the endpoint they are forwarded to (the container's first
	// network that is not internal).
	Ports    []runtime.Port `json:",omitempty"`
	Netns    string
	NetnsID  nsIdentity
	Attached time.Time
}

// store is where the state lives: Lib/network and Run/network.
type store struct{ lib, run string }

func (s store) networksDir() string         { return filepath.Join(s.lib, "network", "networks") }
func (s store) networkFile(n string) string { return filepath.Join(s.networksDir(), n+".json") }
func (s store) endpointsDir() string        { return filepath.Join(s.run, "network", "endpoints") }
func (s store) endpointDir(n string) string { return filepath.Join(s.endpointsDir(), n) }
func (s store) endpointFile(n, id string) string {
	return filepath.Join(s.endpointDir(n), id+".json")
}

func (s store) init() error {
	for _, d := range []string{s.networksDir(), s.endpointsDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	return nil
}

// hostLock is taken by every change of every stack root on the machine,
// after the root's own lock: the nftables table and Docker's FORWARD chain
// are the host's, shared by all roots, and their rules are changed by
// listing and deleting by handle, which must not interleave.
const hostLock = "/run/stack-network.lock"

// hold takes the locks of a change. The deletions a Remove left go on
// their way first (settle), unless keep: another Remove then goes on under
// the host lock this Manager holds for them, and leaves it held.
func (m *Manager) hold(keep bool) (held, error) {
	m.chg.Lock()
	if !keep {
		m.settle()
	}
	m.mu.Lock()
	kept := m.pending != nil
	m.mu.Unlock()
	var h held
	var err error
	if kept {
		h.own, err = m.st.holdOwn()
	} else {
		h, err = m.st.hold()
	}
	if err != nil {
		m.chg.Unlock()
		return held{}, err
	}
	h.chg = &m.chg
	return h, nil
}

// lock takes the exclusive locks every change holds (the root's, then the
// host's); unlock with the returned function.
func (m *Manager) lock() (func(), error) {
	h, err := m.hold(false)
	if err != nil {
		return nil, err
	}
	return h.release, nil
}

// held is the two locks, open. The host's may be handed to another
// process: it stays held till that one exits too (a flock belongs to the
// open file), and every change, of any root, waits for it.
// In a Manager, chg is its changes' mutex (see Manager.chg).
type held struct {
	own, host *os.File
	chg       *sync.Mutex
}

func (s store) hold() (held, error) {
	own, err := s.holdOwn()
	if err != nil {
		return held{}, err
	}
	host, err := flock(hostLock)
	if err != nil {
		own.Close()
		return held{}, fmt.Errorf("lock the host's network rules: %w", err)
	}
	return held{own: own, host: host}, nil
}

// holdOwn takes the root's lock alone.
func (s store) holdOwn() (*os.File, error) {
	own, err := flock(filepath.Join(s.run, "network", "lock"))
	if err != nil {
		return nil, fmt.Errorf("lock network state: %w", err)
	}
	return own, nil
}

func (h held) release() {
	if h.host != nil {
		h.host.Close()
	}
	h.own.Close()
	if h.chg != nil {
		h.chg.Unlock()
	}
}

func flock(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// validName keeps names usable as file names.
func validName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return fmt.Errorf("network name %q: %w", name, ErrInvalid)
	}
	return nil
}

func (s store) network(name string) (Network, error) {
	var n Network
	if err := validName(name); err != nil {
		return n, err
	}
	err := atomicfile.ReadJSON(s.networkFile(name), &n)
	if errors.Is(err, fs.ErrNotExist) {
		return n, ErrNotFound
	}
	return n, err
}

func (s store) networks() ([]Network, error) {
	names, err := listJSON(s.networksDir())
	if err != nil {
		return nil, err
	}
	var out []Network
	for _, name := range names {
		n, err := s.network(name)
		if errors.Is(err, ErrNotFound) {
			continue // removed meanwhile
		}
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

func (s store) saveNetwork(n Network) error {
	return atomicfile.WriteJSON(s.networkFile(n.Name), n, 0o600)
}

// endpoints reads the endpoints recorded on network name.
func (s store) endpoints(name string) ([]EndpointInfo, error) {
	return readEndpoints(s.endpointDir(name))
}

func readEndpoints(dir string) ([]EndpointInfo, error) {
	ids, err := listJSON(dir)
	if err != nil {
		return nil, err
	}
	out := make([]EndpointInfo, 0, len(ids))
	for _, id := range ids {
		var ep EndpointInfo
		err := atomicfile.ReadJSON(filepath.Join(dir, id+".json"), &ep)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ep)
	}
	return out, nil
}

func (s store) saveEndpoint(ep EndpointInfo) error {
	if err := os.MkdirAll(s.endpointDir(ep.Network), 0o755); err != nil {
		return err
	}
	if err := atomicfile.WriteJSON(s.endpointFile(ep.Network, ep.ContainerID), ep, 0o644); err != nil {
		return err
	}
	return bumpGeneration(s.endpointDir(ep.Network))
}

func (s store) removeEndpoint(network, id string) error {
	err := os.Remove(s.endpointFile(network, id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return bumpGeneration(s.endpointDir(network))
}

// listJSON lists the names of the *.json files in dir, without the
// extension; a missing dir has none.
func listJSON(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".json"); ok && !strings.HasPrefix(name, ".") {
			out = append(out, name)
		}
	}
	return out, nil
}

// alive reports whether the endpoint's network namespace still exists:
// the path still names the namespace it was attached in.
func (ep EndpointInfo) alive() bool {
	id, err := identify(ep.Netns)
	return err == nil && id == ep.NetnsID
}

func (s store) removeNetwork(name string) error {
	if err := os.RemoveAll(s.endpointDir(name)); err != nil {
		return err
	}
	err := os.Remove(s.networkFile(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
