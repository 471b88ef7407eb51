package network

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"

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
	}
	if err := m.addVeths(nsPath, nets, eps, undo); err != nil {
		return nil, err
	}
	if err := inNetns(nsPath, func() error { return configure(ifaces, route) }); err != nil {
		return nil, err
	}
	return ifaces, nil
}

// addVeths makes the endpoints' veth pairs through one socket, closed
// before the container's side is set up (its buffer then serves that).
func (m *Manager) addVeths(nsPath string, nets []Network, eps []EndpointInfo, undo *undoList) error {
	f, err := os.OpenFile(nsPath, os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open netns %q: %w", nsPath, err)
	}
	defer f.Close()
	host, err := openRtnl(m.hostNS)
	if err != nil {
		return err
	}
	defer host.close()
	for i, ep := range eps {
		if err := m.addVeth(host, nets[i], ep, f, undo); err != nil {
			return err
		}
	}
	return nil
}

// configure sets up, in the calling thread's namespace, loopback and each
// interface: its address, up, and the default route through
// ifaces[route].
func configure(ifaces []Interface, route int) error {
	if err := loopbackUp(); err != nil {
		return err
	}
	c, err := openNetlink(unix.NETLINK_ROUTE)
	if err != nil {
		return err
	}
	defer c.close()
	for i, in := range ifaces {
		index, _, err := c.link(in.Name)
		if err != nil {
			return fmt.Errorf("find %q in the container: %w", in.Name, err)
		}
		if err := c.addAddr(index, in.IPv4); err != nil {
			return fmt.Errorf("address %q: %w", in.Name, err)
		}
		if err := c.linkUp(index); err != nil {
			return fmt.Errorf("set %q up: %w", in.Name, err)
		}
		if i == route {
			if err := c.addDefaultRoute(index, in.Gateway); err != nil {
				return fmt.Errorf("default route via %s: %w", in.Gateway, err)
			}
		}
	}
	return nil
}

// addVeth makes one veth pair: the host side up on the bridge, the peer
// named ep.Interface in the namespace of nsFd.
func (m *Manager) addVeth(c *nlsock, n Network, ep EndpointInfo, nsFd *os.File, undo *undoList) error {
	br, err := m.bridgeIndex(c, n)
	if err != nil {
		return err
	}
	mac, err := net.ParseMAC(ep.MAC)
	if err != nil {
		return err
	}
	// Which root made it, in the same request (an alias would need another).
	v := veth{name: ep.HostVeth, peer: ep.Interface, peerMAC: mac, master: br, mtu: n.MTU,
		group: owner.Group(m.st.lib), peerNS: int(nsFd.Fd())}
	if err := c.addVeth(v); err != nil {
		return fmt.Errorf("create veth %q: %w", ep.HostVeth, err)
	}
	undo.add(func() { m.deleteLink(ep.HostVeth) })
	return nil
}

// bridgeIndex finds n's bridge, made again if it is gone (after a reboot).
func (m *Manager) bridgeIndex(c *nlsock, n Network) (int, error) {
	index, kind, err := c.link(n.Bridge)
	if err == nil && kind == "bridge" {
		return index, nil
	}
	if err != nil && !errors.Is(err, unix.ENODEV) {
		return 0, fmt.Errorf("find bridge %q: %w", n.Bridge, err)
	}
	if err := m.handle(); err != nil {
		return 0, err
	}
	if err := m.ensureBridge(n, false); err != nil { // makes it, or names what has its name
		return 0, err
	}
	if index, _, err = c.link(n.Bridge); err != nil {
		return 0, fmt.Errorf("find bridge %q: %w", n.Bridge, err)
	}
	return index, nil
}

// deleteLink removes a host link if it is there.
func (m *Manager) deleteLink(name string) error {
	c, err := openRtnl(m.hostNS)
	if err != nil {
		return err
	}
	defer c.close()
	return c.delLink(name)
}

// undoList runs, in reverse, the steps that undo a half-done setup.
type undoList []func()

func (u *undoList) add(f func()) { *u = append(*u, f) }

func (u *undoList) run() {
	for i := len(*u) - 1; i >= 0; i-- {
		(*u)[i]()
	}
}
