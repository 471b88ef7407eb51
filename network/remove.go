package network

import (
	"context"
	"fmt"
	"strings"
)

// Remove deletes a network: its bridge, its rules, its state, and the
// nftables table with the last network. Endpoints whose namespace is gone
// are cleaned up; a live one makes it fail with ErrInUse. With
// Options.Finisher, the bridge (and the table) may still be on their
// way out when it returns, in a process that holds the host's network lock
// till they are gone: every other change of a network waits for it.
func (m *Manager) Remove(ctx context.Context, name string) error {
	if err := m.remove(name); err != nil {
		return fmt.Errorf("remove network %q: %w", name, err)
	}
	return nil
}

func (m *Manager) remove(name string) error {
	// The kernel is asked nothing here when a finisher does the deleting:
	// finishRetired opens the connections when it has work.
	h, err := m.hold(true)
	if err != nil {
		return err
	}
	defer func() { h.release() }()
	// A removal cut short is finished first; if this Manager holds the
	// host lock already, the retired bridges are its own, left to the
	// finisher with this one's.
	if h.host != nil {
		if err := m.finishRetired(); err != nil {
			return err
		}
	}
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
	if err := m.retire(n); err != nil {
		return err
	}
	if err := m.st.removeNetwork(n.Name); err != nil {
		return err
	}
	if m.finisher != "" {
		// The host lock stays held for the finisher (Leave).
		if h.host != nil {
			m.mu.Lock()
			m.pending, h.host = h.host, nil
			m.mu.Unlock()
		}
		return nil
	}
	return m.finishRetired()
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

// stackBridges counts the stack bridges on the host, of any stack root.
func (m *Manager) stackBridges() (int, error) {
	links, err := m.nl.LinkList()
	if err != nil {
		return 0, fmt.Errorf("list links: %w", err)
	}
	n := 0
	for _, l := range links {
		if l.Type() == "bridge" && strings.HasPrefix(l.Attrs().Name, "stk") {
			n++
		}
	}
	return n, nil
}
