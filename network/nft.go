package network

import (
	"fmt"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/google/nftables/userdata"

	"github.com/stackorch/stack/internal/owner"
)

// Everything stack does to packets on the host is in one table, "ip stack":
//
//	forward     (filter, policy accept): established and published traffic
//	            in; per network: same-bridge accept, isolation from other
//	            stack bridges, egress unless internal, nothing else in
//	prerouting  (nat): to a local address -> ports
//	output      (nat): to a local address, 127.0.0.1 included -> ports
//	ports       per container: [ip daddr H] dport P dnat to C:p
//	postrouting (nat): masquerade egress and hairpins; loopback-sourced
//	            published traffic from LoopbackSource
//
// Rules are tagged (nft comment) with the stack root and "net:<network>"
// or "ep:<container>" (owner.Tag) so that a network's or a container's
// rules can be found and removed, and no root's removal takes another's
// network of the same name with it. The table, its chains and the rules
// tagged "stack" are shared by every root.
const tableName = "stack"

var table = &nftables.Table{Name: tableName, Family: nftables.TableFamilyIPv4}

func chain(name string) *nftables.Chain { return &nftables.Chain{Name: name, Table: table} }

var (
	chForward  = chain("forward")
	chPorts    = chain("ports")
	chPostNAT  = chain("postrouting")
	stkLinks   = "stk*"
	policyPass = nftables.ChainPolicyAccept
)

func tag(s string) []byte { return userdata.AppendString(nil, userdata.TypeComment, s) }

func tagOf(r *nftables.Rule) string {
	s, _ := userdata.GetString(r.UserData, userdata.TypeComment)
	return s
}

func (m *Manager) netTag(name string) string { return owner.Tag(m.st.lib, "net:"+name) }
func (m *Manager) epTag(id string) string    { return owner.Tag(m.st.lib, "ep:"+id) }

// tableExists asks the kernel for the table.
func (m *Manager) tableExists() (bool, error) {
	c, err := m.openNftQuery()
	if err != nil {
		return false, err
	}
	defer c.close()
	ok, err := c.nftTableExists()
	if err != nil {
		return false, fmt.Errorf("list nftables table %q: %w", tableName, err)
	}
	return ok, nil
}

// addTable queues the table, its chains and its rules that belong to no
// network.
func (m *Manager) addTable() {
	c := m.nft
	c.AddTable(table)
	base := func(name string, typ nftables.ChainType, hook *nftables.ChainHook, prio *nftables.ChainPriority) *nftables.Chain {
		return c.AddChain(&nftables.Chain{Name: name, Table: table, Type: typ, Hooknum: hook, Priority: prio, Policy: &policyPass})
	}
	base("forward", nftables.ChainTypeFilter, nftables.ChainHookForward, nftables.ChainPriorityFilter)
	pre := base("prerouting", nftables.ChainTypeNAT, nftables.ChainHookPrerouting, nftables.ChainPriorityNATDest)
	out := base("output", nftables.ChainTypeNAT, nftables.ChainHookOutput, nftables.ChainPriorityNATDest)
	base("postrouting", nftables.ChainTypeNAT, nftables.ChainHookPostrouting, nftables.ChainPriorityNATSource)
	c.AddChain(chPorts)
	add := func(ch *nftables.Chain, exprs []expr.Any) {
		c.AddRule(&nftables.Rule{Table: table, Chain: ch, Exprs: exprs, UserData: tag("stack")})
	}
	add(chForward, rule(ctState(expr.CtStateBitESTABLISHED|expr.CtStateBitRELATED), accept()))
	add(chForward, rule(ctDNAT(), oif(stkLinks), accept()))
	add(pre, rule(localDst(), jump("ports")))
	add(out, rule(localDst(), jump("ports")))
	// 127.0.0.1:P reaches a container only with a source it can answer:
	// its own address, so that these connections keep their host ports and
	// never share a 4-tuple with the host's direct connections to the
	// container (whose TIME_WAIT would then stall a SYN for a second).
	add(chPostNAT, rule(addrIn(true, loopback), oif(stkLinks), snatTo(LoopbackSource)))
}

// deleteTable removes the table and everything in it.
func (m *Manager) deleteTable() error {
	ok, err := m.tableExists()
	if err != nil || !ok {
		return err
	}
	m.nft.DelTable(table)
	m.nftDeleted.Store(true)
	if err := m.nft.Flush(); err != nil {
		return fmt.Errorf("delete nftables table %q: %w", tableName, err)
	}
	return nil
}

// deleteTagged queues the removal of every rule of ch tagged t.
func (m *Manager) deleteTagged(ch *nftables.Chain, t string) error {
	rules, err := m.nft.GetRules(table, ch)
	if err != nil {
		return fmt.Errorf("list nftables chain %q: %w", ch.Name, err)
	}
	for _, r := range rules {
		if tagOf(r) == t {
			m.nftDeleted.Store(true)
			if err := m.nft.DelRule(r); err != nil {
				return err
			}
		}
	}
	return nil
}

// hasTagged reports whether ch has a rule tagged t.
func (m *Manager) hasTagged(ch *nftables.Chain, t string) (bool, error) {
	rules, err := m.nft.GetRules(table, ch)
	if err != nil {
		return false, fmt.Errorf("list nftables chain %q: %w", ch.Name, err)
	}
	return hasTag(rules, t), nil
}
