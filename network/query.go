package network

import (
	"context"
	"fmt"
	"sort"

	"github.com/stackorch/stack/internal/atomicfile"
	"github.com/stackorch/stack/runtime"
)

// List returns every network with its endpoints, by name.
func (m *Manager) List(ctx context.Context) ([]Network, error) {
	nets, err := m.st.networks()
	if err != nil {
		return nil, fmt.Errorf("list networks: %w", err)
	}
	for i := range nets {
		if nets[i].Endpoints, err = m.liveEndpoints(nets[i].Name); err != nil {
			return nil, fmt.Errorf("list networks: %w", err)
		}
	}
	sort.Slice(nets, func(i, j int) bool { return nets[i].Name < nets[j].Name })
	return nets, nil
}

// Get returns one network with its endpoints.
func (m *Manager) Get(ctx context.Context, name string) (Network, error) {
	n, err := m.st.network(name)
	if err == nil {
		n.Endpoints, err = m.liveEndpoints(name)
	}
	if err != nil {
		return n, fmt.Errorf("get network %q: %w", name, err)
	}
	return n, nil
}

// liveEndpoints are the network's endpoints whose namespace still exists.
func (m *Manager) liveEndpoints(name string) ([]EndpointInfo, error) {
	eps, err := m.st.endpoints(name)
	if err != nil {
		return nil, err
	}
	out := eps[:0]
	for _, ep := range eps {
		if ep.alive() {
			out = append(out, ep)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Ports returns the ports a container publishes now, with their host ports
// resolved (for `stack port` and `ps`); none if it is not attached.
func (m *Manager) Ports(ctx context.Context, containerID string) ([]runtime.Port, error) {
	nets, err := listJSON(m.st.networksDir())
	if err != nil {
		return nil, fmt.Errorf("ports of %q: %w", containerID, err)
	}
	for _, n := range nets {
		var ep EndpointInfo
		if atomicfile.ReadJSON(m.st.endpointFile(n, containerID), &ep) == nil && len(ep.Ports) > 0 && ep.alive() {
			return ep.Ports, nil
		}
	}
	return nil, nil
}
