package network

import (
	"encoding/binary"

	"golang.org/x/sys/unix"
)

// redirectDNS installs, in the calling thread's network namespace, the
// table "ip stack" that rewrites 127.0.0.11:53 to the server's ports and
// back, statelessly: packets to and from 127.0.0.11 are not tracked.
//
//	chain dns-out { type filter hook output priority raw; policy accept
//	  ip daddr 127.0.0.11 meta l4proto P th dport 53 notrack th dport set PORT
//	  ip saddr 127.0.0.11 meta l4proto P th sport PORT notrack th sport set 53 }
//	chain dns-in { type filter hook prerouting priority raw; policy accept
//	  ip daddr 127.0.0.11 notrack
//	  ip saddr 127.0.0.11 notrack }
//
// (the dns-out pair for UDP and for TCP). It writes the nftables batch
// itself, as netlink.go says why: a monitor does this once per run.
func redirectDNS(udpPort, tcpPort uint16) error {
	c, err := openNetlink(unix.NETLINK_NETFILTER)
	if err != nil {
		return err
	}
	defer c.close()
	b, at := c.begin(c.buf[:0], unix.NFNL_MSG_BATCH_BEGIN, 0, 4)
	b[at+unix.SizeofNlMsghdr] = unix.AF_UNSPEC
	binary.BigEndian.PutUint16(b[at+unix.SizeofNlMsghdr+2:], unix.NFNL_SUBSYS_NFTABLES)
	b = finish(b, at)
	first := c.seq + 1
	b = nftTable(c, b)
	b = nftChain(c, b, "dns-out", unix.NF_INET_LOCAL_OUT)
	b = nftChain(c, b, "dns-in", unix.NF_INET_PRE_ROUTING)
	a := dnsAddr.As4()
	for _, p := range []struct {
		proto byte
		port  uint16
		csum  uint32 // where the transport header's checksum is
	}{{unix.IPPROTO_UDP, udpPort, 6}, {unix.IPPROTO_TCP, tcpPort, 16}} {
		b = nftRule(c, b, "dns-out", func(b []byte) []byte {
			b = exprAddr(b, 16, a)
			b = exprL4(b, p.proto)
			b = exprPort(b, 2, 53)
			b = exprNotrack(b)
			return exprSetPort(b, 2, p.port, p.csum)
		})
		b = nftRule(c, b, "dns-out", func(b []byte) []byte {
			b = exprAddr(b, 12, a)
			b = exprL4(b, p.proto)
			b = exprPort(b, 0, p.port)
			b = exprNotrack(b)
			return exprSetPort(b, 0, 53, p.csum)
		})
	}
	b = nftRule(c, b, "dns-in", func(b []byte) []byte { return exprNotrack(exprAddr(b, 16, a)) })
	b = nftRule(c, b, "dns-in", func(b []byte) []byte { return exprNotrack(exprAddr(b, 12, a)) })
	last := c.seq
	b, at = c.begin(b, unix.NFNL_MSG_BATCH_END, 0, 4)
	b[at+unix.SizeofNlMsghdr] = unix.AF_UNSPEC
	binary.BigEndian.PutUint16(b[at+unix.SizeofNlMsghdr+2:], unix.NFNL_SUBSYS_NFTABLES)
	if err := c.send(finish(b, at)); err != nil {
		return err
	}
	for seq := first; seq <= last; seq++ {
		if _, err := c.answer(seq); err != nil {
			return err
		}
	}
	return nil
}

// nftMsg begins an nftables message about the ip family.
func nftMsg(c *nlsock, b []byte, msg, flags uint16) ([]byte, int) {
	b, at := c.begin(b, unix.NFNL_SUBSYS_NFTABLES<<8|msg, flags|unix.NLM_F_ACK, 4)
	b[at+unix.SizeofNlMsghdr] = unix.NFPROTO_IPV4
	return b, at
}

func nftTable(c *nlsock, b []byte) []byte {
	b, at := nftMsg(c, b, unix.NFT_MSG_NEWTABLE, unix.NLM_F_CREATE)
	b = attrString(b, unix.NFTA_TABLE_NAME, tableName)
	b = attrBE32(b, unix.NFTA_TABLE_FLAGS, 0)
	return finish(b, at)
}

// nftChain adds a base chain of type filter at priority raw, policy
// accept.
func nftChain(c *nlsock, b []byte, name string, hook uint32) []byte {
	b, at := nftMsg(c, b, unix.NFT_MSG_NEWCHAIN, unix.NLM_F_CREATE)
	b = attrString(b, unix.NFTA_CHAIN_TABLE, tableName)
	b = attrString(b, unix.NFTA_CHAIN_NAME, name)
	b, h := nest(b, unix.NLA_F_NESTED|unix.NFTA_CHAIN_HOOK)
	b = attrBE32(b, unix.NFTA_HOOK_HOOKNUM, hook)
	prio := int32(-300) // NF_IP_PRI_RAW
	b = attrBE32(b, unix.NFTA_HOOK_PRIORITY, uint32(prio))
	b = end(b, h)
	b = attrBE32(b, unix.NFTA_CHAIN_POLICY, 1) // NF_ACCEPT
	b = attrString(b, unix.NFTA_CHAIN_TYPE, "filter")
	return finish(b, at)
}

// nftRule appends a rule made of the expressions exprs appends.
func nftRule(c *nlsock, b []byte, chain string, exprs func([]byte) []byte) []byte {
	b, at := nftMsg(c, b, unix.NFT_MSG_NEWRULE, unix.NLM_F_CREATE|unix.NLM_F_APPEND)
	b = attrString(b, unix.NFTA_RULE_TABLE, tableName)
	b = attrString(b, unix.NFTA_RULE_CHAIN, chain)
	b, list := nest(b, unix.NLA_F_NESTED|unix.NFTA_RULE_EXPRESSIONS)
	b = end(exprs(b), list)
	return finish(b, at)
}

// nftExpr appends one expression: its name, and its data as data appends it.
func nftExpr(b []byte, name string, data func([]byte) []byte) []byte {
	b, elem := nest(b, unix.NLA_F_NESTED|unix.NFTA_LIST_ELEM)
	b = attrString(b, unix.NFTA_EXPR_NAME, name)
	if data != nil {
		var at int
		b, at = nest(b, unix.NLA_F_NESTED|unix.NFTA_EXPR_DATA)
		b = end(data(b), at)
	}
	return end(b, elem)
}

// load puts a header's bytes in register 1; cmpEq compares them with v.
func load(b []byte, base, off, n uint32) []byte {
	return nftExpr(b, "payload", func(b []byte) []byte {
		b = attrBE32(b, unix.NFTA_PAYLOAD_DREG, unix.NFT_REG_1)
		b = attrBE32(b, unix.NFTA_PAYLOAD_BASE, base)
		b = attrBE32(b, unix.NFTA_PAYLOAD_OFFSET, off)
		return attrBE32(b, unix.NFTA_PAYLOAD_LEN, n)
	})
}

func cmpEq(b []byte, v []byte) []byte {
	return nftExpr(b, "cmp", func(b []byte) []byte {
		b = attrBE32(b, unix.NFTA_CMP_SREG, unix.NFT_REG_1)
		b = attrBE32(b, unix.NFTA_CMP_OP, unix.NFT_CMP_EQ)
		b, at := nest(b, unix.NLA_F_NESTED|unix.NFTA_CMP_DATA)
		return end(attr(b, unix.NFTA_DATA_VALUE, v), at)
	})
}

// exprAddr matches the IPv4 address at off (12 source, 16 destination).
func exprAddr(b []byte, off uint32, a [4]byte) []byte {
	return cmpEq(load(b, unix.NFT_PAYLOAD_NETWORK_HEADER, off, 4), a[:])
}

func exprL4(b []byte, proto byte) []byte {
	b = nftExpr(b, "meta", func(b []byte) []byte {
		b = attrBE32(b, unix.NFTA_META_KEY, unix.NFT_META_L4PROTO)
		return attrBE32(b, unix.NFTA_META_DREG, unix.NFT_REG_1)
	})
	return cmpEq(b, []byte{proto})
}

// exprPort matches the transport port at off (0 source, 2 destination).
func exprPort(b []byte, off uint32, p uint16) []byte {
	return cmpEq(load(b, unix.NFT_PAYLOAD_TRANSPORT_HEADER, off, 2), binary.BigEndian.AppendUint16(nil, p))
}

func exprNotrack(b []byte) []byte { return nftExpr(b, "notrack", nil) }

// exprSetPort rewrites the transport port at off, fixing the checksum at
// csum.
func exprSetPort(b []byte, off uint32, p uint16, csum uint32) []byte {
	b = nftExpr(b, "immediate", func(b []byte) []byte {
		b = attrBE32(b, unix.NFTA_IMMEDIATE_DREG, unix.NFT_REG_1)
		b, at := nest(b, unix.NLA_F_NESTED|unix.NFTA_IMMEDIATE_DATA)
		return end(attr(b, unix.NFTA_DATA_VALUE, binary.BigEndian.AppendUint16(nil, p)), at)
	})
	return nftExpr(b, "payload", func(b []byte) []byte {
		b = attrBE32(b, unix.NFTA_PAYLOAD_SREG, unix.NFT_REG_1)
		b = attrBE32(b, unix.NFTA_PAYLOAD_BASE, unix.NFT_PAYLOAD_TRANSPORT_HEADER)
		b = attrBE32(b, unix.NFTA_PAYLOAD_OFFSET, off)
		b = attrBE32(b, unix.NFTA_PAYLOAD_LEN, 2)
		b = attrBE32(b, unix.NFTA_PAYLOAD_CSUM_TYPE, unix.NFT_PAYLOAD_CSUM_INET)
		return attrBE32(b, unix.NFTA_PAYLOAD_CSUM_OFFSET, csum)
	})
}
