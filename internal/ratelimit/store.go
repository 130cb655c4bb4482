package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	limiter "github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/common"
	"github.com/ulule/limiter/v3/drivers/store/memory"
	redisstore "github.com/ulule/limiter/v3/drivers/store/redis"

	"github.com/wbk/crm/internal/telemetry"
)

// Failover is a limiter store that counts in Redis, shared by every instance, while Redis
// answers, and in process memory while it does not: a Redis outage degrades limits to
// per-instance ones instead of failing requests. It probes Redis again every RetryEvery and
// goes back to it as soon as it answers.
type Failover struct {
	// RetryEvery is how long after a failure Redis is tried again.
	RetryEvery time.Duration
	// OnFallback, when set, is called each time an operation falls back to memory.
	OnFallback func()

	connect func(context.Context) (limiter.Store, error)
	local   limiter.Store
	log     *slog.Logger

	mu      sync.Mutex
	primary limiter.Store
	down    bool
	retryAt time.Time
}

const keyPrefix = "crm:rl"

// NewMemory counts in process memory only.
func NewMemory() *Failover {
	return &Failover{local: newMemoryStore(keyPrefix), log: slog.Default()}
}

// newMemoryStore has no cleaner goroutine: ulule's cleaner can delete a counter between
// checking that it expired and another request incrementing it, losing that increment. Minute
// counters are reused in place when they expire; day counters are forgotten by the Limiter
// once their day is over.
func newMemoryStore(prefix string) limiter.Store {
	return memory.NewStoreWithOptions(limiter.StoreOptions{Prefix: prefix, CleanUpInterval: 0})
}

// NewRedis counts in the Redis at url, falling back to memory while it is unreachable.
// prefix separates independent sets of counters in one Redis (tests use it).
func NewRedis(ctx context.Context, url, prefix string, log *slog.Logger) (*Failover, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	// Fail fast: a slow Redis must not hold requests; the memory fallback takes over.
	opts.DialTimeout = 250 * time.Millisecond
	opts.ReadTimeout = 250 * time.Millisecond
	opts.WriteTimeout = 250 * time.Millisecond
	opts.MaxRetries = -1
	client := redis.NewClient(opts)
	if err := telemetry.Redis(client); err != nil {
		return nil, err
	}
	if prefix == "" {
		prefix = keyPrefix
	}
	f := &Failover{
		RetryEvery: 2 * time.Second,
		local:      newMemoryStore(prefix),
		log:        log,
		connect: func(ctx context.Context) (limiter.Store, error) {
			s, err := redisstore.NewStoreWithOptions(client, limiter.StoreOptions{Prefix: prefix})
			if err != nil {
				return nil, err
			}
			return &scripted{Store: s, client: client, prefix: prefix}, nil
		},
		down: true,
	}
	if s, err := f.connect(ctx); err != nil {
		f.log.Warn("Redis unavailable at start: rate limits are per instance until it answers", "err", redactURL(err))
		f.retryAt = time.Now().Add(f.RetryEvery)
	} else {
		f.primary, f.down = s, false
	}
	return f, nil
}

// active returns the Redis store to use now, or nil for memory. While Redis is down, one
// caller per RetryEvery probes it.
func (f *Failover) active(ctx context.Context) limiter.Store {
	if f.connect == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.down {
		return f.primary
	}
	if time.Now().Before(f.retryAt) {
		return nil
	}
	f.retryAt = time.Now().Add(f.RetryEvery)
	if f.primary == nil {
		s, err := f.connect(ctx)
		if err != nil {
			return nil
		}
		f.primary = s
	}
	return f.primary
}

func (f *Failover) succeeded() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down {
		f.down = false
		f.log.Info("Redis answers again: rate limits are shared again")
	}
}

func (f *Failover) failed(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.down {
		f.down = true
		f.log.Warn("Redis unavailable: rate limits are per instance until it answers", "err", redactURL(err))
	}
	f.retryAt = time.Now().Add(f.RetryEvery)
}

// FallingBack reports whether a configured Redis does not answer, so that counters live in
// process memory until it does.
func (f *Failover) FallingBack() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connect != nil && f.down
}

// Shared reports whether counters currently live in Redis.
func (f *Failover) Shared() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connect != nil && !f.down
}

func (f *Failover) do(ctx context.Context, op func(limiter.Store) (limiter.Context, error)) (limiter.Context, error) {
	if s := f.active(ctx); s != nil {
		c, err := op(s)
		if err == nil {
			f.succeeded()
			return c, nil
		}
		if ctx.Err() != nil {
			return c, err
		}
		f.failed(err)
	}
	if f.connect != nil && f.OnFallback != nil {
		f.OnFallback()
	}
	return op(f.local)
}

func (f *Failover) Get(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	return f.do(ctx, func(s limiter.Store) (limiter.Context, error) { return s.Get(ctx, key, rate) })
}

func (f *Failover) Peek(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	return f.do(ctx, func(s limiter.Store) (limiter.Context, error) { return s.Peek(ctx, key, rate) })
}

func (f *Failover) Reset(ctx context.Context, key string, rate limiter.Rate) (limiter.Context, error) {
	return f.do(ctx, func(s limiter.Store) (limiter.Context, error) { return s.Reset(ctx, key, rate) })
}

func (f *Failover) Increment(ctx context.Context, key string, count int64, rate limiter.Rate) (limiter.Context, error) {
	return f.do(ctx, func(s limiter.Store) (limiter.Context, error) { return s.Increment(ctx, key, count, rate) })
}

// chargeBoth charges both windows: on Redis in one script, one round trip; in memory (Redis
// down, or never configured) with one increment per window.
func (f *Failover) chargeBoth(ctx context.Context, dayKey, minuteKey string, cost int64, dayRate, minRate limiter.Rate) (day, minute limiter.Context, charged bool, err error) {
	if s := f.active(ctx); s != nil {
		if sc, ok := s.(*scripted); ok {
			day, minute, charged, err = sc.chargeBoth(ctx, dayKey, minuteKey, cost, dayRate, minRate)
		} else {
			day, minute, charged, err = chargeSeparately(ctx, s, dayKey, minuteKey, cost, dayRate, minRate)
		}
		if err == nil {
			f.succeeded()
			return day, minute, charged, nil
		}
		if ctx.Err() != nil {
			return day, minute, false, err
		}
		f.failed(err)
	}
	if f.connect != nil && f.OnFallback != nil {
		// Counted per window, as the separate operations of the memory path are.
		f.OnFallback()
		f.OnFallback()
	}
	return chargeSeparately(ctx, f.local, dayKey, minuteKey, cost, dayRate, minRate)
}

// scripted is the Redis store with a script that checks and charges both windows at once.
// Its counters are ulule's (same keys, same values, same expiry), so Peek reads them.
type scripted struct {
	limiter.Store
	client *redis.Client
	prefix string
}

// chargeBothScript adds the cost to both windows and takes it back from both when either is
// over its limit. It runs atomically, so no other request sees the transient charge. A counter
// created by the script expires with its window, as ulule's increment does it.
//
// KEYS: day, minute. ARGV: cost, day period (ms), minute period (ms), day limit, minute limit.
// Returns {charged (0/1), day count, day ttl (ms), minute count, minute ttl (ms)}.
var chargeBothScript = redis.NewScript(`
local cost = tonumber(ARGV[1])
local function incr(key, period)
	local n = redis.call("incrby", key, cost)
	if n == cost then
		redis.call("pexpire", key, period)
		return n, tonumber(period)
	end
	return n, redis.call("pttl", key)
end
local d, dttl = incr(KEYS[1], ARGV[2])
local m, mttl = incr(KEYS[2], ARGV[3])
if d > tonumber(ARGV[4]) or m > tonumber(ARGV[5]) then
	d = redis.call("incrby", KEYS[1], -cost)
	m = redis.call("incrby", KEYS[2], -cost)
	return {0, d, dttl, m, mttl}
end
return {1, d, dttl, m, mttl}
`)

func (s *scripted) chargeBoth(ctx context.Context, dayKey, minuteKey string, cost int64, dayRate, minRate limiter.Rate) (day, minute limiter.Context, charged bool, err error) {
	keys := []string{s.prefix + ":" + dayKey, s.prefix + ":" + minuteKey}
	vals, err := chargeBothScript.Run(ctx, s.client, keys, cost, dayRate.Period.Milliseconds(), minRate.Period.Milliseconds(),
		dayRate.Limit, minRate.Limit).Int64Slice()
	if err != nil {
		return day, minute, false, err
	}
	if len(vals) != 5 {
		return day, minute, false, fmt.Errorf("ratelimit: the charge script answered %d values, want 5", len(vals))
	}
	now := time.Now()
	return counted(now, dayRate, vals[1], vals[2]), counted(now, minRate, vals[3], vals[4]), vals[0] == 1, nil
}

// counted is a window's state from its count and time to live, as ulule reports it.
func counted(now time.Time, rate limiter.Rate, count, ttlMillis int64) limiter.Context {
	expiration := now.Add(rate.Period)
	if ttlMillis > 0 {
		expiration = now.Add(time.Duration(ttlMillis) * time.Millisecond)
	}
	return common.GetContextFromState(now, rate, expiration, count)
}

// forgetLocal drops a counter from process memory; Redis counters expire by themselves.
func (f *Failover) forgetLocal(ctx context.Context, key string, rate limiter.Rate) {
	_, _ = f.local.Reset(ctx, key, rate)
}

// redactURL keeps a Redis password that an error message may quote out of the logs.
func redactURL(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, "@"); i >= 0 {
		if j := strings.LastIndex(msg[:i], "//"); j >= 0 {
			return msg[:j+2] + "…" + msg[i:]
		}
	}
	return msg
}
