package network

import (
	"fmt"
	"os"
	"reflect"
	"testing"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
)

// redirectDNS writes its nftables messages itself: read back with
// google/nftables, they are the chains and rules the library would have
// written from stack's own expression builders.
func TestDNSRedirectIsTheRulesetNftablesWouldWrite(t *testing.T) {
	_, path := newNetns(t)
	if err := inNetns(path, func() error { return redirectDNS(5353, 5454) }); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := nftables.New(nftables.WithNetNSFd(int(f.Fd())))
	if err != nil {
		t.Fatal(err)
	}
	chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, ch := range chains {
		got[ch.Table.Name+"/"+ch.Name] = fmt.Sprint(*ch.Hooknum, *ch.Priority, *ch.Policy, ch.Type)
	}
	want := map[string]string{
		"stack/dns-out": fmt.Sprint(*nftables.ChainHookOutput, *nftables.ChainPriorityRaw, nftables.ChainPolicyAccept, nftables.ChainTypeFilter),
		"stack/dns-in":  fmt.Sprint(*nftables.ChainHookPrerouting, *nftables.ChainPriorityRaw, nftables.ChainPolicyAccept, nftables.ChainTypeFilter),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("chains %v, want %v", got, want)
	}
	notrack := match{&expr.Notrack{}}
	to, from := addrIn(false, dnsHost), addrIn(true, dnsHost)
	wantRules := map[string][][]expr.Any{
		"dns-out": {
			rule(to, l4("udp"), port(true, 53), notrack, setPort(true, 5353, "udp")),
			rule(from, l4("udp"), port(false, 5353), notrack, setPort(false, 53, "udp")),
			rule(to, l4("tcp"), port(true, 53), notrack, setPort(true, 5454, "tcp")),
			rule(from, l4("tcp"), port(false, 5454), notrack, setPort(false, 53, "tcp")),
		},
		"dns-in": {rule(to, notrack), rule(from, notrack)},
	}
	tbl := &nftables.Table{Name: tableName, Family: nftables.TableFamilyIPv4}
	for name, want := range wantRules {
		rules, err := c.GetRules(tbl, &nftables.Chain{Name: name, Table: tbl})
		if err != nil {
			t.Fatal(err)
		}
		if len(rules) != len(want) {
			t.Fatalf("%s: %d rules, want %d", name, len(rules), len(want))
		}
		for i, r := range rules {
			if !reflect.DeepEqual(r.Exprs, want[i]) {
				t.Errorf("%s rule %d:\n got %s\nwant %s", name, i, exprString(r.Exprs), exprString(want[i]))
			}
		}
	}
}

func exprString(es []expr.Any) string {
	s := ""
	for _, e := range es {
		s += fmt.Sprintf("%T%+v ", e, e)
	}
	return s
}
