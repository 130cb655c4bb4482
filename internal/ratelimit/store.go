package ratelimit

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
	limiter "github.com/ulule/limiter/v3"
	"github.com/ulule/limiter/v3/drivers/store/memory"
	redisstore "github.com/ulule/limiter/v3/drivers/store/redis"
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
	if prefix == "" {
		prefix = keyPrefix
	}
	f := &Failover{
		RetryEvery: 2 * time.Second,
		local:      newMemoryStore(prefix),
		log:        log,
		connect: func(ctx context.Context) (limiter.Store, error) {
			return redisstore.NewStoreWithOptions(client, limiter.StoreOptions{Prefix: prefix})
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
