package apq_test

import (
	"context"
	"io"
	"log/slog"
	"os"
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
	a, err := apq.NewRedis(url, prefix, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := apq.NewRedis(url, prefix, quiet)
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
	c, err := apq.NewRedis("redis://127.0.0.1:1/0", "", quiet)
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

func TestLocalIsBounded(t *testing.T) {
	c := apq.NewLocal()
	ctx := context.Background()
	c.Add(ctx, "first", "q")
	for i := 0; i < apq.LocalSize; i++ {
		c.Add(ctx, ids.New("h"), "q")
	}
	if _, ok := c.Get(ctx, "first"); ok {
		t.Fatalf("the oldest of %d documents is still kept", apq.LocalSize+1)
	}
}
