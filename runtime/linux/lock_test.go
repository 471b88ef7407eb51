package linux

import (
	"path/filepath"
	"testing"
	"time"
)

func TestAwaitUnlockedWaitsForTheHolderAndWakesWhenItLetsGo(t *testing.T) {
	path := filepath.Join(t.TempDir(), "monitor.lock")
	held, ok, err := lockMonitor(path)
	if err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	if awaitUnlocked(path, 20*time.Millisecond) {
		t.Fatal("awaitUnlocked said unlocked while the lock was held")
	}
	done := make(chan bool)
	go func() { done <- awaitUnlocked(path, time.Minute) }()
	held.Close()
	if !<-done {
		t.Fatal("awaitUnlocked timed out after the holder let go")
	}
	// The waiter let go too: a monitor can take the lock again.
	again, ok, err := lockMonitorAfter(path, time.Second, func() bool { return false })
	if err != nil || !ok {
		t.Fatalf("lock again: %v %v", ok, err)
	}
	again.Close()
	if !awaitUnlocked(filepath.Join(t.TempDir(), "none"), time.Millisecond) {
		t.Fatal("no lock file: want unlocked")
	}
}
