package network

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/vishvananda/netlink"

	"github.com/stackorch/stack/internal/atomicfile"
)

// retiringDir holds a record of each bridge whose network is removed but
// which the kernel may not have deleted yet (detached.go). It is the
// host's, beside hostLock, as the bridges are: its records are written and
// dropped under that lock, by any root.
const retiringDir = "/run/stack-network.retiring"

// retired is a network on its way out: its bridge, and the tag of its
// rules, in the namespace that plays the host.
type retired struct {
	Bridge    string
	Rules     string // the tag of the network's rules (owner.Tag)
	HostNetns string `json:",omitempty"`
}

func retiredFile(bridge string) string { return filepath.Join(retiringDir, bridge+".json") }

// retire records that n's bridge is to go; the caller holds the host lock.
func (m *Manager) retire(n Network) error {
	if err := os.MkdirAll(retiringDir, 0o700); err != nil {
		return fmt.Errorf("record bridge %q to delete: %w", n.Bridge, err)
	}
	r := retired{Bridge: n.Bridge, Rules: m.netTag(n.Name), HostNetns: m.hostNS}
	if err := atomicfile.WriteJSON(retiredFile(n.Bridge), r, 0o600); err != nil {
		return fmt.Errorf("record bridge %q to delete: %w", n.Bridge, err)
	}
	return nil
}

// finishRetired deletes the rules and bridges of the retired networks of
// m's host namespace and drops their records, then the nftables table if
// no stack bridge is left there. The caller holds the host lock. So a
// removal whose process was killed before the kernel was done is finished
// by the next change, of any root.
//
// Both are slow in the kernel, and both are left to the detached finisher
// when there is one: a bridge's deletion waits out RCU grace periods, and
// so does closing the nftables socket that deleted rules (the kernel
// flushes its deferred destruction of them first).
func (m *Manager) finishRetired() error {
	entries, err := os.ReadDir(retiringDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil || len(entries) == 0 {
		return err
	}
	if err := m.kernel(); err != nil {
		return err
	}
	done := 0
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		var r retired
		path := filepath.Join(retiringDir, e.Name())
		if err := atomicfile.ReadJSON(path, &r); err != nil {
			return err
		}
		if r.HostNetns != m.hostNS {
			if _, err := os.Stat(r.HostNetns); errors.Is(err, fs.ErrNotExist) {
				os.Remove(path) // that host (a test's namespace) is gone, and its bridges
			}
			continue
		}
		if err := m.removeTagged(r.Rules); err != nil {
			return err
		}
		if err := m.deleteBridgeNamed(r.Bridge); err != nil {
			return err
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		done++
	}
	if done == 0 {
		return nil
	}
	// The table is the host's, shared by every stack root on it: another
	// root's bridges still need it.
	if others, err := m.stackBridges(); err != nil || others > 0 {
		return err
	}
	if err := m.removeCompat(); err != nil {
		return err
	}
	return m.deleteTable()
}

// deleteBridgeNamed removes a bridge if it is there.
func (m *Manager) deleteBridgeNamed(name string) error {
	link, err := m.nl.LinkByName(name)
	var notFound netlink.LinkNotFoundError
	if errors.As(err, &notFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find bridge %q: %w", name, err)
	}
	if err := m.nl.LinkDel(link); err != nil {
		return fmt.Errorf("delete bridge %q: %w", name, err)
	}
	return nil
}
