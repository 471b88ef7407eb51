package linux

import (
	"testing"
	"time"
)

func TestRestartBackoffDoublesFrom100msToAMinuteAndResetsAfter10sUp(t *testing.T) {
	var got []time.Duration
	b := time.Duration(0)
	for range 12 {
		b = nextBackoff(b, time.Second)
		got = append(got, b)
	}
	ms := time.Millisecond
	want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 6400 * ms,
		12800 * ms, 25600 * ms, 51200 * ms, time.Minute, time.Minute}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("waits %v, want %v", got, want)
		}
	}
	if b := nextBackoff(time.Minute, 10*time.Second); b != 100*ms {
		t.Errorf("after 10 s up: %v, want 100ms", b)
	}
	if b := nextBackoff(time.Minute, 9*time.Second); b != time.Minute {
		t.Errorf("after 9 s up: %v, want the minute kept", b)
	}
}
