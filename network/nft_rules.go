package network

import (
	"fmt"
	"net/netip"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

var loopback = netip.MustParsePrefix("127.0.0.0/8")

// LoopbackSource is the address a container sees connections to its ports
// published on the host's 127.0.0.1 come from. It is link-local, on no
// link: the container answers it through its gateway, and the host turns
// the answer back to 127.0.0.1.
var LoopbackSource = netip.MustParseAddr("169.254.127.1")

// ensureTable creates the table if it is missing (first network, or after
// a reboot or a flush of the ruleset) with the rules of every network and
// container stack knows; created says it did.
func (m *Manager) ensureTable() (created bool, err error) {
	ok, err := m.tableExists()
	if err != nil || ok {
		return false, err
	}
	if err := m.tables(); err != nil {
		return false, err
	}
	m.addTable()
	nets, err := m.st.networks()
	if err != nil {
		return false, err
	}
	for _, n := range nets {
		if err := m.addNetworkRules(n); err != nil {
			return false, err
		}
		eps, err := m.st.endpoints(n.Name)
		if err != nil {
			return false, err
		}
		for _, ep := range eps {
			if ep.alive() {
				m.addEndpointRules(ep)
			}
		}
	}
	if err := m.flush("create nftables table " + tableName); err != nil {
		return false, err
	}
	return true, m.ensureCompat()
}

func (m *Manager) flush(what string) error {
	if err := m.nft.Flush(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// addNetworkRules queues the forwarding and NAT rules of one network.
func (m *Manager) addNetworkRules(n Network) error {
	sub, err := netip.ParsePrefix(n.Subnet)
	if err != nil {
		return fmt.Errorf("network %q: subnet: %w", n.Name, err)
	}
	t := tag(m.netTag(n.Name))
	add := func(ch *nftables.Chain, e []expr.Any) {
		m.nft.AddRule(&nftables.Rule{Table: table, Chain: ch, Exprs: e, UserData: t})
	}
	b := n.Bridge
	add(chForward, rule(iif(b), oif(b), accept()))
	if n.Internal {
		add(chForward, rule(iif(b), drop()))
		add(chForward, rule(oif(b), drop()))
		return nil
	}
	add(chForward, rule(iif(b), oif(stkLinks), drop())) // isolation
	add(chForward, rule(iif(b), accept()))              // egress
	add(chForward, rule(oif(b), drop()))                // nothing unasked in
	add(chPostNAT, rule(addrIn(true, sub), notOif(b), masquerade()))
	// A container reaching a published port of its own network through a
	// host address must see the answer come from where it sent.
	add(chPostNAT, rule(addrIn(true, sub), oif(b), ctDNAT(), masquerade()))
	return nil
}

// removeNetworkRules deletes the rules of one network.
func (m *Manager) removeNetworkRules(n Network) error { return m.removeTagged(m.netTag(n.Name)) }

// removeTagged deletes a network's rules, known by their tag.
func (m *Manager) removeTagged(t string) error {
	ok, err := m.tableExists()
	if err != nil || !ok || t == "" {
		return err
	}
	for _, ch := range []*nftables.Chain{chForward, chPostNAT} {
		if err := m.deleteTagged(ch, t); err != nil {
			return err
		}
	}
	return m.flush("remove the rules tagged " + t)
}

// addEndpointRules queues the DNAT rules of an endpoint's published ports.
func (m *Manager) addEndpointRules(ep EndpointInfo) {
	if len(ep.Ports) == 0 {
		return
	}
	pfx, err := netip.ParsePrefix(ep.IPv4)
	if err != nil {
		return
	}
	t := tag(m.epTag(ep.ContainerID))
	for _, p := range ep.Ports {
		var m1 match
		if h, err := netip.ParseAddr(p.HostIP); err == nil && !h.IsUnspecified() {
			m1 = addrIn(false, netip.PrefixFrom(h, 32))
		}
		e := rule(m1, l4(p.Protocol), port(true, p.HostPort), dnatTo(pfx.Addr(), p.ContainerPort))
		m.nft.AddRule(&nftables.Rule{Table: table, Chain: chPorts, Exprs: e, UserData: t})
	}
}

// removeEndpointRules queues the removal of a container's DNAT rules.
func (m *Manager) removeEndpointRules(id string) error {
	return m.deleteTagged(chPorts, m.epTag(id))
}
