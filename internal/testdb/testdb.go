// Package testdb gives a test what the layers below HTTP stand on: a database of its own
// (a fresh PostgreSQL schema when TEST_DATABASE_URL is set, dropped at the end; else a fresh
// SQLite file), rate-limit counters of its own (in the Redis at TEST_REDIS_URL when set, else
// in memory), a settable clock and a quiet logger. It imports nothing above the store, so the
// store, ratelimit, usage and events tests compile neither the schema nor the HTTP surface;
// HTTP tests use internal/testenv, which builds on this package.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"gorm.io/gorm/logger"

	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/store"
)

// URL returns a database for one test: a fresh PostgreSQL schema when TEST_DATABASE_URL is
// set (dropped at the end), or "" with a SQLite path in a temp folder.
func URL(t testing.TB) (pgURL, sqlitePath string) {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		return "", filepath.Join(t.TempDir(), "test.db")
	}
	schema := "t_" + randomHex()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("connect to TEST_DATABASE_URL: %v", err)
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	_ = conn.Close(ctx)
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("TEST_DATABASE_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), ""
}

// Options tune a store.
type Options struct {
	// SQLLogger sees every statement (statement-count tests); nil: none.
	SQLLogger logger.Interface
}

// Open opens and migrates a fresh database for one test, closed at its end.
func Open(t testing.TB, opts ...Options) *store.Store {
	t.Helper()
	pgURL, path := URL(t)
	return OpenAt(t, pgURL, path, opts...)
}

// OpenAt opens and migrates the database URL returned; opening it twice gives two stores on
// one database, as two server instances have.
func OpenAt(t testing.TB, pgURL, sqlitePath string, opts ...Options) *store.Store {
	t.Helper()
	so := store.Options{URL: pgURL, SQLitePath: sqlitePath, Logger: Logger()}
	if len(opts) > 0 {
		so.SQLLogger = opts[0].SQLLogger
	}
	st, err := store.Open(so)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return st
}

// Logger discards everything: tests assert on results, not on logs.
func Logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// LimitStore returns the rate-limit store tests use: the Redis at TEST_REDIS_URL when set,
// under prefix, else process memory. Stores made with the same prefix share counters, as
// server instances on one Redis do.
func LimitStore(t testing.TB, prefix string) *ratelimit.Failover {
	t.Helper()
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		return ratelimit.NewMemory()
	}
	f, err := ratelimit.NewRedis(context.Background(), url, prefix, Logger())
	if err != nil {
		t.Fatalf("TEST_REDIS_URL: %v", err)
	}
	if !f.Shared() {
		t.Fatalf("TEST_REDIS_URL is set but Redis does not answer")
	}
	return f
}

// UniquePrefix names a fresh set of rate-limit counters.
func UniquePrefix() string {
	return "test:" + randomHex()
}

// randomHex is 12 random hex digits: names that concurrent tests on one database or one
// Redis never share.
func randomHex() string {
	var b [6]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand panics rather than return an error
	return hex.EncodeToString(b[:])
}

// Clock is a settable clock, safe for concurrent use: pass its Now where a component takes
// a clock (the limiter, the usage recorder) and move it across midnight.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t
	c.mu.Unlock()
}

// Add moves the clock forward by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
