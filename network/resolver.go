package network

// ResolverConfig says what a container's DNS server knows.
type ResolverConfig struct {
	Run       string   // stack's Run directory, where the registry is
	Networks  []string // the container's networks: only their names answer
	Search    []string // search domains a name may carry
	Upstreams []string // host:port servers for every other name
}

// NewResolver watches the container's networks in the registry. Close it
// when the container's run ends.
func NewResolver(c ResolverConfig) (*Resolver, error) {
	g, err := newRegistry(c.Run, c.Networks)
	if err != nil {
		return nil, err
	}
	fw := newForwarder(c.Upstreams)
	return &Resolver{networks: c.Networks, search: c.Search, records: g.snapshot, forward: fw.exchange, closer: g.Close}, nil
}

// Resolver makes the DNS resolver of an attached container.
func (m *Manager) Resolver(a *Attached) (*Resolver, error) {
	return NewResolver(ResolverConfig{Run: m.st.run, Networks: a.Networks, Search: a.Search, Upstreams: a.Upstreams})
}
