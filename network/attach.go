package network

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"time"

	"github.com/stackorch/stack/runtime"
)

// Endpoint is a container to attach: its names, the network namespace of
// this run, and its spec's network settings.
type Endpoint struct {
	ContainerID string
	Name        string // the container's name: a DNS name on every network
	Hostname    string // "" is the first 12 characters of the ID
	NetnsPath   string // e.g. /proc/<init pid>/ns/net
	Attachments []runtime.Attachment
	Ports       []runtime.Port
	DNS         []string // upstream servers instead of the host's
	DNSSearch   []string
	DNSOptions  []string
	ExtraHosts  []string // name:ip; ip may be host-gateway
}

// Interface is one network's interface inside the container.
type Interface struct {
	Network  string
	Name     string // eth0, eth1, ... in priority order
	HostVeth string
	IPv4     netip.Prefix
	Gateway  netip.Addr
	MAC      string
}

// Attached is what Attach did: the interfaces, the published ports with
// their host ports resolved, and the content of the container's /etc/hosts
// and /etc/resolv.conf.
type Attached struct {
	ContainerID string
	Interfaces  []Interface
	Ports       []runtime.Port
	Hosts       []byte
	ResolvConf  []byte
	// For the container's DNS server (NewResolver).
	Networks  []string
	Upstreams []string // host:port
	Search    []string
}

// WriteFiles writes the hosts and resolv.conf files in place: they are
// bound into the container, so they are truncated and rewritten, never
// replaced by a rename (the bind would keep the old file). "" skips one.
func (a *Attached) WriteFiles(hostsPath, resolvPath string) error {
	for path, data := range map[string][]byte{hostsPath: a.Hosts, resolvPath: a.ResolvConf} {
		if path == "" {
			continue
		}
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return fmt.Errorf("write %q: %w", path, err)
		}
	}
	return nil
}

// Attach joins the container's network namespace to each of its networks,
// which must exist (Ensure): a veth whose peer is created in the namespace
// as eth0, eth1, ... in priority order, with its address, loopback up, the
// default route through the first network that is not internal, and the
// published ports DNATed to that network's address. The host ports stay
// bound by this process until Detach. A previous run's attachment of the
// same container is detached first. On failure nothing is left.
func (m *Manager) Attach(ctx context.Context, e Endpoint) (*Attached, error) {
	a, err := m.attach(e)
	if err != nil {
		return nil, fmt.Errorf("attach container %q: %w", e.Name, err)
	}
	return a, nil
}

// portNet is the index of the attachment that routes and publishes: the
// first whose network is not internal, or -1.
func portNet(nets []Network) int {
	return slices.IndexFunc(nets, func(n Network) bool { return !n.Internal })
}

func (m *Manager) attach(e Endpoint) (_ *Attached, err error) {
	if e.ContainerID == "" || e.NetnsPath == "" {
		return nil, fmt.Errorf("%w: ContainerID and NetnsPath are needed", ErrInvalid)
	}
	if e.Hostname == "" {
		e.Hostname = e.ContainerID[:min(12, len(e.ContainerID))]
	}
	nsID, err := identify(e.NetnsPath)
	if err != nil {
		return nil, fmt.Errorf("netns %q: %w", e.NetnsPath, err)
	}
	defer m.borrow()()
	unlock, err := m.lock()
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := m.detachLocked(e.ContainerID); err != nil {
		return nil, err
	}
	var undo undoList
	defer func() {
		if err != nil {
			undo.run()
		}
	}()
	atts := slices.Clone(e.Attachments)
	slices.SortStableFunc(atts, func(a, b runtime.Attachment) int { return b.Priority - a.Priority })
	nets := make([]Network, len(atts))
	for i, at := range atts {
		if nets[i], err = m.st.network(at.Network); err != nil {
			return nil, fmt.Errorf("network %q: %w", at.Network, err)
		}
		if err := m.up(nets[i], false); err != nil {
			return nil, err
		}
	}
	eps, err := m.plan(e, atts, nets, nsID)
	if err != nil {
		return nil, err
	}
	pn := portNet(nets)
	if len(e.Ports) > 0 && pn < 0 {
		m.log.Info("ports not published: no network with egress", "container", e.Name)
	}
	if pn >= 0 {
		if eps[pn].Ports, err = m.holdPorts(e.ContainerID, e.Ports, &undo); err != nil {
			return nil, err
		}
	}
	ifaces, err := m.plumb(e.NetnsPath, nets, eps, pn, &undo)
	if err != nil {
		return nil, err
	}
	for _, ep := range eps {
		undo.add(func() { m.st.removeEndpoint(ep.Network, ep.ContainerID) })
		if err := m.st.saveEndpoint(ep); err != nil {
			return nil, err
		}
	}
	if pn >= 0 && len(eps[pn].Ports) > 0 {
		if err := m.tables(); err != nil {
			return nil, err
		}
		m.addEndpointRules(eps[pn])
		if err := m.flush("publish ports"); err != nil {
			return nil, err
		}
	}
	return m.attached(e, nets, eps, ifaces, pn)
}

// plan allocates each attachment's address and MAC.
func (m *Manager) plan(e Endpoint, atts []runtime.Attachment, nets []Network, nsID nsIdentity) ([]EndpointInfo, error) {
	eps := make([]EndpointInfo, len(atts))
	now := time.Now().UTC()
	for i, at := range atts {
		addr, err := m.allocate(nets[i], at.IPv4Address)
		if err != nil {
			return nil, err
		}
		mac := macFor(addr.Addr()).String()
		if at.MACAddress != "" {
			hw, err := net.ParseMAC(at.MACAddress)
			if err != nil {
				return nil, fmt.Errorf("mac_address %q: %w", at.MACAddress, ErrInvalid)
			}
			mac = hw.String()
		}
		aliases := slices.Clone(at.Aliases)
		if short := e.ContainerID[:min(12, len(e.ContainerID))]; !slices.Contains(aliases, short) {
			aliases = append(aliases, short)
		}
		eps[i] = EndpointInfo{ContainerID: e.ContainerID, Name: e.Name, Hostname: e.Hostname, Network: nets[i].Name,
			Interface: fmt.Sprintf("eth%d", i), HostVeth: vethName(), IPv4: addr.String(), MAC: mac,
			Aliases: aliases, Netns: e.NetnsPath, NetnsID: nsID, Attached: now}
	}
	return eps, nil
}

// attached gathers the result of an attach and the container's files.
func (m *Manager) attached(e Endpoint, nets []Network, eps []EndpointInfo, ifaces []Interface, pn int) (*Attached, error) {
	a := &Attached{ContainerID: e.ContainerID, Interfaces: ifaces}
	for _, n := range nets {
		a.Networks = append(a.Networks, n.Name)
	}
	var self, gw netip.Addr
	if len(ifaces) > 0 {
		self = ifaces[0].IPv4.Addr()
	}
	if pn >= 0 {
		a.Ports = eps[pn].Ports
		gw = ifaces[pn].Gateway
	}
	var err error
	if a.Hosts, err = hostsFile(self, []string{e.Hostname}, e.ExtraHosts, gw); err != nil {
		return nil, err
	}
	host := hostResolvConf("")
	a.ResolvConf = containerResolvConf(host, e.DNSSearch, e.DNSOptions)
	a.Search = parseResolvConf(a.ResolvConf).Search
	servers := e.DNS
	if pn < 0 {
		servers = nil // internal networks only: nothing reaches outside
	} else if len(servers) == 0 {
		servers = host.Nameservers
	}
	for _, s := range servers {
		if ap, err := netip.ParseAddr(s); err == nil {
			a.Upstreams = append(a.Upstreams, netip.AddrPortFrom(ap, 53).String())
		}
	}
	return a, nil
}
