package network

import (
	"context"
	"fmt"
	"sort"
)

// Remove deletes a network: its bridge, its rules, its state, and the
// nftables table with the last network. Endpoints whose namespace is gone
// are cleaned up; a live one makes it fail with ErrInUse.
func (m *Manager) Remove(ctx context.Context, name string) error {
	if err := m.remove(name); err != nil {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	return nil
}

func (m *Manager) remove(name string) error {
	if err := m.kernel(); err != nil {
		return err
	}
	unlock, err := m.st.lock()
	if err != nil {
		return err
	}
	defer unlock()
	n, err := m.st.network(name)
	if err != nil {
		return err
	}
	live, err := m.prune(n.Name)
	if err != nil {
		return err
	}
	if len(live) > 0 {
		return fmt.Errorf("%w: %d containers, first %q", ErrInUse, len(live), live[0].Name)
	}
	if err := m.removeNetworkRules(n); err != nil {
		return err
	}
	if err := m.deleteBridge(n); err != nil {
		return err
	}
	if err := m.st.removeNetwork(n.Name); err != nil {
		return err
	}
	rest, err := m.st.networks()
	if err != nil || len(rest) > 0 {
		return err
	}
	if err := m.removeCompat(); err != nil {
		return err
	}
	return m.deleteTable()
}

// prune forgets the endpoints of a network whose namespace is gone (their
// monitor died without detaching) and returns the live ones.
func (m *Manager) prune(network string) ([]EndpointInfo, error) {
	eps, err := m.st.endpoints(network)
	if err != nil {
		return nil, err
	}
	var live []EndpointInfo
	for _, ep := range eps {
		if ep.alive() {
			live = append(live, ep)
			continue
		}
		if err := m.forget(ep); err != nil {
			return live, err
		}
	}
	return live, nil
}

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
