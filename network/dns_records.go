package network

import (
	"net/netip"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// records are the names a container can resolve: for each of its
// networks, every name of every live endpoint on it.
type records struct {
	names map[string]map[string][]netip.Addr // network -> name -> addresses
	ptr   map[netip.Addr][2]string           // address -> container name, network
}

// buildRecords indexes endpoints by the names they answer to: container
// name, hostname, aliases (the service name among them) and short ID.
func buildRecords(eps []EndpointInfo) *records {
	r := &records{names: map[string]map[string][]netip.Addr{}, ptr: map[netip.Addr][2]string{}}
	for _, ep := range eps {
		p, err := netip.ParsePrefix(ep.IPv4)
		if err != nil {
			continue
		}
		a := p.Addr()
		byName := r.names[ep.Network]
		if byName == nil {
			byName = map[string][]netip.Addr{}
			r.names[ep.Network] = byName
		}
		seen := map[string]bool{}
		for _, n := range append([]string{ep.Name, ep.Hostname}, ep.Aliases...) {
			n = strings.ToLower(n)
			if n != "" && !seen[n] {
				seen[n] = true
				byName[n] = append(byName[n], a)
			}
		}
		if ep.Name != "" {
			r.ptr[a] = [2]string{ep.Name, ep.Network}
		}
	}
	return r
}

// lookup finds name (lowercase, no trailing dot) on the given network,
// also as name.<network>.
func (r *records) lookup(network, name string) []netip.Addr {
	byName := r.names[network]
	if a := byName[name]; a != nil {
		return a
	}
	if short, ok := strings.CutSuffix(name, "."+strings.ToLower(network)); ok {
		return byName[short]
	}
	return nil
}

// registry keeps the records of a set of networks current: it watches the
// endpoint directories with inotify and reads them again after any change.
// A query first drains the inotify queue (one non-blocking read), so an
// answer never predates an Attach or Detach that returned before it.
type registry struct {
	dirs   map[string]string // network -> endpoint directory
	fd     int
	events atomic.Uint64 // changes seen
	loaded atomic.Uint64 // changes the current records include
	mu     sync.Mutex
	cur    atomic.Pointer[records]
}

func newRegistry(run string, networks []string) (*registry, error) {
	s := store{run: run}
	g := &registry{dirs: map[string]string{}, fd: -1}
	fd, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
	if err != nil {
		return nil, err
	}
	g.fd = fd
	for _, n := range networks {
		dir := s.endpointDir(n)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			g.Close()
			return nil, err
		}
		mask := uint32(unix.IN_CREATE | unix.IN_DELETE | unix.IN_MOVED_TO | unix.IN_MOVED_FROM | unix.IN_CLOSE_WRITE)
		if _, err := unix.InotifyAddWatch(fd, dir, mask); err != nil {
			g.Close()
			return nil, err
		}
		g.dirs[n] = dir
	}
	g.cur.Store(g.load())
	return g, nil
}

// load reads every live endpoint of the networks.
func (g *registry) load() *records {
	var all []EndpointInfo
	for _, dir := range g.dirs {
		eps, _ := readEndpoints(dir)
		for _, ep := range eps {
			if ep.alive() {
				all = append(all, ep)
			}
		}
	}
	return buildRecords(all)
}

// poll drains pending inotify events and counts them as one change.
func (g *registry) poll() {
	var buf [4096]byte
	for {
		n, err := unix.Read(g.fd, buf[:])
		if n <= 0 || err != nil {
			return
		}
		g.events.Add(1)
	}
}

// snapshot returns records that include every change made so far.
func (g *registry) snapshot() *records {
	g.poll()
	if want := g.events.Load(); g.loaded.Load() < want {
		g.mu.Lock()
		if g.loaded.Load() < want {
			seen := g.events.Load()
			g.cur.Store(g.load())
			g.loaded.Store(seen)
		}
		g.mu.Unlock()
	}
	return g.cur.Load()
}

func (g *registry) Close() error {
	if g.fd >= 0 {
		unix.Close(g.fd)
		g.fd = -1
	}
	return nil
}
