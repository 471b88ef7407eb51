package network

import (
	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

// redirectDNS installs, in the calling thread's network namespace, the
// table "ip stack" that rewrites 127.0.0.11:53 to the server's ports and
// back, statelessly: packets to and from 127.0.0.11 are not tracked.
func redirectDNS(udpPort, tcpPort uint16) error {
	c, err := nftables.New()
	if err != nil {
		return err
	}
	t := c.AddTable(&nftables.Table{Name: tableName, Family: nftables.TableFamilyIPv4})
	raw := nftables.ChainPriorityRaw
	out := c.AddChain(&nftables.Chain{Name: "dns-out", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookOutput, Priority: raw, Policy: &policyPass})
	pre := c.AddChain(&nftables.Chain{Name: "dns-in", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookPrerouting, Priority: raw, Policy: &policyPass})
	add := func(ch *nftables.Chain, e []expr.Any) { c.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: e}) }
	to := addrIn(false, dnsHost)
	from := addrIn(true, dnsHost)
	notrack := match{&expr.Notrack{}}
	for _, p := range []struct {
		proto string
		port  uint16
	}{{"udp", udpPort}, {"tcp", tcpPort}} {
		add(out, rule(to, l4(p.proto), port(true, 53), notrack, setPort(true, p.port, p.proto)))
		add(out, rule(from, l4(p.proto), port(false, p.port), notrack, setPort(false, 53, p.proto)))
	}
	add(pre, rule(to, notrack))
	add(pre, rule(from, notrack))
	return c.Flush()
}
