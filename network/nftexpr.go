package network

import (
	"encoding/binary"
	"net/netip"

	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// Small builders for the nftables expressions stack's rules are made of.
// Each leaves its match in register 1.

type match = []expr.Any

// ifname matches an interface name exactly, or every name starting with
// prefix when it ends in '*', as nft's "stk*" does.
func ifname(key expr.MetaKey, name string, op expr.CmpOp) match {
	data := []byte(name)
	if name[len(name)-1] == '*' {
		data = data[:len(data)-1]
	} else {
		data = append(make([]byte, 0, unix.IFNAMSIZ), name...)
		data = data[:unix.IFNAMSIZ]
	}
	return match{&expr.Meta{Key: key, Register: 1}, &expr.Cmp{Op: op, Register: 1, Data: data}}
}

func iif(name string) match    { return ifname(expr.MetaKeyIIFNAME, name, expr.CmpOpEq) }
func oif(name string) match    { return ifname(expr.MetaKeyOIFNAME, name, expr.CmpOpEq) }
func notOif(name string) match { return ifname(expr.MetaKeyOIFNAME, name, expr.CmpOpNeq) }

// ctState matches any of the conntrack state bits.
func ctState(bits uint32) match {
	return match{
		&expr.Ct{Register: 1, Key: expr.CtKeySTATE},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4,
			Mask: binaryutil.NativeEndian.PutUint32(bits), Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: make([]byte, 4)},
	}
}

// ctDNAT matches connections whose destination was translated.
func ctDNAT() match {
	const ipsDstNAT = 1 << 5
	return match{
		&expr.Ct{Register: 1, Key: expr.CtKeySTATUS},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4,
			Mask: binaryutil.NativeEndian.PutUint32(ipsDstNAT), Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: make([]byte, 4)},
	}
}

// addrIn matches the source (src) or destination address against prefix.
func addrIn(src bool, p netip.Prefix) match {
	off := uint32(16)
	if src {
		off = 12
	}
	load := &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: 4}
	net := p.Masked().Addr().As4()
	if p.Bits() == 32 {
		return match{load, &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: net[:]}}
	}
	mask := binary.BigEndian.AppendUint32(nil, ^uint32(0)<<(32-p.Bits()))
	return match{load,
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: mask, Xor: make([]byte, 4)},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: net[:]},
	}
}

// l4 matches the transport protocol, "tcp" or "udp".
func l4(proto string) match {
	p := byte(unix.IPPROTO_TCP)
	if proto == "udp" {
		p = unix.IPPROTO_UDP
	}
	return match{&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1}, &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{p}}}
}

// port matches the transport header's destination (or source) port.
func port(dst bool, p uint16) match {
	off := uint32(0)
	if dst {
		off = 2
	}
	return match{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: off, Len: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.BigEndian.PutUint16(p)},
	}
}

// localDst matches packets to one of this namespace's own addresses.
func localDst() match {
	return match{
		&expr.Fib{Register: 1, FlagDADDR: true, ResultADDRTYPE: true},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: binaryutil.NativeEndian.PutUint32(unix.RTN_LOCAL)},
	}
}

// dnatTo translates the destination to addr:p.
func dnatTo(addr netip.Addr, p uint16) match {
	a := addr.As4()
	return match{
		&expr.Immediate{Register: 1, Data: a[:]},
		&expr.Immediate{Register: 2, Data: binaryutil.BigEndian.PutUint16(p)},
		&expr.NAT{Type: expr.NATTypeDestNAT, Family: unix.NFPROTO_IPV4,
			RegAddrMin: 1, RegAddrMax: 1, RegProtoMin: 2, RegProtoMax: 2, Specified: true},
	}
}

// snatTo rewrites the source address, keeping the source port unless it
// is taken.
func snatTo(addr netip.Addr) match {
	a := addr.As4()
	return match{
		&expr.Immediate{Register: 1, Data: a[:]},
		&expr.NAT{Type: expr.NATTypeSourceNAT, Family: unix.NFPROTO_IPV4, RegAddrMin: 1, RegAddrMax: 1},
	}
}

// setPort rewrites the destination (or source) port statelessly, fixing
// the transport checksum.
func setPort(dst bool, p uint16, proto string) match {
	off, csum := uint32(0), uint32(16)
	if dst {
		off = 2
	}
	if proto == "udp" {
		csum = 6
	}
	return match{
		&expr.Immediate{Register: 1, Data: binaryutil.BigEndian.PutUint16(p)},
		&expr.Payload{OperationType: expr.PayloadWrite, SourceRegister: 1, Base: expr.PayloadBaseTransportHeader,
			Offset: off, Len: 2, CsumType: expr.CsumTypeInet, CsumOffset: csum},
	}
}

func verdict(k expr.VerdictKind) match { return match{&expr.Verdict{Kind: k}} }
func accept() match                    { return verdict(expr.VerdictAccept) }
func drop() match                      { return verdict(expr.VerdictDrop) }
func masquerade() match                { return match{&expr.Masq{}} }
func jump(chain string) match          { return match{&expr.Verdict{Kind: expr.VerdictJump, Chain: chain}} }

// rule concatenates matches and a statement.
func rule(parts ...match) []expr.Any {
	var out []expr.Any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
