// Package ratelimit charges each API key for the cost of its operations in two windows, the
// UTC day and a fixed 60-second minute, with ulule/limiter stores: in process, or in Redis
// shared by every instance (store.go).
//
// Charging is exact under any concurrency: each window is one atomic increment by the cost,
// and a request that takes either window over its limit is refused and gives both increments
// back. Successful requests never give theirs back, so the successes in a window never add up
// to more than its limit. In Redis one script does both windows' increments and the give-back
// atomically: one round trip per request, and no other request sees a charge that is undone.
package ratelimit

import (
	"context"
	"sync"
	"time"

	limiter "github.com/ulule/limiter/v3"

	"github.com/wbk/crm/models"
)

// WindowKind names a window: the one that refused a request, in Result.Exceeded.
type WindowKind uint8

const (
	// WindowNone: no window refused the request.
	WindowNone WindowKind = iota
	WindowDay
	WindowMinute
)

// String is the window's name as the 429 error's extensions and the metrics give it.
func (k WindowKind) String() string {
	switch k {
	case WindowDay:
		return "day"
	case WindowMinute:
		return "minute"
	}
	return ""
}

// MarshalText writes the window's name, so that the kind reads as "day" in any encoding.
func (k WindowKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// Window is one window's state after a request.
type Window struct {
	Limit     int64
	Used      int64
	Remaining int64
	ResetAt   time.Time
}

// Result is the outcome of charging (or peeking at) a key's windows.
type Result struct {
	Plan models.Plan
	// Cost is what the request was charged: 0 when it was refused or not charged.
	Cost int64
	// Asked is what the request would have cost.
	Asked  int64
	Day    Window
	Minute Window
	// Exceeded is the window that refused the request, or WindowNone.
	Exceeded WindowKind
	// RetryAfter is how long until the refusing window resets.
	RetryAfter time.Duration
}

// Allowed reports whether the request may run.
func (r *Result) Allowed() bool { return r.Exceeded == WindowNone }

// Limiter charges keys against their plan's limits.
type Limiter struct {
	store *Failover
	plans Plans
	// Now is the clock; tests move it across midnight.
	Now func() time.Time

	mu    sync.Mutex
	names map[string]counterNames // each key's current counters, to forget yesterday's
}

// counterNames are a key's counter names on one UTC day, kept so that a request does not
// build them again (three allocations and a date format per request).
type counterNames struct {
	year              int
	month             time.Month
	day               int
	dayKey, minuteKey string
}

// New returns a limiter on store with plans.
func New(store *Failover, plans Plans) *Limiter {
	return &Limiter{store: store, plans: plans, Now: time.Now, names: map[string]counterNames{}}
}

// Store is the limiter's store.
func (l *Limiter) Store() *Failover { return l.store }

type windows struct {
	now               time.Time
	limits            Limits
	dayKey, minuteKey string
	dayRate, minRate  limiter.Rate
	midnight          time.Time
}

func (l *Limiter) windows(keyID string, plan models.Plan) windows {
	now := l.Now().UTC()
	limits := l.plans[plan]
	midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, time.UTC)
	w := windows{
		now: now, limits: limits, midnight: midnight,
		dayRate: limiter.Rate{Limit: limits.Day, Period: max(midnight.Sub(now), time.Second)},
		minRate: limiter.Rate{Limit: limits.Minute, Period: time.Minute},
	}
	w.dayKey, w.minuteKey = l.counters(keyID, now)
	return w
}

// counters names keyID's counters on now's day. The day counter is named by its date and
// lives until midnight, so that the day window resets at 00:00 UTC whenever the key was first
// used that day. Once a new day has begun, the previous day's counter is forgotten from memory.
func (l *Limiter) counters(keyID string, now time.Time) (dayKey, minuteKey string) {
	y, m, d := now.Date()
	l.mu.Lock()
	cur, ok := l.names[keyID]
	if ok && cur.year == y && cur.month == m && cur.day == d {
		l.mu.Unlock()
		return cur.dayKey, cur.minuteKey
	}
	next := counterNames{year: y, month: m, day: d, dayKey: keyID + ":d:" + now.Format("2006-01-02"), minuteKey: keyID + ":m"}
	l.names[keyID] = next
	l.mu.Unlock()
	if ok && cur.dayKey != next.dayKey {
		l.store.forgetLocal(context.Background(), cur.dayKey, limiter.Rate{Period: time.Second})
	}
	return next.dayKey, next.minuteKey
}

// Charge charges keyID cost units. A refused request has Exceeded set and is charged nothing.
// On Redis both windows are checked and charged by one script, one round trip.
func (l *Limiter) Charge(ctx context.Context, keyID string, plan models.Plan, cost int64) (*Result, error) {
	w := l.windows(keyID, plan)
	day, minute, charged, err := l.store.chargeBoth(ctx, w.dayKey, w.minuteKey, cost, w.dayRate, w.minRate)
	if err != nil {
		return nil, err
	}
	if charged {
		return w.result(plan, cost, day, minute), nil
	}
	res := w.result(plan, 0, day, minute)
	res.Asked = cost
	if res.Day.Remaining < cost {
		res.Exceeded, res.RetryAfter = WindowDay, res.Day.ResetAt.Sub(w.now)
	} else {
		res.Exceeded, res.RetryAfter = WindowMinute, res.Minute.ResetAt.Sub(w.now)
	}
	return res, nil
}

// chargeSeparately charges both windows of a store that has no script: one atomic increment
// per window, both given back when either is over its limit. It reports whether the charge
// stands.
func chargeSeparately(ctx context.Context, s limiter.Store, dayKey, minuteKey string, cost int64, dayRate, minRate limiter.Rate) (day, minute limiter.Context, charged bool, err error) {
	if day, err = s.Increment(ctx, dayKey, cost, dayRate); err != nil {
		return day, minute, false, err
	}
	if minute, err = s.Increment(ctx, minuteKey, cost, minRate); err != nil {
		_, _ = giveBack(context.WithoutCancel(ctx), s, dayKey, cost, dayRate)
		return day, minute, false, err
	}
	if !day.Reached && !minute.Reached {
		return day, minute, true, nil
	}
	undo := context.WithoutCancel(ctx)
	if day, err = giveBack(undo, s, dayKey, cost, dayRate); err != nil {
		return day, minute, false, err
	}
	if minute, err = giveBack(undo, s, minuteKey, cost, minRate); err != nil {
		return day, minute, false, err
	}
	return day, minute, false, nil
}

// giveBack undoes a charge. When the window expired between the charge and the undo, the undo
// lands in a fresh window and would leave it below zero, granting the next window extra
// calls; the difference is added back so the fresh window starts at zero.
func giveBack(ctx context.Context, s limiter.Store, key string, cost int64, rate limiter.Rate) (limiter.Context, error) {
	c, err := s.Increment(ctx, key, -cost, rate)
	if err != nil {
		return c, err
	}
	if below := c.Remaining - rate.Limit; below > 0 { // the count is -below
		return s.Increment(ctx, key, below, rate)
	}
	return c, nil
}

// Peek reports keyID's windows without charging.
func (l *Limiter) Peek(ctx context.Context, keyID string, plan models.Plan) (*Result, error) {
	w := l.windows(keyID, plan)
	day, err := l.store.Peek(ctx, w.dayKey, w.dayRate)
	if err != nil {
		return nil, err
	}
	minute, err := l.store.Peek(ctx, w.minuteKey, w.minRate)
	if err != nil {
		return nil, err
	}
	return w.result(plan, 0, day, minute), nil
}

func (w windows) result(plan models.Plan, cost int64, day, minute limiter.Context) *Result {
	minuteReset := time.Unix(minute.Reset, 0).UTC()
	if !minuteReset.After(w.now) {
		minuteReset = w.now.Add(time.Minute).Truncate(time.Second)
	}
	return &Result{
		Plan:   plan,
		Cost:   cost,
		Day:    window(w.limits.Day, day, w.midnight),
		Minute: window(w.limits.Minute, minute, minuteReset),
	}
}

// window reads a limiter context; ulule reports a reached window as 0 remaining.
func window(limit int64, c limiter.Context, reset time.Time) Window {
	remaining := max(c.Remaining, 0)
	return Window{Limit: limit, Used: limit - remaining, Remaining: remaining, ResetAt: reset}
}
