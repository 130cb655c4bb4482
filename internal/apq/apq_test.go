package apq_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/apq"
	"github.com/wbk/crm/internal/ids"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestRedisSharesDocumentsBetweenInstances: a document registered on one instance is found by
// another (each has its own local LRU in front of the same Redis).
func TestRedisSharesDocumentsBetweenInstances(t *testing.T) {
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		t.Skip("TEST_REDIS_URL is not set (CI sets it)")
	}
	prefix := "test:apq:" + ids.New("tst") + ":"
	a, err := apq.NewRedis(url, prefix, 0, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := apq.NewRedis(url, prefix, 0, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx := context.Background()
	if _, ok := b.Get(ctx, "h1"); ok {
		t.Fatalf("hit before registration")
	}
	a.Add(ctx, "h1", "{ viewer { id } }")
	if q, ok := b.Get(ctx, "h1"); !ok || q != "{ viewer { id } }" {
		t.Fatalf("other instance: %q %v", q, ok)
	}
}

// TestRedisDownFallsBackToMemory: with Redis unreachable a registration still serves this
// instance, and a lookup is a miss, never an error.
func TestRedisDownFallsBackToMemory(t *testing.T) {
	c, err := apq.NewRedis("redis://127.0.0.1:1/0", "", 0, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	if _, ok := c.Get(ctx, "h"); ok {
		t.Fatalf("hit on an empty cache")
	}
	c.Add(ctx, "h", "{ a }")
	if q, ok := c.Get(ctx, "h"); !ok || q != "{ a }" {
		t.Fatalf("local fallback: %q %v", q, ok)
	}
}

// TestLocalIsBoundedInBytes: the in-memory cache keeps documents while their sizes add up to
// its budget, dropping the least recently used first, and never keeps one over the budget.
func TestLocalIsBoundedInBytes(t *testing.T) {
	const budget = 64 << 10
	c := apq.NewLocal(budget)
	ctx := context.Background()
	doc := strings.Repeat("x", 1000)
	c.Add(ctx, "first", doc)
	c.Add(ctx, "kept", doc)
	for i := 0; i < 200; i++ {
		c.Get(ctx, "kept")
		c.Add(ctx, ids.New("h"), doc)
		if c.Bytes() > budget {
			t.Fatalf("%d bytes kept, budget %d", c.Bytes(), budget)
		}
	}
	if _, ok := c.Get(ctx, "first"); ok {
		t.Errorf("the least recently used document is still kept")
	}
	if _, ok := c.Get(ctx, "kept"); !ok {
		t.Errorf("the most recently used document was dropped")
	}
	c.Add(ctx, "huge", strings.Repeat("y", budget))
	if _, ok := c.Get(ctx, "huge"); ok || c.Len() == 0 {
		t.Errorf("a document over the whole budget was kept (or emptied the cache): %d left", c.Len())
	}
}
