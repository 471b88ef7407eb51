package network

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"slices"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/internal/atomicfile"
	"github.com/stackorch/stack/runtime"
)

// Detach undoes Attach for a container's run: it frees the addresses,
// removes the DNAT rules and the DNS names, releases the host ports this
// process holds, and deletes the veths if the namespace is still alive (a
// dead namespace takes its veths with it). Detaching a container that is
// not attached does nothing.
func (m *Manager) Detach(ctx context.Context, containerID string) error {
	defer m.borrow()()
	unlock, err := m.lock()
	if err != nil {
		return err
	}
	defer unlock()
	if err := m.detachLocked(containerID); err != nil {
		return fmt.Errorf("detach container %q: %w", containerID, err)
	}
	return nil
}

func (m *Manager) detachLocked(id string) error {
	defer m.release(id)
	nets, err := listJSON(m.st.networksDir())
	if err != nil {
		return err
	}
	for _, n := range nets {
		var ep EndpointInfo
		err := atomicfile.ReadJSON(m.st.endpointFile(n, id), &ep)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if ep.alive() {
			if err := m.deleteLink(ep.HostVeth); err != nil {
				return fmt.Errorf("delete veth %q: %w", ep.HostVeth, err)
			}
		}
		if err := m.forget(ep); err != nil {
			return err
		}
	}
	return nil
}

// forget removes an endpoint's rules and record.
func (m *Manager) forget(ep EndpointInfo) error {
	if len(ep.Ports) > 0 {
		ok, err := m.tableExists()
		if err != nil {
			return err
		}
		if ok {
			if err := m.tables(); err != nil {
				return err
			}
			if err := m.removeEndpointRules(ep.ContainerID); err != nil {
				return err
			}
			if err := m.flush("unpublish ports of " + ep.Name); err != nil {
				return err
			}
		}
		m.forgetFlows(ep.Ports)
	}
	return m.st.removeEndpoint(ep.Network, ep.ContainerID)
}

// release closes the host ports this process holds for a container.
func (m *Manager) release(id string) {
	m.mu.Lock()
	hs := m.holds[id]
	delete(m.holds, id)
	m.mu.Unlock()
	closeAll(hs)
}

// holdPorts resolves and reserves a container's published ports.
func (m *Manager) holdPorts(id string, ports []runtime.Port, undo *undoList) ([]runtime.Port, error) {
	if len(ports) == 0 {
		return nil, nil
	}
	taken, err := m.publishedPorts(id)
	if err != nil {
		return nil, err
	}
	undo.add(func() { m.release(id) })
	var out []runtime.Port
	for _, p := range ports {
		p, err := normPort(p)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(append(taken, out...), func(t runtime.Port) bool { return overlap(p, t) }) {
			return nil, fmt.Errorf("bind %q: %w", portString(p), ErrPortUsed)
		}
		p, hold, err := m.reserve(p)
		if err != nil {
			return nil, err
		}
		m.mu.Lock()
		m.holds[id] = append(m.holds[id], hold)
		m.mu.Unlock()
		out = append(out, p)
	}
	return out, nil
}

// allocate gives an address on n: static if asked, else the lowest free.
func (m *Manager) allocate(n Network, static string) (netip.Prefix, error) {
	p, err := n.ipam()
	if err != nil {
		return netip.Prefix{}, err
	}
	eps, err := m.st.endpoints(n.Name)
	if err != nil {
		return netip.Prefix{}, err
	}
	used := map[netip.Addr]bool{p.gateway: true}
	for _, ep := range eps {
		if !ep.alive() {
			if err := m.forget(ep); err != nil {
				return netip.Prefix{}, err
			}
			continue
		}
		if a, err := netip.ParsePrefix(ep.IPv4); err == nil {
			used[a.Addr()] = true
		}
	}
	if static == "" {
		a, err := allocate(p.subnet, p.pool, used)
		return netip.PrefixFrom(a, p.subnet.Bits()), err
	}
	a, err := netip.ParseAddr(static)
	if err != nil || !p.subnet.Contains(a) || a == p.subnet.Masked().Addr() || a == broadcast(p.subnet) {
		return netip.Prefix{}, fmt.Errorf("ipv4_address %q: %w: not a host address of %s", static, ErrInvalid, p.subnet)
	}
	if used[a] {
		return netip.Prefix{}, fmt.Errorf("ipv4_address %q: %w", static, ErrAddressUsed)
	}
	return netip.PrefixFrom(a, p.subnet.Bits()), nil
}

// forgetFlows drops the conntrack entries of published UDP ports: a UDP
// "connection" DNATed to a stopped container would otherwise keep going
// to its old address until it times out. Best effort.
func (m *Manager) forgetFlows(ports []runtime.Port) {
	if !slices.ContainsFunc(ports, func(p runtime.Port) bool { return p.Protocol == "udp" }) {
		return
	}
	if err := m.handle(); err != nil {
		m.log.Debug("forget udp flows", "err", err)
		return
	}
	for _, p := range ports {
		if p.Protocol != "udp" {
			continue
		}
		f := &netlink.ConntrackFilter{}
		f.AddProtocol(unix.IPPROTO_UDP)
		f.AddPort(netlink.ConntrackOrigDstPort, p.HostPort)
		if _, err := m.nl.ConntrackDeleteFilters(netlink.ConntrackTable, unix.AF_INET, f); err != nil {
			m.log.Debug("forget udp flows", "port", p.HostPort, "err", err)
		}
	}
}
