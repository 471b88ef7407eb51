package network

import (
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
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

// registry keeps the records of a set of networks current: it reads them
// when first asked (a container that never asks never reads them), and
// again whenever one of their generations has moved since it last did, so
// an answer never predates an Attach or Detach that returned before it.
type registry struct {
	dirs   map[string]string // network -> endpoint directory
	gens   []*generation
	loaded atomic.Uint64 // the sum of the generations the records include
	mu     sync.Mutex
	cur    atomic.Pointer[records]
}

func newRegistry(run string, networks []string) (*registry, error) {
	s := store{run: run}
	g := &registry{dirs: map[string]string{}}
	for _, n := range networks {
		dir := s.endpointDir(n)
		gen, err := openGeneration(dir)
		if err != nil {
			g.Close()
			return nil, err
		}
		g.gens = append(g.gens, gen)
		g.dirs[n] = dir
	}
	return g, nil
}

// generation sums the networks' generations: it moves whenever one does.
func (g *registry) generation() uint64 {
	var sum uint64
	for _, gen := range g.gens {
		sum += gen.load()
	}
	return sum
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

// snapshot returns records that include every change made so far.
func (g *registry) snapshot() *records {
	if cur := g.cur.Load(); cur != nil && g.loaded.Load() == g.generation() {
		return cur
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if seen := g.generation(); g.cur.Load() == nil || g.loaded.Load() != seen {
		g.cur.Store(g.load())
		g.loaded.Store(seen)
	}
	return g.cur.Load()
}

func (g *registry) Close() error {
	for _, gen := range g.gens {
		gen.close()
	}
	g.gens = nil
	return nil
}
