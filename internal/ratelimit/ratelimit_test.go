package ratelimit_test

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// noon is a fixed instant in the future: the stores' own expirations run on the wall clock,
// and a limiter clock ahead of it keeps the reported minute reset at now+60 s exactly.
var noon = time.Date(2031, 3, 14, 12, 0, 0, 0, time.UTC)

func midnightAfter(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, time.UTC)
}

func TestParsePlans(t *testing.T) {
	defaults := ratelimit.DefaultPlans()
	want := map[models.Plan]ratelimit.Limits{
		models.PlanStarter: {Day: 100, Minute: 10},
		models.PlanPro:     {Day: 1_000, Minute: 50},
		models.PlanOrg:     {Day: 10_000, Minute: 200},
	}
	for plan, l := range want {
		if defaults[plan] != l {
			t.Errorf("DefaultPlans()[%s] = %+v, want %+v", plan, defaults[plan], l)
		}
	}
	if len(defaults) != 3 {
		t.Errorf("DefaultPlans has %d plans, want 3", len(defaults))
	}

	ok := []struct {
		spec string
		want map[models.Plan]ratelimit.Limits
	}{
		{"", want},
		{"starter=100/10,pro=1000/50,org=10000/200", want},
		{"starter=5/2,pro=7/3,org=11/4", map[models.Plan]ratelimit.Limits{
			models.PlanStarter: {Day: 5, Minute: 2}, models.PlanPro: {Day: 7, Minute: 3}, models.PlanOrg: {Day: 11, Minute: 4}}},
		{"pro=2000/60", map[models.Plan]ratelimit.Limits{
			models.PlanStarter: want[models.PlanStarter], models.PlanPro: {Day: 2000, Minute: 60}, models.PlanOrg: want[models.PlanOrg]}},
		{" ORG = 1000000 / 100000 , ", map[models.Plan]ratelimit.Limits{
			models.PlanStarter: want[models.PlanStarter], models.PlanPro: want[models.PlanPro], models.PlanOrg: {Day: 1_000_000, Minute: 100_000}}},
		{"starter=1/1,starter=9/8", map[models.Plan]ratelimit.Limits{
			models.PlanStarter: {Day: 9, Minute: 8}, models.PlanPro: want[models.PlanPro], models.PlanOrg: want[models.PlanOrg]}},
	}
	for _, c := range ok {
		got, err := ratelimit.ParsePlans(c.spec)
		if err != nil {
			t.Errorf("ParsePlans(%q): %v", c.spec, err)
			continue
		}
		if len(got) != 3 {
			t.Errorf("ParsePlans(%q) has %d plans, want 3", c.spec, len(got))
		}
		for plan, l := range c.want {
			if got[plan] != l {
				t.Errorf("ParsePlans(%q)[%s] = %+v, want %+v", c.spec, plan, got[plan], l)
			}
		}
	}

	for _, spec := range []string{
		"starter", "starter=", "starter=100", "=100/10", "gold=100/10", "starter=0/10", "starter=10/0",
		"starter=-1/10", "starter=a/b", "starter=100/10/5", "starter=1.5/1", "pro=1000/50;org=1/1",
		"starter=100/10,bad",
	} {
		if _, err := ratelimit.ParsePlans(spec); err == nil {
			t.Errorf("ParsePlans(%q) succeeded, want an error", spec)
		}
	}
	// The defaults are a fresh map every time: parsing does not change them.
	if _, err := ratelimit.ParsePlans("starter=1/1"); err != nil {
		t.Fatal(err)
	}
	if ratelimit.DefaultPlans()[models.PlanStarter].Day != 100 {
		t.Error("ParsePlans changed the defaults")
	}
}

func mustCharge(t *testing.T, l *ratelimit.Limiter, key string, plan models.Plan, cost int64) *ratelimit.Result {
	t.Helper()
	r, err := l.Charge(context.Background(), key, plan, cost)
	if err != nil {
		t.Fatalf("Charge: %v", err)
	}
	return r
}

func mustPeek(t *testing.T, l *ratelimit.Limiter, key string, plan models.Plan) *ratelimit.Result {
	t.Helper()
	r, err := l.Peek(context.Background(), key, plan)
	if err != nil {
		t.Fatalf("Peek: %v", err)
	}
	return r
}

func checkWindow(t *testing.T, name string, got ratelimit.Window, limit, used int64) {
	t.Helper()
	if got.Limit != limit || got.Used != used || got.Remaining != limit-used {
		t.Errorf("%s window = limit %d used %d remaining %d, want limit %d used %d remaining %d",
			name, got.Limit, got.Used, got.Remaining, limit, used, limit-used)
	}
}

// stores runs f against the memory store and against the harness's store (Redis when
// TEST_REDIS_URL is set).
func stores(t *testing.T, f func(t *testing.T, store *ratelimit.Failover)) {
	t.Run("memory", func(t *testing.T) { f(t, ratelimit.NewMemory()) })
	if os.Getenv("TEST_REDIS_URL") != "" {
		t.Run("redis", func(t *testing.T) { f(t, testdb.LimitStore(t, testdb.UniquePrefix())) })
	}
}

func TestChargeAndPeek(t *testing.T) {
	stores(t, func(t *testing.T, store *ratelimit.Failover) {
		clk := testdb.NewClock(noon)
		l := ratelimit.New(store, ratelimit.DefaultPlans())
		l.Now = clk.Now
		const key = "key-a"
		starter := models.PlanStarter

		r := mustPeek(t, l, key, starter)
		checkWindow(t, "fresh day", r.Day, 100, 0)
		checkWindow(t, "fresh minute", r.Minute, 10, 0)
		if r.Cost != 0 || !r.Allowed() || r.Plan != starter {
			t.Errorf("fresh peek = %+v", r)
		}
		if !r.Day.ResetAt.Equal(midnightAfter(noon)) {
			t.Errorf("day resets at %v, want %v", r.Day.ResetAt, midnightAfter(noon))
		}

		r = mustCharge(t, l, key, starter, 3)
		if !r.Allowed() || r.Cost != 3 || r.Exceeded != ratelimit.WindowNone || r.RetryAfter != 0 {
			t.Fatalf("first charge = %+v, want allowed at cost 3", r)
		}
		checkWindow(t, "day", r.Day, 100, 3)
		checkWindow(t, "minute", r.Minute, 10, 3)
		if !r.Day.ResetAt.Equal(midnightAfter(noon)) {
			t.Errorf("day resets at %v, want %v", r.Day.ResetAt, midnightAfter(noon))
		}
		if want := noon.Add(time.Minute); !r.Minute.ResetAt.Equal(want) {
			t.Errorf("minute resets at %v, want %v", r.Minute.ResetAt, want)
		}

		r = mustCharge(t, l, key, starter, 7)
		if !r.Allowed() || r.Cost != 7 {
			t.Fatalf("second charge = %+v, want allowed", r)
		}
		checkWindow(t, "day", r.Day, 100, 10)
		checkWindow(t, "minute", r.Minute, 10, 10)

		// The minute is spent: refused, and charged nothing.
		for _, cost := range []int64{1, 5} {
			r = mustCharge(t, l, key, starter, cost)
			if r.Allowed() || r.Exceeded != ratelimit.WindowMinute || r.Cost != 0 || r.Asked != cost {
				t.Fatalf("over the minute = %+v, want refused by the minute window", r)
			}
			if r.RetryAfter <= 0 || r.RetryAfter > time.Minute {
				t.Errorf("RetryAfter = %v, want within the minute", r.RetryAfter)
			}
			checkWindow(t, "day after refusal", r.Day, 100, 10)
			checkWindow(t, "minute after refusal", r.Minute, 10, 10)
		}
		r = mustPeek(t, l, key, starter)
		checkWindow(t, "day peek", r.Day, 100, 10)
		checkWindow(t, "minute peek", r.Minute, 10, 10)

		// Peeking charges nothing.
		for range 5 {
			mustPeek(t, l, key, starter)
		}
		checkWindow(t, "day after peeks", mustPeek(t, l, key, starter).Day, 100, 10)

		// Keys and plans are counted apart.
		r = mustCharge(t, l, "key-b", models.PlanPro, 50)
		if !r.Allowed() {
			t.Fatalf("PRO charge of 50 = %+v", r)
		}
		checkWindow(t, "pro day", r.Day, 1000, 50)
		checkWindow(t, "pro minute", r.Minute, 50, 50)
		checkWindow(t, "starter day untouched", mustPeek(t, l, key, starter).Day, 100, 10)
		r = mustCharge(t, l, "key-c", models.PlanOrg, 200)
		checkWindow(t, "org minute", r.Minute, 200, 200)
	})
}

// TestCostOverTheLimit: an operation that costs more than a whole window is refused
// without being charged, whatever the window's state.
func TestCostOverTheLimit(t *testing.T) {
	stores(t, func(t *testing.T, store *ratelimit.Failover) {
		l := ratelimit.New(store, ratelimit.DefaultPlans())
		l.Now = testdb.NewClock(noon).Now
		r := mustCharge(t, l, "k", models.PlanStarter, 11)
		if r.Allowed() || r.Exceeded != ratelimit.WindowMinute || r.Asked != 11 || r.Cost != 0 {
			t.Fatalf("cost 11 on STARTER = %+v, want refused by the minute", r)
		}
		checkWindow(t, "day", r.Day, 100, 0)
		checkWindow(t, "minute", r.Minute, 10, 0)
		r = mustCharge(t, l, "k", models.PlanStarter, 10)
		if !r.Allowed() {
			t.Fatalf("cost 10 after a refused 11 = %+v, want allowed", r)
		}
	})
}

func TestDayWindowBinding(t *testing.T) {
	stores(t, func(t *testing.T, store *ratelimit.Failover) {
		clk := testdb.NewClock(noon)
		l := ratelimit.New(store, ratelimit.Plans{models.PlanStarter: {Day: 5, Minute: 10}})
		l.Now = clk.Now
		r := mustCharge(t, l, "k", models.PlanStarter, 3)
		checkWindow(t, "day", r.Day, 5, 3)
		checkWindow(t, "minute", r.Minute, 10, 3)

		// 3 more would fit the minute but not the day.
		r = mustCharge(t, l, "k", models.PlanStarter, 3)
		if r.Allowed() || r.Exceeded != ratelimit.WindowDay || r.Cost != 0 {
			t.Fatalf("over the day = %+v, want refused by the day window", r)
		}
		if want := midnightAfter(noon).Sub(noon); r.RetryAfter != want {
			t.Errorf("RetryAfter = %v, want %v (until midnight UTC)", r.RetryAfter, want)
		}
		checkWindow(t, "day after refusal", r.Day, 5, 3)
		checkWindow(t, "minute after refusal", r.Minute, 10, 3)

		r = mustCharge(t, l, "k", models.PlanStarter, 2)
		if !r.Allowed() {
			t.Fatalf("exactly the rest of the day = %+v, want allowed", r)
		}
		checkWindow(t, "day", r.Day, 5, 5)
		checkWindow(t, "minute", r.Minute, 10, 5)
		r = mustCharge(t, l, "k", models.PlanStarter, 1)
		if r.Exceeded != ratelimit.WindowDay {
			t.Errorf("day spent: Exceeded = %q, want day", r.Exceeded)
		}

		// Both windows spent: the day, the longer wait, is reported.
		l2 := ratelimit.New(store, ratelimit.Plans{models.PlanStarter: {Day: 4, Minute: 4}})
		l2.Now = clk.Now
		mustCharge(t, l2, "both", models.PlanStarter, 4)
		r = mustCharge(t, l2, "both", models.PlanStarter, 1)
		if r.Exceeded != ratelimit.WindowDay || r.RetryAfter != 12*time.Hour {
			t.Errorf("both spent = %+v, want the day window with 12h to wait", r)
		}
	})
}

// concurrentCharges charges cost from n goroutines at once and returns how many were
// allowed.
func concurrentCharges(t *testing.T, limiters []*ratelimit.Limiter, key string, n int, cost int64) int {
	t.Helper()
	var allowed, failed atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		l := limiters[i%len(limiters)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r, err := l.Charge(context.Background(), key, models.PlanStarter, cost)
			if err != nil {
				failed.Add(1)
				return
			}
			if r.Allowed() {
				allowed.Add(1)
			}
		}()
	}
	close(start)
	wg.Wait()
	if failed.Load() != 0 {
		t.Fatalf("%d charges failed", failed.Load())
	}
	return int(allowed.Load())
}

func TestConcurrentChargesAreExact(t *testing.T) {
	stores(t, func(t *testing.T, store *ratelimit.Failover) {
		l := ratelimit.New(store, ratelimit.DefaultPlans())
		l.Now = testdb.NewClock(noon).Now
		if got := concurrentCharges(t, []*ratelimit.Limiter{l}, "k", 50, 1); got != 10 {
			t.Fatalf("50 concurrent charges against a minute of 10: %d allowed, want 10", got)
		}
		// Every refusal gave its increments back.
		r := mustPeek(t, l, "k", models.PlanStarter)
		checkWindow(t, "day", r.Day, 100, 10)
		checkWindow(t, "minute", r.Minute, 10, 10)

		// Cost 3 against a minute of 10: three fit.
		if got := concurrentCharges(t, []*ratelimit.Limiter{l}, "k3", 50, 3); got != 3 {
			t.Fatalf("50 concurrent charges of 3 against a minute of 10: %d allowed, want 3", got)
		}
		r = mustPeek(t, l, "k3", models.PlanStarter)
		checkWindow(t, "minute", r.Minute, 10, 9)

		// A day budget of 7 binding under concurrency.
		ld := ratelimit.New(store, ratelimit.Plans{models.PlanStarter: {Day: 7, Minute: 1000}})
		ld.Now = testdb.NewClock(noon).Now
		if got := concurrentCharges(t, []*ratelimit.Limiter{ld}, "kd", 50, 1); got != 7 {
			t.Fatalf("50 concurrent charges against a day of 7: %d allowed, want 7", got)
		}
		checkWindow(t, "day", mustPeek(t, ld, "kd", models.PlanStarter).Day, 7, 7)
	})
}

// TestConcurrentRedis runs the exactness test against the real Redis; it needs
// TEST_REDIS_URL (CI sets it).
func TestConcurrentRedis(t *testing.T) {
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		t.Skip("TEST_REDIS_URL is not set")
	}
	store, err := ratelimit.NewRedis(context.Background(), url, testdb.UniquePrefix(), testdb.Logger())
	if err != nil {
		t.Fatal(err)
	}
	if !store.Shared() {
		t.Fatal("Redis at TEST_REDIS_URL does not answer")
	}
	fallbacks := 0
	store.OnFallback = func() { fallbacks++ }
	l := ratelimit.New(store, ratelimit.DefaultPlans())
	if got := concurrentCharges(t, []*ratelimit.Limiter{l}, "k", 50, 1); got != 10 {
		t.Fatalf("50 concurrent charges against a minute of 10 in Redis: %d allowed, want 10", got)
	}
	r := mustPeek(t, l, "k", models.PlanStarter)
	checkWindow(t, "minute", r.Minute, 10, 10)
	checkWindow(t, "day", r.Day, 100, 10)
	if !store.Shared() || fallbacks != 0 {
		t.Errorf("Shared = %v, fallbacks = %d: want every charge counted in Redis", store.Shared(), fallbacks)
	}
}

// TestInstancesShareRedis: two stores with the same prefix on one Redis are two server
// instances; together they allow exactly the limit.
func TestInstancesShareRedis(t *testing.T) {
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		t.Skip("TEST_REDIS_URL is not set")
	}
	prefix := testdb.UniquePrefix()
	var limiters []*ratelimit.Limiter
	for range 2 {
		s, err := ratelimit.NewRedis(context.Background(), url, prefix, testdb.Logger())
		if err != nil || !s.Shared() {
			t.Fatalf("NewRedis: %v (shared %v)", err, s != nil && s.Shared())
		}
		l := ratelimit.New(s, ratelimit.DefaultPlans())
		l.Now = testdb.NewClock(noon).Now
		limiters = append(limiters, l)
	}
	a, b := limiters[0], limiters[1]

	mustCharge(t, a, "seq", models.PlanStarter, 4)
	r := mustPeek(t, b, "seq", models.PlanStarter)
	checkWindow(t, "day seen by the other instance", r.Day, 100, 4)
	checkWindow(t, "minute seen by the other instance", r.Minute, 10, 4)

	if got := concurrentCharges(t, limiters, "k", 50, 1); got != 10 {
		t.Fatalf("two instances, 50 concurrent charges against a minute of 10: %d allowed, want 10", got)
	}
	checkWindow(t, "minute", mustPeek(t, a, "k", models.PlanStarter).Minute, 10, 10)
	checkWindow(t, "minute", mustPeek(t, b, "k", models.PlanStarter).Minute, 10, 10)

	// Another prefix is another set of counters.
	other, err := ratelimit.NewRedis(context.Background(), url, testdb.UniquePrefix(), testdb.Logger())
	if err != nil {
		t.Fatal(err)
	}
	lo := ratelimit.New(other, ratelimit.DefaultPlans())
	lo.Now = testdb.NewClock(noon).Now
	checkWindow(t, "other prefix", mustPeek(t, lo, "k", models.PlanStarter).Minute, 10, 0)
}

func TestDayRolloverAtMidnightUTC(t *testing.T) {
	stores(t, func(t *testing.T, store *ratelimit.Failover) {
		// The clock is in New York: the day still ends at 00:00 UTC, 20:00 there.
		ny := time.FixedZone("EDT", -4*3600)
		lastMinute := time.Date(2031, 3, 14, 19, 59, 0, 0, ny) // 23:59:00 UTC
		clk := testdb.NewClock(lastMinute)
		l := ratelimit.New(store, ratelimit.Plans{models.PlanStarter: {Day: 5, Minute: 1000}})
		l.Now = clk.Now
		midnight := time.Date(2031, 3, 15, 0, 0, 0, 0, time.UTC)

		r := mustCharge(t, l, "k", models.PlanStarter, 4)
		if !r.Day.ResetAt.Equal(midnight) {
			t.Errorf("day resets at %v, want %v", r.Day.ResetAt, midnight)
		}
		clk.Set(midnight.Add(-time.Second)) // 23:59:59
		r = mustCharge(t, l, "k", models.PlanStarter, 1)
		if !r.Allowed() {
			t.Fatalf("last unit of the day = %+v", r)
		}
		checkWindow(t, "day at 23:59:59", r.Day, 5, 5)
		r = mustCharge(t, l, "k", models.PlanStarter, 1)
		if r.Exceeded != ratelimit.WindowDay || r.RetryAfter != time.Second {
			t.Fatalf("at 23:59:59 = %+v, want refused by the day with 1s to wait", r)
		}
		if !r.Day.ResetAt.Equal(midnight) {
			t.Errorf("day resets at %v, want %v", r.Day.ResetAt, midnight)
		}

		clk.Set(midnight)
		r = mustPeek(t, l, "k", models.PlanStarter)
		checkWindow(t, "day at 00:00:00", r.Day, 5, 0)
		if next := midnight.Add(24 * time.Hour); !r.Day.ResetAt.Equal(next) {
			t.Errorf("new day resets at %v, want %v", r.Day.ResetAt, next)
		}
		r = mustCharge(t, l, "k", models.PlanStarter, 1)
		if !r.Allowed() {
			t.Fatalf("first charge of the new day = %+v, want allowed", r)
		}
		checkWindow(t, "day after the first charge of the new day", r.Day, 5, 1)
		// The minute window is not the day's: it carries on across midnight.
		checkWindow(t, "minute", r.Minute, 1000, 6)

		// Later the same day, the count is the new day's.
		clk.Set(midnight.Add(12 * time.Hour))
		checkWindow(t, "day at noon", mustPeek(t, l, "k", models.PlanStarter).Day, 5, 1)
	})
}

// TestDeadRedis: Redis unreachable from the start. The store comes up anyway, counts per
// instance in memory, never returns an error, and says so once in the log.
func TestDeadRedis(t *testing.T) {
	logs := &countingHandler{}
	store, err := ratelimit.NewRedis(context.Background(), "redis://127.0.0.1:1/0", testdb.UniquePrefix(), slog.New(logs))
	if err != nil {
		t.Fatalf("NewRedis on a dead port: %v", err)
	}
	if store.Shared() {
		t.Fatal("Shared() = true with Redis down")
	}
	var fallbacks atomic.Int64
	store.OnFallback = func() { fallbacks.Add(1) }
	l := ratelimit.New(store, ratelimit.DefaultPlans())
	l.Now = testdb.NewClock(noon).Now

	for i := range 10 {
		r := mustCharge(t, l, "k", models.PlanStarter, 1)
		if !r.Allowed() {
			t.Fatalf("charge %d refused: %+v", i+1, r)
		}
	}
	r := mustCharge(t, l, "k", models.PlanStarter, 1)
	if r.Allowed() || r.Exceeded != ratelimit.WindowMinute {
		t.Fatalf("11th charge = %+v, want refused: limits still hold per instance", r)
	}
	checkWindow(t, "minute", mustPeek(t, l, "k", models.PlanStarter).Minute, 10, 10)
	if fallbacks.Load() == 0 {
		t.Error("OnFallback was never called")
	}

	// Exact under concurrency in the fallback too.
	if got := concurrentCharges(t, []*ratelimit.Limiter{l}, "c", 50, 1); got != 10 {
		t.Errorf("50 concurrent charges in the fallback: %d allowed, want 10", got)
	}

	// Two instances on a dead Redis each count for themselves.
	other, err := ratelimit.NewRedis(context.Background(), "redis://127.0.0.1:1/0", testdb.UniquePrefix(), testdb.Logger())
	if err != nil {
		t.Fatal(err)
	}
	lo := ratelimit.New(other, ratelimit.DefaultPlans())
	lo.Now = testdb.NewClock(noon).Now
	checkWindow(t, "another instance", mustPeek(t, lo, "k", models.PlanStarter).Minute, 10, 0)

	if n := logs.warnings(); n != 1 {
		t.Errorf("%d warnings logged, want 1 for the whole outage", n)
	}
	if store.Shared() {
		t.Error("Shared() = true with Redis down")
	}

	if _, err := ratelimit.NewRedis(context.Background(), "http://not-redis", "", testdb.Logger()); err == nil {
		t.Error("NewRedis accepted a URL that is not redis://")
	}
}

func TestMemoryIsNotShared(t *testing.T) {
	s := ratelimit.NewMemory()
	if s.Shared() {
		t.Error("the memory store says it is shared")
	}
	called := false
	s.OnFallback = func() { called = true }
	l := ratelimit.New(s, ratelimit.DefaultPlans())
	mustCharge(t, l, "k", models.PlanStarter, 1)
	if called {
		t.Error("OnFallback called for a store that never had Redis")
	}
	if l.Store() != s {
		t.Error("Store() is not the limiter's store")
	}
}

// countingHandler counts log records at warning level and above.
type countingHandler struct {
	mu   sync.Mutex
	warn int
	info int
}

func (h *countingHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *countingHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if r.Level >= slog.LevelWarn {
		h.warn++
	} else {
		h.info++
	}
	return nil
}
func (h *countingHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *countingHandler) WithGroup(string) slog.Handler      { return h }
func (h *countingHandler) warnings() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.warn
}
