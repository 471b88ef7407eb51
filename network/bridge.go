package network

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"

	"github.com/stackorch/stack/internal/owner"
)

// ensureBridge makes the network's bridge, with the gateway address, up.
// An existing bridge is only checked again when full.
func (m *Manager) ensureBridge(n Network, full bool) error {
	p, err := n.ipam()
	if err != nil {
		return err
	}
	link, err := m.nl.LinkByName(n.Bridge)
	var notFound netlink.LinkNotFoundError
	switch {
	case errors.As(err, &notFound):
		attrs := netlink.NewLinkAttrs()
		attrs.Name, attrs.MTU = n.Bridge, n.MTU
		// A fixed MAC: a bridge otherwise takes its lowest port's, which
		// changes as containers come and go.
		attrs.HardwareAddr = macFor(p.gateway)
		// The group says which stack root made it (owner); the kernel
		// takes no alias in a create, so that is a second, one-off request.
		attrs.Group = owner.Group(m.st.lib)
		link = &netlink.Bridge{LinkAttrs: attrs}
		if err := m.nl.LinkAdd(link); err != nil {
			return fmt.Errorf("create bridge %q: %w", n.Bridge, err)
		}
		if err := m.nl.LinkSetAlias(link, owner.Alias(m.st.lib, "network "+n.Name)); err != nil {
			m.deleteLink(n.Bridge)
			return fmt.Errorf("name bridge %q: %w", n.Bridge, err)
		}
		m.log.Debug("bridge created", "bridge", n.Bridge)
	case err != nil:
		return fmt.Errorf("find bridge %q: %w", n.Bridge, err)
	default:
		if _, ok := link.(*netlink.Bridge); !ok {
			return fmt.Errorf("bridge %q: %w: a %s link has that name", n.Bridge, ErrConflict, link.Type())
		}
		if !full {
			return nil
		}
	}
	gw := &netlink.Addr{IPNet: ipNet(p.gateway, p.subnet.Bits())}
	if err := m.nl.AddrReplace(link, gw); err != nil {
		return fmt.Errorf("address bridge %q: %w", n.Bridge, err)
	}
	if err := m.nl.LinkSetUp(link); err != nil {
		return fmt.Errorf("set bridge %q up: %w", n.Bridge, err)
	}
	// 127.0.0.1:port DNATed to a container leaves through the bridge with
	// a loopback source, which the kernel drops unless route_localnet.
	if err := writeSysctl(m.hostNS, "net/ipv4/conf/"+n.Bridge+"/route_localnet", "1"); err != nil {
		return fmt.Errorf("route_localnet on %q: %w", n.Bridge, err)
	}
	if !n.Internal {
		if err := writeSysctl(m.hostNS, "net/ipv4/ip_forward", "1"); err != nil {
			return fmt.Errorf("enable ip_forward: %w", err)
		}
	}
	return nil
}

// deleteBridge removes the network's bridge if it is there.
func (m *Manager) deleteBridge(n Network) error { return m.deleteBridgeNamed(n.Bridge) }

// ipNet is addr/bits as a net.IPNet.
func ipNet(a netip.Addr, bits int) *net.IPNet {
	return &net.IPNet{IP: a.AsSlice(), Mask: net.CIDRMask(bits, 32)}
}
