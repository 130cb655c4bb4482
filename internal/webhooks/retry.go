package webhooks

import (
	"math"
	"time"
)

// Backoff is the retry schedule: after the n-th failed attempt (n from 1) the next one waits
// Base·Factor^(n-1), at most Max, spread by ±Jitter so that the retries of many deliveries
// that failed together (an endpoint's outage) do not return together. After Attempts
// attempts the delivery is given up.
type Backoff struct {
	Base     time.Duration
	Factor   float64
	Max      time.Duration
	Jitter   float64
	Attempts int
}

// DefaultBackoff retries for about 24 hours: 15 s, 1 min, 4 min, 16 min, 64 min, 4.3 h, then
// every 6 h, ten attempts in all, the last about 23.7 h after the first (docs/webhooks.md).
var DefaultBackoff = Backoff{Base: 15 * time.Second, Factor: 4, Max: 6 * time.Hour, Jitter: 0.2, Attempts: 10}

// Delay is the wait after the n-th failed attempt before jitter.
func (b Backoff) Delay(n int) time.Duration {
	d := float64(b.Base) * math.Pow(b.Factor, float64(n-1))
	if d > float64(b.Max) {
		return b.Max
	}
	return time.Duration(d)
}

// Next is when to try again after the n-th failed attempt at now, given a uniform random
// number in [0, 1); false when the attempts are spent.
func (b Backoff) Next(n int, now time.Time, random float64) (time.Time, bool) {
	if n >= b.Attempts {
		return time.Time{}, false
	}
	spread := 1 + b.Jitter*(2*random-1)
	return now.Add(time.Duration(float64(b.Delay(n)) * spread)), true
}
