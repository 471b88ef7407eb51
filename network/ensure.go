package network

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// Spec is a network as a compose file declares it.
type Spec struct {
	Name       string // the full name, e.g. myproj_default
	Driver     string // "" or "bridge"
	Internal   bool   // no egress, no published ports
	External   bool   // must exist already
	Subnet     string // CIDR; "" picks a free one
	Gateway    string // "" is the subnet's first address
	IPRange    string // CIDR inside Subnet to allocate from
	BridgeName string // driver_opts com.docker.network.bridge.name; must start with stk
	MTU        int    // driver_opts com.docker.network.driver.mtu
	EnableIPv6 bool
	Labels     map[string]string
}

// Ensure makes the network the spec describes, or returns it if it exists:
// an existing network is brought up again (its bridge and rules recreated
// after a reboot) and must not contradict the spec.
func (m *Manager) Ensure(ctx context.Context, s Spec) (Network, error) {
	n, err := m.ensure(ctx, s)
	if err != nil {
		return n, fmt.Errorf("ensure network %q: %w", s.Name, err)
	}
	return n, nil
}

func (m *Manager) ensure(ctx context.Context, s Spec) (Network, error) {
	if err := validName(s.Name); err != nil {
		return Network{}, err
	}
	if s.Driver != "" && s.Driver != "bridge" {
		return Network{}, fmt.Errorf("driver %q: %w: only bridge", s.Driver, ErrUnsupported)
	}
	if s.EnableIPv6 {
		return Network{}, fmt.Errorf("enable_ipv6: %w yet", ErrUnsupported)
	}
	if len(s.BridgeName) > unix.IFNAMSIZ-1 {
		return Network{}, fmt.Errorf("bridge name %q: %w: longer than %d", s.BridgeName, ErrInvalid, unix.IFNAMSIZ-1)
	}
	// stack's rules find its links by the prefix, and so can a person.
	if s.BridgeName != "" && !strings.HasPrefix(s.BridgeName, "stk") {
		return Network{}, fmt.Errorf("bridge name %q: %w: stack's links are named stk...", s.BridgeName, ErrUnsupported)
	}
	if err := m.kernel(); err != nil {
		return Network{}, err
	}
	unlock, err := m.lock()
	if err != nil {
		return Network{}, err
	}
	defer unlock()
	// A removal cut short may have left a bridge whose subnet is taken.
	if err := m.finishRetired(); err != nil {
		return Network{}, err
	}
	n, err := m.st.network(s.Name)
	switch {
	case err == nil:
		if err := conflicts(n, s); err != nil {
			return n, err
		}
		return n, m.up(n, true)
	case !errors.Is(err, ErrNotFound):
		return n, err
	case s.External:
		return n, fmt.Errorf("declared as external, but could not be found: %w", ErrNotFound)
	}
	return m.create(ctx, s)
}

// conflicts reports what of the spec an existing network contradicts.
func conflicts(n Network, s Spec) error {
	if s.Subnet != "" {
		if p, err := netip.ParsePrefix(s.Subnet); err != nil || p.Masked().String() != n.Subnet {
			return fmt.Errorf("subnet %q: %w: it has %s", s.Subnet, ErrConflict, n.Subnet)
		}
	}
	if !s.External && s.Internal != n.Internal {
		return fmt.Errorf("internal %v: %w: it has internal %v", s.Internal, ErrConflict, n.Internal)
	}
	if s.BridgeName != "" && s.BridgeName != n.Bridge {
		return fmt.Errorf("bridge name %q: %w: it has %q", s.BridgeName, ErrConflict, n.Bridge)
	}
	return nil
}

func (m *Manager) create(ctx context.Context, s Spec) (Network, error) {
	taken, err := m.takenPrefixes()
	if err != nil {
		return Network{}, err
	}
	n := Network{Name: s.Name, ID: newID(), Driver: "bridge", Internal: s.Internal, Bridge: s.BridgeName,
		MTU: s.MTU, Labels: maps.Clone(s.Labels), Created: time.Now().UTC()}
	if n.Subnet, n.Gateway, n.IPRange, err = planIPAM(s, taken); err != nil {
		return n, err
	}
	if n.Bridge == "" {
		n.Bridge = "stk-" + n.ID[:11]
	}
	if err := m.st.saveNetwork(n); err != nil {
		return n, err
	}
	if err := m.up(n, true); err != nil {
		m.teardown(n)
		return n, err
	}
	m.log.Debug("network created", "network", n.Name, "subnet", n.Subnet, "bridge", n.Bridge)
	return n, nil
}

// takenPrefixes are the host's routes (but default routes) and the
// subnets of stack's networks.
func (m *Manager) takenPrefixes() ([]netip.Prefix, error) {
	routes, err := m.nl.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: unix.RT_TABLE_UNSPEC}, netlink.RT_FILTER_TABLE)
	if err != nil {
		return nil, fmt.Errorf("list routes: %w", err)
	}
	var out []netip.Prefix
	for _, r := range routes {
		if r.Dst == nil {
			continue
		}
		ones, _ := r.Dst.Mask.Size()
		if a, ok := netip.AddrFromSlice(r.Dst.IP.To4()); ok && ones > 0 {
			out = append(out, netip.PrefixFrom(a, ones).Masked())
		}
	}
	nets, err := m.st.networks()
	if err != nil {
		return nil, err
	}
	for _, n := range nets {
		if p, err := netip.ParsePrefix(n.Subnet); err == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

func newID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// up makes sure the network's rules, and with full its bridge, are in
// place. full also looks for the network's rules when the table exists;
// Attach leaves that to Ensure, and finds (or makes) the bridge as it
// plugs a veth into it.
func (m *Manager) up(n Network, full bool) error {
	created, err := m.ensureTable()
	if err != nil {
		return err
	}
	if full {
		if err := m.ensureBridge(n, true); err != nil {
			return err
		}
	}
	if created {
		return nil // ensureTable put every network's rules back
	}
	if err := m.ensureCompat(); err != nil {
		return err
	}
	if full {
		ok, err := m.hasTagged(chForward, m.netTag(n.Name))
		if err != nil || ok {
			return err
		}
		if err := m.addNetworkRules(n); err != nil {
			return err
		}
		return m.flush("add rules of network " + n.Name)
	}
	return nil
}

// teardown removes what up made for n and its state, best effort.
func (m *Manager) teardown(n Network) {
	if err := m.removeNetworkRules(n); err != nil {
		m.log.Warn("remove network rules", "network", n.Name, "err", err)
	}
	if err := m.deleteBridge(n); err != nil {
		m.log.Warn("delete bridge", "network", n.Name, "err", err)
	}
	os.RemoveAll(m.st.endpointDir(n.Name))
	os.Remove(m.st.networkFile(n.Name))
}
