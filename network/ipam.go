package network

import (
	"fmt"
	"net"
	"net/netip"
)

// defaultPools are Docker's: 172.17-31.0.0/16, then 192.168.0.0/16 in /20s.
var defaultPools = func() []netip.Prefix {
	var out []netip.Prefix
	for b := 17; b <= 31; b++ {
		out = append(out, netip.PrefixFrom(netip.AddrFrom4([4]byte{172, byte(b), 0, 0}), 16))
	}
	for c := 0; c < 256; c += 16 {
		out = append(out, netip.PrefixFrom(netip.AddrFrom4([4]byte{192, 168, byte(c), 0}), 20))
	}
	return out
}()

// pickSubnet returns the first pool overlapping none of taken.
func pickSubnet(pools, taken []netip.Prefix) (netip.Prefix, error) {
next:
	for _, p := range pools {
		for _, t := range taken {
			if p.Overlaps(t) {
				continue next
			}
		}
		return p, nil
	}
	return netip.Prefix{}, ErrNoSubnet
}

// firstHost is the subnet's first usable address: the default gateway.
func firstHost(p netip.Prefix) netip.Addr { return p.Masked().Addr().Next() }

// broadcast is the subnet's last address.
func broadcast(p netip.Prefix) netip.Addr {
	a := p.Masked().Addr().As4()
	bits := p.Bits()
	for i := range 4 {
		keep := min(max(bits-8*i, 0), 8)
		a[i] |= byte(0xff >> keep)
	}
	return netip.AddrFrom4(a)
}

// allocate returns the lowest address of pool (within subnet) that is not
// the subnet's network or broadcast address and not in used.
func allocate(subnet, pool netip.Prefix, used map[netip.Addr]bool) (netip.Addr, error) {
	network, bcast := subnet.Masked().Addr(), broadcast(subnet)
	for a := pool.Masked().Addr(); pool.Contains(a); a = a.Next() {
		if a != network && a != bcast && subnet.Contains(a) && !used[a] {
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("allocate in %s: %w", pool, ErrNoAddress)
}

// macFor derives a MAC from an IPv4 address as Docker did (02:42:a.b.c.d),
// so that an address given to a new container keeps the MAC that peers'
// ARP caches already hold for it.
func macFor(a netip.Addr) net.HardwareAddr {
	b := a.As4()
	return net.HardwareAddr{0x02, 0x42, b[0], b[1], b[2], b[3]}
}

// ipam is a network's address plan, parsed.
type ipam struct {
	subnet, pool netip.Prefix
	gateway      netip.Addr
}

func (n Network) ipam() (ipam, error) {
	var p ipam
	var err error
	if p.subnet, err = netip.ParsePrefix(n.Subnet); err != nil {
		return p, fmt.Errorf("network %q: subnet: %w", n.Name, err)
	}
	p.pool = p.subnet
	if n.IPRange != "" {
		if p.pool, err = netip.ParsePrefix(n.IPRange); err != nil {
			return p, fmt.Errorf("network %q: ip_range: %w", n.Name, err)
		}
	}
	if p.gateway, err = netip.ParseAddr(n.Gateway); err != nil {
		return p, fmt.Errorf("network %q: gateway: %w", n.Name, err)
	}
	return p, nil
}

// planIPAM checks and completes a network's subnet, gateway and ip_range;
// an empty subnet takes the first default pool overlapping none of taken.
func planIPAM(s Spec, taken []netip.Prefix) (subnet, gateway, ipRange string, err error) {
	var sub netip.Prefix
	if s.Subnet == "" {
		if s.Gateway != "" || s.IPRange != "" {
			return "", "", "", fmt.Errorf("gateway and ip_range need a subnet: %w", ErrInvalid)
		}
		if sub, err = pickSubnet(defaultPools, taken); err != nil {
			return "", "", "", err
		}
	} else {
		if sub, err = netip.ParsePrefix(s.Subnet); err != nil || !sub.Addr().Is4() {
			return "", "", "", fmt.Errorf("subnet %q: %w: an IPv4 CIDR is needed", s.Subnet, ErrInvalid)
		}
		sub = sub.Masked()
		for _, t := range taken {
			if sub.Overlaps(t) {
				return "", "", "", fmt.Errorf("subnet %s: %w: overlaps %s", sub, ErrAddressUsed, t)
			}
		}
	}
	if sub.Bits() > 30 {
		return "", "", "", fmt.Errorf("subnet %s: %w: too small", sub, ErrInvalid)
	}
	gw := firstHost(sub)
	if s.Gateway != "" {
		if gw, err = netip.ParseAddr(s.Gateway); err != nil || !sub.Contains(gw) {
			return "", "", "", fmt.Errorf("gateway %q: %w: not an address of %s", s.Gateway, ErrInvalid, sub)
		}
	}
	if s.IPRange != "" {
		r, err := netip.ParsePrefix(s.IPRange)
		if err != nil || !sub.Contains(r.Addr()) || r.Bits() < sub.Bits() {
			return "", "", "", fmt.Errorf("ip_range %q: %w: not within %s", s.IPRange, ErrInvalid, sub)
		}
		ipRange = r.Masked().String()
	}
	return sub.String(), gw.String(), ipRange, nil
}
