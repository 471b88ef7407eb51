package network

import (
	"context"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/stackorch/stack/internal/detach"
)

func TestDetachedRemovalForgetsTheNetworkAtOnceAndHoldsTheHostLockTillTheBridgeIsGone(t *testing.T) {
	h := newHost(t)
	n := h.ensure(Spec{Name: "p_a"})
	m := finishingManager(t, h)
	if err := m.Remove(context.Background(), "p_a"); err != nil {
		t.Fatal(err)
	}
	if nets, _ := m.List(context.Background()); len(nets) != 0 {
		t.Errorf("listed after Remove: %+v", nets)
	}
	var j detach.Jobs
	m.Leave(&j)
	j.Start("/proc/self/exe")
	// The host lock is free only once the process that deletes the bridge
	// is done: by then the bridge, its record and the table are gone.
	testWaitHostLock(t)
	if _, err := h.m.nl.LinkByName(n.Bridge); err == nil {
		t.Errorf("bridge %q still there once the lock was let go", n.Bridge)
	}
	if ok, _ := h.m.tableExists(); ok {
		if left, err := h.m.hasTagged(chForward, h.m.netTag(n.Name)); err != nil || left {
			t.Errorf("the network's rules are still there (%v)", err)
		}
	}
	if _, err := os.Stat(retiredFile(n.Bridge)); !os.IsNotExist(err) {
		t.Errorf("record of the retired bridge: %v", err)
	}
	if ok, _ := h.m.tableExists(); ok {
		t.Errorf("table %q left after the last network", tableName)
	}
}

func TestAChangeAfterADetachedRemovalStartsItsFinisherFirst(t *testing.T) {
	h := newHost(t)
	a := h.ensure(Spec{Name: "p_a"})
	m := finishingManager(t, h)
	if err := m.Remove(context.Background(), "p_a"); err != nil {
		t.Fatal(err)
	}
	// The Manager holds the host lock for the finisher it has not started:
	// taking it again must not wait on itself.
	done := make(chan error, 1)
	go func() {
		_, err := m.Ensure(context.Background(), Spec{Name: "p_b"})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Ensure after a detached Remove still waits after 30 s")
	}
	if _, err := h.m.nl.LinkByName(a.Bridge); err == nil {
		t.Errorf("the removed network's bridge %q is still there", a.Bridge)
	}
	if err := m.Remove(context.Background(), "p_b"); err != nil {
		t.Fatal(err)
	}
}

func TestRemovalsOfOneManagerLeaveAllTheirBridgesToOneFinisher(t *testing.T) {
	h := newHost(t)
	a, b := h.ensure(Spec{Name: "p_a"}), h.ensure(Spec{Name: "p_b"})
	m := finishingManager(t, h)
	// The second Remove goes on under the host lock the first keeps: it
	// neither waits for a finisher nor deletes the first bridge itself.
	for _, name := range []string{"p_a", "p_b"} {
		if err := m.Remove(context.Background(), name); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range []Network{a, b} {
		if _, err := h.m.nl.LinkByName(n.Bridge); err != nil {
			t.Errorf("bridge %q deleted before the finisher started: %v", n.Bridge, err)
		}
	}
	var j detach.Jobs
	m.Leave(&j)
	j.Start("/proc/self/exe")
	testWaitHostLock(t)
	for _, n := range []Network{a, b} {
		if _, err := h.m.nl.LinkByName(n.Bridge); err == nil {
			t.Errorf("bridge %q still there once the finisher is done", n.Bridge)
		}
		if _, err := os.Stat(retiredFile(n.Bridge)); !os.IsNotExist(err) {
			t.Errorf("record of the retired bridge %q: %v", n.Bridge, err)
		}
	}
}

// finishingManager opens a second Manager of h's state whose removals
// leave the bridges to a finisher: this test binary (TestMain runs
// Reexec).
func finishingManager(t *testing.T, h *testHost) *Manager {
	t.Helper()
	m, err := Open(Options{Lib: h.m.st.lib, Run: h.m.st.run, HostNetns: h.path, Finisher: "/proc/self/exe"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// testWaitHostLock waits for whoever holds the host lock to let go.
func testWaitHostLock(t *testing.T) {
	t.Helper()
	lock, err := os.OpenFile(hostLock, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Close()
	if err := unix.Flock(int(lock.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	unix.Flock(int(lock.Fd()), unix.LOCK_UN)
}

func TestARemovalCutShortIsFinishedByTheNextChange(t *testing.T) {
	h := newHost(t)
	a := h.ensure(Spec{Name: "p_a"})
	// What a removal leaves when its finisher is killed at once: the state
	// gone, the network recorded as retired, its bridge and rules there.
	unlock, err := h.m.lock()
	if err != nil {
		t.Fatal(err)
	}
	if err := h.m.retire(a); err != nil {
		t.Fatal(err)
	}
	if err := h.m.st.removeNetwork(a.Name); err != nil {
		t.Fatal(err)
	}
	unlock()
	if _, err := h.m.nl.LinkByName(a.Bridge); err != nil {
		t.Fatalf("bridge %q: %v", a.Bridge, err)
	}
	b := h.ensure(Spec{Name: "p_b"})
	if _, err := h.m.nl.LinkByName(a.Bridge); err == nil {
		t.Errorf("the cut-short removal's bridge %q is still there", a.Bridge)
	}
	if left, err := h.m.hasTagged(chForward, h.m.netTag(a.Name)); err != nil || left {
		t.Errorf("the cut-short removal's rules are still there (%v)", err)
	}
	if _, err := os.Stat(retiredFile(a.Bridge)); !os.IsNotExist(err) {
		t.Errorf("record of the retired bridge: %v", err)
	}
	if _, err := h.m.nl.LinkByName(b.Bridge); err != nil {
		t.Errorf("bridge of the new network: %v", err)
	}
}
