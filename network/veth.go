package network

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/netip"
	"os"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/internal/owner"
)

// vethName is a fresh name for a veth's host side: stk + 12 hex. Random,
// because a restarted container's new veth may be made before the kernel
// has finished destroying the previous run's namespace and its veth.
func vethName() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "stk" + hex.EncodeToString(b)
}

// plumb creates each endpoint's veth, its peer made directly in the
// container's namespace, on its network's bridge; then, inside, addresses,
// links up, loopback up and the default route through nets[route].
func (m *Manager) plumb(nsPath string, nets []Network, eps []EndpointInfo, route int, undo *undoList) ([]Interface, error) {
	f, err := os.OpenFile(nsPath, os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("open netns %q: %w", nsPath, err)
	}
	defer f.Close()
	ifaces := make([]Interface, len(eps))
	for i, ep := range eps {
		p, err := nets[i].ipam()
		if err != nil {
			return nil, err
		}
		addr, err := netip.ParsePrefix(ep.IPv4)
		if err != nil {
			return nil, err
		}
		ifaces[i] = Interface{Network: ep.Network, Name: ep.Interface, HostVeth: ep.HostVeth, IPv4: addr, Gateway: p.gateway, MAC: ep.MAC}
		if err := m.addVeth(nets[i], ep, f, undo); err != nil {
			return nil, err
		}
	}
	h, err := netlink.NewHandleAt(netns.NsHandle(f.Fd()))
	if err != nil {
		return nil, fmt.Errorf("netlink in %q: %w", nsPath, err)
	}
	defer h.Close()
	if err := setUp(h, "lo"); err != nil {
		return nil, err
	}
	for i, in := range ifaces {
		link, err := h.LinkByName(in.Name)
		if err != nil {
			return nil, fmt.Errorf("find %q in the container: %w", in.Name, err)
		}
		if err := h.AddrAdd(link, &netlink.Addr{IPNet: ipNet(in.IPv4.Addr(), in.IPv4.Bits())}); err != nil {
			return nil, fmt.Errorf("address %q: %w", in.Name, err)
		}
		if err := h.LinkSetUp(link); err != nil {
			return nil, fmt.Errorf("set %q up: %w", in.Name, err)
		}
		if i == route {
			r := &netlink.Route{LinkIndex: link.Attrs().Index, Gw: in.Gateway.AsSlice()}
			if err := h.RouteAdd(r); err != nil {
				return nil, fmt.Errorf("default route via %s: %w", in.Gateway, err)
			}
		}
	}
	return ifaces, nil
}

// addVeth makes one veth pair: the host side up on the bridge, the peer
// named ep.Interface in the namespace of nsFd.
func (m *Manager) addVeth(n Network, ep EndpointInfo, nsFd *os.File, undo *undoList) error {
	br, err := m.nl.LinkByName(n.Bridge)
	if err != nil {
		return fmt.Errorf("find bridge %q: %w", n.Bridge, err)
	}
	mac, err := net.ParseMAC(ep.MAC)
	if err != nil {
		return err
	}
	attrs := netlink.NewLinkAttrs()
	attrs.Name, attrs.MasterIndex, attrs.MTU, attrs.Flags = ep.HostVeth, br.Attrs().Index, n.MTU, net.FlagUp
	// Which root made it, in the same request (an alias would need another).
	attrs.Group = owner.Group(m.st.lib)
	veth := &netlink.Veth{LinkAttrs: attrs, PeerName: ep.Interface, PeerHardwareAddr: mac,
		PeerNamespace: netlink.NsFd(nsFd.Fd()), PeerTxQLen: -1}
	if err := m.nl.LinkAdd(veth); err != nil {
		return fmt.Errorf("create veth %q: %w", ep.HostVeth, err)
	}
	undo.add(func() { m.deleteLink(ep.HostVeth) })
	return nil
}

func setUp(h *netlink.Handle, name string) error {
	link, err := h.LinkByName(name)
	if err == nil {
		err = h.LinkSetUp(link)
	}
	if err != nil {
		return fmt.Errorf("set %q up: %w", name, err)
	}
	return nil
}

// deleteLink removes a host link if it is there.
func (m *Manager) deleteLink(name string) error {
	link, err := m.nl.LinkByName(name)
	if err != nil {
		return nil
	}
	return m.nl.LinkDel(link)
}

// undoList runs, in reverse, the steps that undo a half-done setup.
type undoList []func()

func (u *undoList) add(f func()) { *u = append(*u, f) }

func (u *undoList) run() {
	for i := len(*u) - 1; i >= 0; i-- {
		(*u)[i]()
	}
}
