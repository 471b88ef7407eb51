package network

import (
	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

// A drop verdict in any base chain is final, whatever other tables accept:
// an accept in stack's own table cannot undo Docker's FORWARD policy DROP
// (iptables-nft's "ip filter FORWARD"). So where another table has a
// forward chain whose policy is drop, stack puts two rules at its top,
// "iifname stk* accept" and "oifname stk* accept" (written as iptables-nft
// writes -i stk+ / -o stk+, with the comment "stack"), and leaves the real
// decisions to its own forward chain, whose drops are final too. They are
// removed with the last network.

const compatTag = "stack"

// foreignForwardDrops lists the forward base chains of other tables whose
// policy is drop.
func (m *Manager) foreignForwardDrops() ([]*nftables.Chain, error) {
	chains, err := m.nft.ListChains()
	if err != nil {
		return nil, err
	}
	var out []*nftables.Chain
	for _, c := range chains {
		if c.Table.Name == tableName && c.Table.Family == nftables.TableFamilyIPv4 {
			continue
		}
		if c.Hooknum == nil || *c.Hooknum != *nftables.ChainHookForward {
			continue
		}
		if c.Table.Family != nftables.TableFamilyIPv4 && c.Table.Family != nftables.TableFamilyINet {
			continue
		}
		if c.Policy != nil && *c.Policy == nftables.ChainPolicyDrop {
			out = append(out, c)
		}
	}
	return out, nil
}

// ensureCompat adds the accept rules where they are missing.
func (m *Manager) ensureCompat() error {
	chains, err := m.foreignForwardDrops()
	if err != nil {
		return err
	}
	n := 0
	for _, c := range chains {
		rules, err := m.nft.GetRules(c.Table, c)
		if err != nil {
			return err
		}
		if hasTag(rules, compatTag) {
			continue
		}
		for _, e := range [][]expr.Any{rule(oif(stkLinks), counter(), accept()), rule(iif(stkLinks), counter(), accept())} {
			m.nft.InsertRule(&nftables.Rule{Table: c.Table, Chain: c, Exprs: e, UserData: tag(compatTag)})
			n++
		}
	}
	if n == 0 {
		return nil
	}
	return m.flush("accept stack's links in other forward chains")
}

// removeCompat deletes the accept rules from every forward chain.
func (m *Manager) removeCompat() error {
	chains, err := m.nft.ListChains()
	if err != nil {
		return err
	}
	n := 0
	for _, c := range chains {
		if c.Hooknum == nil || *c.Hooknum != *nftables.ChainHookForward || c.Table.Name == tableName {
			continue
		}
		rules, err := m.nft.GetRules(c.Table, c)
		if err != nil {
			return err
		}
		for _, r := range rules {
			if tagOf(r) == compatTag {
				m.nft.DelRule(r)
				n++
			}
		}
	}
	if n == 0 {
		return nil
	}
	return m.flush("remove stack's rules from other forward chains")
}

func hasTag(rules []*nftables.Rule, t string) bool {
	for _, r := range rules {
		if tagOf(r) == t {
			return true
		}
	}
	return false
}

func counter() match { return match{&expr.Counter{}} }
