package network

import (
	"encoding/binary"
	"errors"
	"net/netip"

	"golang.org/x/sys/unix"
)

// Route netlink requests: what attaching a container asks of the kernel.

const (
	vethInfoPeer      = 1      // VETH_INFO_PEER
	rtextFilterNoStat = 1 << 3 // RTEXT_FILTER_SKIP_STATS
)

// openRtnl opens a route netlink socket in the network namespace at path
// ("" is the caller's).
func openRtnl(path string) (c *nlsock, err error) {
	err = inNetns(path, func() (err error) { c, err = openNetlink(unix.NETLINK_ROUTE); return err })
	return c, err
}

// link finds a link by name: its index and kind ("" for none, as lo);
// unix.ENODEV if there is none.
func (c *nlsock) link(name string) (int, string, error) {
	b := c.request(unix.RTM_GETLINK, 0, unix.SizeofIfInfomsg)
	b = attrString(b, unix.IFLA_IFNAME, name)
	b = attrU32(b, unix.IFLA_EXT_MASK, rtextFilterNoStat)
	data, err := c.do(b)
	if err != nil {
		return 0, "", err
	}
	if len(data) < unix.SizeofIfInfomsg {
		return 0, "", errors.New("route netlink: short link message")
	}
	index := int(int32(ne.Uint32(data[4:])))
	info := findAttr(data[unix.SizeofIfInfomsg:], unix.IFLA_LINKINFO)
	kind := findAttr(info, unix.IFLA_INFO_KIND)
	for len(kind) > 0 && kind[len(kind)-1] == 0 {
		kind = kind[:len(kind)-1]
	}
	return index, string(kind), nil
}

// findAttr returns the data of the first attribute of type typ in b.
func findAttr(b []byte, typ uint16) []byte {
	for len(b) >= unix.SizeofRtAttr {
		l := int(ne.Uint16(b))
		if l < unix.SizeofRtAttr || l > len(b) {
			return nil
		}
		if ne.Uint16(b[2:])&^unix.NLA_F_NESTED == typ {
			return b[unix.SizeofRtAttr:l]
		}
		b = b[min(len(b), align(l, unix.RTA_ALIGNTO)):]
	}
	return nil
}

// veth is a veth pair to create: the host side up on a bridge, the peer
// made directly in another network namespace.
type veth struct {
	name, peer string
	peerMAC    []byte
	master     int // the bridge's index
	mtu        int // 0 is the kernel's default
	group      uint32
	peerNS     int // a descriptor of the peer's network namespace
}

func (c *nlsock) addVeth(v veth) error {
	b := c.request(unix.RTM_NEWLINK, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK, unix.SizeofIfInfomsg)
	ifi := b[unix.SizeofNlMsghdr:]
	ne.PutUint32(ifi[8:], unix.IFF_UP)
	ne.PutUint32(ifi[12:], unix.IFF_UP)
	b = attrString(b, unix.IFLA_IFNAME, v.name)
	b = attrU32(b, unix.IFLA_MASTER, uint32(v.master))
	if v.mtu > 0 {
		b = attrU32(b, unix.IFLA_MTU, uint32(v.mtu))
	}
	if v.group > 0 {
		b = attrU32(b, unix.IFLA_GROUP, v.group)
	}
	b, info := nest(b, unix.IFLA_LINKINFO)
	b = attr(b, unix.IFLA_INFO_KIND, []byte("veth"))
	b, data := nest(b, unix.IFLA_INFO_DATA)
	b, peer := nest(b, vethInfoPeer)
	var ifi0 [unix.SizeofIfInfomsg]byte
	b = append(b, ifi0[:]...)
	b = attrString(b, unix.IFLA_IFNAME, v.peer)
	if v.mtu > 0 {
		b = attrU32(b, unix.IFLA_MTU, uint32(v.mtu))
	}
	b = attr(b, unix.IFLA_ADDRESS, v.peerMAC)
	b = attrU32(b, unix.IFLA_NET_NS_FD, uint32(v.peerNS))
	b = end(end(end(b, peer), data), info)
	_, err := c.do(b)
	return err
}

// delLink deletes a link by name, if it is there.
func (c *nlsock) delLink(name string) error {
	b := c.request(unix.RTM_DELLINK, unix.NLM_F_ACK, unix.SizeofIfInfomsg)
	b = attrString(b, unix.IFLA_IFNAME, name)
	if _, err := c.do(b); err != nil && !errors.Is(err, unix.ENODEV) {
		return err
	}
	return nil
}

func (c *nlsock) linkUp(index int) error {
	b := c.request(unix.RTM_NEWLINK, unix.NLM_F_ACK, unix.SizeofIfInfomsg)
	ifi := b[unix.SizeofNlMsghdr:]
	ne.PutUint32(ifi[4:], uint32(index))
	ne.PutUint32(ifi[8:], unix.IFF_UP)
	ne.PutUint32(ifi[12:], unix.IFF_UP)
	_, err := c.do(b)
	return err
}

// addAddr gives link index the address p, with its broadcast address.
func (c *nlsock) addAddr(index int, p netip.Prefix) error {
	b := c.request(unix.RTM_NEWADDR, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK, unix.SizeofIfAddrmsg)
	ifa := b[unix.SizeofNlMsghdr:]
	ifa[0], ifa[1] = unix.AF_INET, byte(p.Bits())
	ne.PutUint32(ifa[4:], uint32(index))
	a := p.Addr().As4()
	b = attr(b, unix.IFA_LOCAL, a[:])
	b = attr(b, unix.IFA_ADDRESS, a[:])
	if p.Bits() < 31 {
		bc := binary.BigEndian.Uint32(a[:]) | (1<<(32-p.Bits()) - 1)
		b = attr(b, unix.IFA_BROADCAST, binary.BigEndian.AppendUint32(a[:0], bc))
	}
	_, err := c.do(b)
	return err
}

// addDefaultRoute routes everything through gw on link index.
func (c *nlsock) addDefaultRoute(index int, gw netip.Addr) error {
	b := c.request(unix.RTM_NEWROUTE, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK, unix.SizeofRtMsg)
	rtm := b[unix.SizeofNlMsghdr:]
	rtm[0], rtm[4], rtm[5], rtm[6], rtm[7] = unix.AF_INET, unix.RT_TABLE_MAIN, unix.RTPROT_BOOT, unix.RT_SCOPE_UNIVERSE, unix.RTN_UNICAST
	g := gw.As4()
	b = attr(b, unix.RTA_GATEWAY, g[:])
	b = attrU32(b, unix.RTA_OIF, uint32(index))
	_, err := c.do(b)
	return err
}
