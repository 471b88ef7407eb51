package network

import (
	"fmt"

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

// ensureCompat adds the accept rules where they are missing. It looks
// through a query socket (nft_query.go), and dials nftables only to add.
func (m *Manager) ensureCompat() error {
	c, err := m.openNftQuery()
	if err != nil {
		return err
	}
	defer c.close()
	chains, err := c.nftForwardDrops()
	if err != nil {
		return fmt.Errorf("list nftables chains: %w", err)
	}
	var missing []chainRef
	for _, ch := range chains {
		ok, err := c.nftHasTagged(ch, compatTag)
		if err != nil {
			return fmt.Errorf("list nftables chain %q: %w", ch.name, err)
		}
		if !ok {
			missing = append(missing, ch)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if err := m.tables(); err != nil {
		return err
	}
	for _, ch := range missing {
		t := &nftables.Table{Name: ch.table, Family: nftables.TableFamily(ch.family)}
		c := &nftables.Chain{Name: ch.name, Table: t}
		for _, e := range [][]expr.Any{rule(oif(stkLinks), counter(), accept()), rule(iif(stkLinks), counter(), accept())} {
			m.nft.InsertRule(&nftables.Rule{Table: t, Chain: c, Exprs: e, UserData: tag(compatTag)})
		}
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
				m.nftDeleted.Store(true)
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
