package linux

import "time"

// nextBackoff is Docker's wait before a restart: 100 ms after the first
// exit or a run of 10 s or more, else twice the last wait, at most a
// minute. last is 0 before the first restart.
func nextBackoff(last, ran time.Duration) time.Duration {
	if last == 0 || ran >= 10*time.Second {
		return 100 * time.Millisecond
	}
	return min(2*last, time.Minute)
}
