package network

import (
	"bytes"
	"errors"

	"golang.org/x/sys/unix"
)

// The questions every Attach asks of the host's ruleset (is stack's table
// there, do other tables' forward chains drop, do they have stack's accept
// rules), through a netlink socket of stack's own (netlink.go): a monitor
// dials google/nftables only when it has something to change.

// openNftQuery opens a netfilter netlink socket in the host namespace.
func (m *Manager) openNftQuery() (c *nlsock, err error) {
	err = inNetns(m.hostNS, func() (err error) { c, err = openNetlink(unix.NETLINK_NETFILTER); return err })
	return c, err
}

// nftGet begins a query about family's objects; a dump with dump.
func nftGet(c *nlsock, msg uint16, family byte, dump bool) ([]byte, int) {
	var flags uint16
	if dump {
		flags = unix.NLM_F_DUMP
	}
	b, at := c.begin(c.buf[:0], unix.NFNL_SUBSYS_NFTABLES<<8|msg, flags, 4)
	b[at+unix.SizeofNlMsghdr] = family
	return b, at
}

// nftTableExists says whether the table "ip stack" is there.
func (c *nlsock) nftTableExists() (bool, error) {
	b, at := nftGet(c, unix.NFT_MSG_GETTABLE, unix.NFPROTO_IPV4, false)
	b = attrString(b, unix.NFTA_TABLE_NAME, tableName)
	_, err := c.do(finish(b, at))
	if errors.Is(err, unix.ENOENT) {
		return false, nil
	}
	return err == nil, err
}

// chainRef names a chain of another table.
type chainRef struct {
	family      byte
	table, name string
}

// nftForwardDrops lists the forward base chains of the ip and inet tables,
// but stack's, whose policy is drop.
func (c *nlsock) nftForwardDrops() ([]chainRef, error) {
	b, at := nftGet(c, unix.NFT_MSG_GETCHAIN, unix.NFPROTO_UNSPEC, true)
	var out []chainRef
	err := c.dump(finish(b, at), func(data []byte) {
		if len(data) < 4 {
			return
		}
		fam, attrs := data[0], data[4:]
		hook := findAttr(findAttr(attrs, unix.NFTA_CHAIN_HOOK), unix.NFTA_HOOK_HOOKNUM)
		policy := findAttr(attrs, unix.NFTA_CHAIN_POLICY)
		if fam != unix.NFPROTO_IPV4 && fam != unix.NFPROTO_INET || len(hook) != 4 || len(policy) != 4 {
			return
		}
		if be32(hook) != unix.NF_INET_FORWARD || be32(policy) != 0 { // NF_DROP
			return
		}
		ch := chainRef{family: fam, table: cString(findAttr(attrs, unix.NFTA_CHAIN_TABLE)),
			name: cString(findAttr(attrs, unix.NFTA_CHAIN_NAME))}
		if ch.table != tableName || fam != unix.NFPROTO_IPV4 {
			out = append(out, ch)
		}
	})
	return out, err
}

// nftHasTagged says whether a chain has a rule tagged t (nft comment).
func (c *nlsock) nftHasTagged(ch chainRef, t string) (bool, error) {
	b, at := nftGet(c, unix.NFT_MSG_GETRULE, ch.family, true)
	b = attrString(b, unix.NFTA_RULE_TABLE, ch.table)
	b = attrString(b, unix.NFTA_RULE_CHAIN, ch.name)
	want, found := tag(t), false
	err := c.dump(finish(b, at), func(data []byte) {
		if len(data) < 4 || data[0] != ch.family {
			return
		}
		attrs := data[4:] // a kernel that dumps every chain's rules says whose
		if cString(findAttr(attrs, unix.NFTA_RULE_TABLE)) == ch.table && cString(findAttr(attrs, unix.NFTA_RULE_CHAIN)) == ch.name &&
			bytes.Equal(findAttr(attrs, unix.NFTA_RULE_USERDATA), want) {
			found = true
		}
	})
	return found, err
}

func be32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func cString(b []byte) string { return string(bytes.TrimRight(b, "\x00")) }
