package testenv

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/google/nftables"
	"github.com/google/nftables/userdata"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/internal/owner"
)

// netLeaks lists the links and nftables rules root made that are still in
// the network namespace at path ("" the test's own).
func netLeaks(root, path string) []string {
	if path == "" {
		path = "/proc/self/ns/net"
	}
	ns, err := netns.GetFromPath(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil // the namespace is gone, and all in it
		}
		return []string{fmt.Sprintf("open netns %q: %v", path, err)}
	}
	defer ns.Close()
	var leaks []string
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		return []string{fmt.Sprintf("netlink in %q: %v", path, err)}
	}
	defer h.Close()
	links, err := h.LinkList()
	if err != nil {
		leaks = append(leaks, fmt.Sprintf("list links: %v", err))
	}
	group := owner.Group(root)
	for _, l := range links {
		a := l.Attrs()
		if a.Group == group || owner.Owns(a.Alias, root) {
			leaks = append(leaks, fmt.Sprintf("link: %s %s %q", l.Type(), a.Name, a.Alias))
		}
	}
	return append(leaks, ruleLeaks(root, int(ns))...)
}

// ruleLeaks lists root's rules in stack's nftables table.
func ruleLeaks(root string, nsFd int) []string {
	c, err := nftables.New(nftables.WithNetNSFd(nsFd))
	if err != nil {
		return []string{fmt.Sprintf("open nftables: %v", err)}
	}
	table, err := c.ListTableOfFamily("stack", nftables.TableFamilyIPv4)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return []string{fmt.Sprintf("list nftables table stack: %v", err)}
	}
	chains, err := c.ListChainsOfTableFamily(nftables.TableFamilyIPv4)
	if err != nil {
		return []string{fmt.Sprintf("list nftables chains: %v", err)}
	}
	var leaks []string
	for _, ch := range chains {
		if ch.Table.Name != table.Name {
			continue
		}
		rules, err := c.GetRules(table, ch)
		if err != nil {
			continue // the chain went meanwhile
		}
		for _, r := range rules {
			if tag, _ := userdata.GetString(r.UserData, userdata.TypeComment); owner.Owns(tag, root) {
				leaks = append(leaks, fmt.Sprintf("nftables rule in chain %q: %q", ch.Name, tag))
			}
		}
	}
	return leaks
}

// AwaitNetworkFinisher waits until no process holds the host's network
// lock: after a `down`, the bridge's deletion goes on in a detached process
// that holds it (network.Options.Finisher), running from the stack root's
// shim, so a test that unmounts the root waits for it first.
func AwaitNetworkFinisher(t testing.TB) {
	t.Helper()
	f, err := os.OpenFile("/run/stack-network.lock", os.O_RDWR, 0)
	if err != nil {
		return // no network was ever made
	}
	defer f.Close()
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		t.Errorf("wait for the network lock: %v", err)
		return
	}
	unix.Flock(int(f.Fd()), unix.LOCK_UN)
}
