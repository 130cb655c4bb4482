package httpapi_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/wbk/crm/internal/testenv"
)

// lastUsedAt is written with the usage flush, not on the request's path, and at most about
// once a minute per key.
func TestLastUsedAtIsWrittenWithUsageAtMostOncePerMinute(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2031, 3, 14, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	env := testenv.New(t, testenv.Options{Now: clock})
	_, key := env.Tenant(t, "Used")

	lastUsed := func() any {
		return testenv.Get(env.Query(t, key, `{ viewer { apiKey { lastUsedAt } } }`, nil).MustData(t), "viewer", "apiKey", "lastUsedAt")
	}
	flush := func() {
		if err := env.Usage.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if got := lastUsed(); got != nil {
		t.Fatalf("lastUsedAt before any flush = %v; nothing may be written on the request's path", got)
	}
	flush()
	if got := lastUsed(); got != "2031-03-14T12:00:00Z" {
		t.Fatalf("lastUsedAt after a flush = %v", got)
	}
	advance(30 * time.Second)
	lastUsed()
	flush()
	if got := lastUsed(); got != "2031-03-14T12:00:00Z" {
		t.Fatalf("lastUsedAt rewritten within a minute: %v", got)
	}
	advance(31 * time.Second)
	lastUsed()
	flush()
	if got := lastUsed(); got != "2031-03-14T12:01:01Z" {
		t.Fatalf("lastUsedAt a minute later = %v, want 2031-03-14T12:01:01Z", got)
	}
}
