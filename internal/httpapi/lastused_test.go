package httpapi_test

import (
	"context"
	"testing"
	"time"

	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/internal/testenv"
)

// lastUsedAt is written with the usage flush, not on the request's path, and at most about
// once a minute per key.
func TestLastUsedAtIsWrittenWithUsageAtMostOncePerMinute(t *testing.T) {
	clock := testdb.NewClock(time.Date(2031, 3, 14, 12, 0, 0, 0, time.UTC))
	env := testenv.New(t, testenv.Options{Now: clock.Now})
	_, key := env.Tenant(t, "Used")

	lastUsed := func() *string {
		type viewer struct {
			Viewer struct {
				APIKey struct {
					LastUsedAt *string `json:"lastUsedAt"`
				} `json:"apiKey"`
			} `json:"viewer"`
		}
		r := env.Query(t, key, `{ viewer { apiKey { lastUsedAt } } }`, nil)
		return testenv.Decode[viewer](t, r).Viewer.APIKey.LastUsedAt
	}
	flush := func() {
		if err := env.Usage.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	show := func(s *string) string {
		if s == nil {
			return "null"
		}
		return *s
	}
	if got := lastUsed(); got != nil {
		t.Fatalf("lastUsedAt before any flush = %v; nothing may be written on the request's path", *got)
	}
	flush()
	if got := show(lastUsed()); got != "2031-03-14T12:00:00Z" {
		t.Fatalf("lastUsedAt after a flush = %v", got)
	}
	clock.Add(30 * time.Second)
	lastUsed()
	flush()
	if got := show(lastUsed()); got != "2031-03-14T12:00:00Z" {
		t.Fatalf("lastUsedAt rewritten within a minute: %v", got)
	}
	clock.Add(31 * time.Second)
	lastUsed()
	flush()
	if got := show(lastUsed()); got != "2031-03-14T12:01:01Z" {
		t.Fatalf("lastUsedAt a minute later = %v, want 2031-03-14T12:01:01Z", got)
	}
}
