package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	limiter "github.com/ulule/limiter/v3"

	"github.com/wbk/crm/models"
)

// flakyStore is a limiter.Store standing in for Redis: an in-memory store that fails every
// operation while down is set, and counts the operations that reach it.
type flakyStore struct {
	limiter.Store
	down  atomic.Bool
	calls atomic.Int64
}

var errOutage = errors.New("dial tcp 10.0.0.1:6379: connect: connection refused")

func (s *flakyStore) Increment(ctx context.Context, key string, n int64, r limiter.Rate) (limiter.Context, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return limiter.Context{}, errOutage
	}
	return s.Store.Increment(ctx, key, n, r)
}

func (s *flakyStore) Peek(ctx context.Context, key string, r limiter.Rate) (limiter.Context, error) {
	s.calls.Add(1)
	if s.down.Load() {
		return limiter.Context{}, errOutage
	}
	return s.Store.Peek(ctx, key, r)
}

// logCounter counts log records by level.
type logCounter struct {
	mu          sync.Mutex
	warn, infos int
}

func (h *logCounter) Enabled(context.Context, slog.Level) bool { return true }
func (h *logCounter) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Level >= slog.LevelWarn {
		h.warn++
	} else {
		h.infos++
	}
	return nil
}
func (h *logCounter) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *logCounter) WithGroup(string) slog.Handler      { return h }
func (h *logCounter) counts() (warn, info int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.warn, h.infos
}

// retryNow makes the store's next operation probe Redis, as if RetryEvery had elapsed.
func retryNow(f *Failover) {
	f.mu.Lock()
	f.retryAt = time.Now().Add(-time.Millisecond)
	f.mu.Unlock()
}

func charge(t *testing.T, l *Limiter, key string) *Result {
	t.Helper()
	r, err := l.Charge(context.Background(), key, models.PlanStarter, 1)
	if err != nil {
		t.Fatalf("Charge returned an error: %v", err)
	}
	return r
}

// TestFailoverRecoversAfterFailedStart: Redis down at start (a dead port), then answering.
// Until RetryEvery has passed nothing probes it; the first operation after that connects and
// counts there again.
func TestFailoverRecoversAfterFailedStart(t *testing.T) {
	logs := &logCounter{}
	f, err := NewRedis(context.Background(), "redis://127.0.0.1:1/0", "test", slog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	if f.Shared() || !f.FallingBack() || f.RetryEvery <= 0 {
		t.Fatalf("after a failed start: Shared %v, FallingBack %v, RetryEvery %v", f.Shared(), f.FallingBack(), f.RetryEvery)
	}
	if NewMemory().FallingBack() {
		t.Errorf("in-process limits without Redis report a fallback")
	}
	if w, _ := logs.counts(); w != 1 {
		t.Errorf("%d warnings at start, want 1", w)
	}
	redis := &flakyStore{Store: newMemoryStore("redis")}
	connects := 0
	failConnect := true
	f.connect = func(context.Context) (limiter.Store, error) {
		connects++
		if failConnect {
			return nil, errOutage
		}
		return redis, nil
	}
	var fallbacks atomic.Int64
	f.OnFallback = func() { fallbacks.Add(1) }
	l := New(f, DefaultPlans())

	// Within RetryEvery of the failed start: memory, no probe.
	for range 3 {
		charge(t, l, "k")
	}
	if connects != 0 || f.Shared() {
		t.Fatalf("probed Redis %d times before RetryEvery passed", connects)
	}
	if fallbacks.Load() != 6 { // two windows per charge
		t.Errorf("OnFallback called %d times, want 6", fallbacks.Load())
	}

	// RetryEvery passes; Redis still down: one probe, still memory, no new log line.
	retryNow(f)
	charge(t, l, "k")
	if connects != 1 || f.Shared() {
		t.Fatalf("after a failed probe: %d connects, Shared %v", connects, f.Shared())
	}
	charge(t, l, "k")
	if connects != 1 {
		t.Errorf("probed again before RetryEvery: %d connects", connects)
	}

	// Redis answers: the next probe connects and the counters live there.
	failConnect = false
	retryNow(f)
	r := charge(t, l, "k")
	if connects != 2 || !f.Shared() || f.FallingBack() {
		t.Fatalf("after Redis came back: %d connects, Shared %v, FallingBack %v", connects, f.Shared(), f.FallingBack())
	}
	if r.Minute.Used != 1 {
		t.Errorf("first charge in Redis: minute used %d, want 1 (a fresh set of counters)", r.Minute.Used)
	}
	if redis.calls.Load() != 2 {
		t.Errorf("Redis saw %d operations, want 2", redis.calls.Load())
	}
	if _, info := logs.counts(); info != 1 {
		t.Errorf("%d info lines, want 1 (Redis answers again)", info)
	}
	before := fallbacks.Load()
	charge(t, l, "k")
	if fallbacks.Load() != before {
		t.Error("OnFallback called while Redis answers")
	}
}

// TestFailoverOutageDuringTraffic: Redis fails mid-run. No charge returns an error, limits
// hold per instance, the outage is logged once, and Redis is used again once it answers.
func TestFailoverOutageDuringTraffic(t *testing.T) {
	logs := &logCounter{}
	redis := &flakyStore{Store: newMemoryStore("redis")}
	f := &Failover{
		RetryEvery: time.Hour,
		local:      newMemoryStore("local"),
		log:        slog.New(logs),
		connect:    func(context.Context) (limiter.Store, error) { return redis, nil },
		primary:    redis,
	}
	var fallbacks atomic.Int64
	f.OnFallback = func() { fallbacks.Add(1) }
	l := New(f, DefaultPlans())
	if !f.Shared() {
		t.Fatal("not shared with Redis up")
	}
	for range 4 {
		charge(t, l, "k")
	}

	// Outage: the charge that meets it falls back at once, without an error.
	redis.down.Store(true)
	r := charge(t, l, "k")
	if !r.Allowed() || f.Shared() {
		t.Fatalf("charge during the outage = %+v, Shared %v", r, f.Shared())
	}
	// Memory starts from zero: limits are per instance during the outage.
	if r.Minute.Used != 1 {
		t.Errorf("first charge in memory: minute used %d, want 1", r.Minute.Used)
	}
	calls := redis.calls.Load()
	allowed := 1
	for range 20 {
		if charge(t, l, "k").Allowed() {
			allowed++
		}
	}
	if allowed != 10 {
		t.Errorf("%d charges allowed during the outage, want 10 (the minute limit, per instance)", allowed)
	}
	if redis.calls.Load() != calls {
		t.Errorf("Redis probed %d times before RetryEvery passed", redis.calls.Load()-calls)
	}
	if fallbacks.Load() == 0 {
		t.Error("OnFallback never called")
	}
	// A probe that fails again logs nothing new.
	retryNow(f)
	charge(t, l, "k")
	if redis.calls.Load() != calls+1 {
		t.Errorf("after RetryEvery: %d probes, want 1", redis.calls.Load()-calls)
	}
	if w, _ := logs.counts(); w != 1 {
		t.Errorf("%d warnings for one outage, want 1", w)
	}

	// Redis answers again: back to its counters (the 4 charged before the outage).
	redis.down.Store(false)
	retryNow(f)
	r = charge(t, l, "k")
	if !f.Shared() || r.Minute.Used != 5 {
		t.Errorf("after recovery: Shared %v, minute used %d, want shared and 5", f.Shared(), r.Minute.Used)
	}
	if _, info := logs.counts(); info != 1 {
		t.Errorf("%d recovery lines, want 1", info)
	}

	// A second outage is logged again.
	redis.down.Store(true)
	charge(t, l, "k")
	if w, _ := logs.counts(); w != 2 {
		t.Errorf("%d warnings after two outages, want 2", w)
	}

	// Peek falls back too.
	if _, err := l.Peek(context.Background(), "k", models.PlanStarter); err != nil {
		t.Errorf("Peek during an outage: %v", err)
	}
}

// TestFailoverCanceledRequest: a request whose context is canceled while Redis is asked does
// not mark Redis down: the failure is the caller's.
func TestFailoverCanceledRequest(t *testing.T) {
	redis := &flakyStore{Store: newMemoryStore("redis")}
	f := &Failover{RetryEvery: time.Hour, local: newMemoryStore("local"), log: slog.New(&logCounter{}),
		connect: func(context.Context) (limiter.Store, error) { return redis, nil }, primary: redis}
	redis.down.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := f.Increment(ctx, "k", 1, limiter.Rate{Limit: 10, Period: time.Minute}); err == nil {
		t.Error("a canceled request's Redis error was swallowed")
	}
	if !f.Shared() {
		t.Error("a canceled request marked Redis down")
	}
}

// TestRedactURL: a Redis password an error quotes stays out of the logs.
func TestRedactURL(t *testing.T) {
	cases := map[string]string{
		"dial redis://user:secret@host:6379: refused": "dial redis://…@host:6379: refused",
		"connection refused":                          "connection refused",
		"dial tcp 10.0.0.1:6379: i/o timeout":         "dial tcp 10.0.0.1:6379: i/o timeout",
	}
	for in, want := range cases {
		if got := redactURL(errors.New(in)); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestYesterdayIsForgotten: the memory store drops a key's day counter once its day is over,
// so that process memory does not grow by one counter per key per day.
func TestYesterdayIsForgotten(t *testing.T) {
	f := NewMemory()
	l := New(f, DefaultPlans())
	day1 := time.Date(2031, 3, 14, 23, 0, 0, 0, time.UTC)
	l.Now = func() time.Time { return day1 }
	charge(t, l, "k")
	charge(t, l, "k")
	rate := limiter.Rate{Limit: 100, Period: time.Hour}
	yesterday := "k:d:2031-03-14"
	if c, _ := f.local.Peek(context.Background(), yesterday, rate); c.Remaining != 98 {
		t.Fatalf("day counter before midnight: remaining %d, want 98", c.Remaining)
	}
	l.Now = func() time.Time { return day1.Add(2 * time.Hour) }
	charge(t, l, "k")
	if c, _ := f.local.Peek(context.Background(), yesterday, rate); c.Remaining != 100 {
		t.Errorf("yesterday's counter still holds %d", 100-c.Remaining)
	}
	if c, _ := f.local.Peek(context.Background(), "k:d:2031-03-15", rate); c.Remaining != 99 {
		t.Errorf("today's counter: remaining %d, want 99", c.Remaining)
	}
}

// An undo that lands after its window expired must not leave the fresh window below zero.
func TestGiveBackNeverLeavesAWindowBelowZero(t *testing.T) {
	l := New(NewMemory(), DefaultPlans())
	rate := limiter.Rate{Limit: 10, Period: time.Minute}
	ctx := context.Background()
	// The key's counter is gone (expired) when the undo arrives.
	c, err := giveBack(ctx, l.store, "k:m", 5, rate)
	if err != nil {
		t.Fatal(err)
	}
	if c.Remaining != rate.Limit {
		t.Fatalf("after a late undo the window has %d remaining of %d", c.Remaining, rate.Limit)
	}
	// An ordinary undo gives back exactly what was charged.
	if _, err := l.store.Increment(ctx, "k:m", 7, rate); err != nil {
		t.Fatal(err)
	}
	if c, err = giveBack(ctx, l.store, "k:m", 4, rate); err != nil || c.Remaining != 7 {
		t.Fatalf("after charging 7 and giving back 4: remaining %d, %v; want 7", c.Remaining, err)
	}
}

// roundTrips counts the commands a Redis client sends.
type roundTrips struct{ n atomic.Int64 }

func (h *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmd)
	}
}
func (h *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		h.n.Add(1)
		return next(ctx, cmds)
	}
}

// TestRedisChargeIsOneRoundTrip: on Redis a charge checks and charges both windows with one
// command, and a refused charge leaves both windows as they were.
func TestRedisChargeIsOneRoundTrip(t *testing.T) {
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		t.Skip("TEST_REDIS_URL is not set")
	}
	prefix := fmt.Sprintf("test-rt-%d", time.Now().UnixNano())
	f, err := NewRedis(context.Background(), url, prefix, slog.New(&logCounter{}))
	if err != nil || !f.Shared() {
		t.Fatalf("NewRedis: %v (shared %v)", err, f != nil && f.Shared())
	}
	sc := f.primary.(*scripted)
	hook := &roundTrips{}
	sc.client.AddHook(hook)
	l := New(f, Plans{models.PlanStarter: {Day: 100, Minute: 10}})
	ctx := context.Background()
	cases := []struct {
		cost             int64
		allowed          bool
		minuteUsed, used int64
	}{
		{cost: 4, allowed: true, minuteUsed: 4, used: 4},
		{cost: 5, allowed: true, minuteUsed: 9, used: 9},
		{cost: 2, allowed: false, minuteUsed: 9, used: 9}, // over the minute: nothing charged
		{cost: 1, allowed: true, minuteUsed: 10, used: 10},
	}
	for i, c := range cases {
		hook.n.Store(0)
		r, err := l.Charge(ctx, "k", models.PlanStarter, c.cost)
		if err != nil {
			t.Fatalf("charge %d: %v", i, err)
		}
		// The script is loaded on first use (EVALSHA, then EVAL): later charges send one command.
		if n := hook.n.Load(); i > 0 && n != 1 {
			t.Errorf("charge %d sent %d commands to Redis, want 1", i, n)
		}
		if r.Allowed() != c.allowed || r.Minute.Used != c.minuteUsed || r.Day.Used != c.used {
			t.Errorf("charge %d of %d: allowed %v, minute used %d, day used %d; want %v, %d, %d",
				i, c.cost, r.Allowed(), r.Minute.Used, r.Day.Used, c.allowed, c.minuteUsed, c.used)
		}
		if !c.allowed && r.Exceeded != WindowMinute {
			t.Errorf("charge %d: exceeded %v, want minute", i, r.Exceeded)
		}
	}
	peek, err := l.Peek(ctx, "k", models.PlanStarter)
	if err != nil || peek.Minute.Used != 10 || peek.Day.Used != 10 {
		t.Errorf("peek after the charges: %+v, %v; want 10 used in both windows", peek, err)
	}
}
