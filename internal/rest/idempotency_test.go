package rest_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/internal/testenv"
)

func contactCount(t *testing.T, a *api, key string) int {
	t.Helper()
	return testenv.Decode[struct{ Contacts struct{ TotalCount int } }](t, a.env.Query(t, key, `{ contacts { totalCount } }`, nil)).Contacts.TotalCount
}

// TestIdempotentRetry: a retry gets the identical answer, marked as replayed, creates no
// second row and is not charged; another body under the same key is 422; after 24 h the key
// is free again.
func TestIdempotentRetry(t *testing.T) {
	clk := testdb.NewClock(time.Now().UTC())
	a := newAPI(t, testenv.Options{Now: clk.Now})
	_, key := a.env.Tenant(t, "Acme")
	body := map[string]any{"email": "ada@example.com", "first_name": "Ada"}

	first := a.call(t, key, "POST", "/v1/contacts", body, "Idempotency-Key", "k-1").must(t, 201)
	if first.Header.Get("Idempotent-Replayed") != "" {
		t.Errorf("first answer marked as replayed")
	}
	retry := a.call(t, key, "POST", "/v1/contacts", body, "Idempotency-Key", "k-1").must(t, 201)
	if !bytes.Equal(first.Raw, retry.Raw) || retry.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry: replayed %q, body %s, first %s", retry.Header.Get("Idempotent-Replayed"), retry.Raw, first.Raw)
	}
	if retry.Header.Get("X-RateLimit-Cost") != "0" || retry.Header.Get("X-RateLimit-Used") != first.Header.Get("X-RateLimit-Used") {
		t.Errorf("retry charged: cost %q, used %q after %q", retry.Header.Get("X-RateLimit-Cost"),
			retry.Header.Get("X-RateLimit-Used"), first.Header.Get("X-RateLimit-Used"))
	}
	if n := contactCount(t, a, key); n != 1 {
		t.Errorf("%d contacts after a retry, want 1", n)
	}

	other := a.call(t, key, "POST", "/v1/contacts", map[string]any{"email": "bob@example.com"}, "Idempotency-Key", "k-1")
	if other.Status != 422 || other.code() != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("same key, other body: %d %s", other.Status, other.Raw)
	}

	// Another API key has keys of its own.
	_, key2 := a.env.Tenant(t, "Other")
	a.call(t, key2, "POST", "/v1/contacts", map[string]any{"email": "bob@example.com"}, "Idempotency-Key", "k-1").must(t, 201)

	clk.Add(24*time.Hour + time.Second)
	again := a.call(t, key, "POST", "/v1/contacts", map[string]any{"email": "bob@example.com"}, "Idempotency-Key", "k-1").must(t, 201)
	if again.Header.Get("Idempotent-Replayed") != "" || again.id(t) == first.id(t) {
		t.Errorf("after expiry the key should run a new request: %s", again.Raw)
	}
	if n := contactCount(t, a, key); n != 2 {
		t.Errorf("%d contacts after expiry, want 2", n)
	}
	// The sweep deletes expired records only.
	clk.Add(24*time.Hour + time.Second)
	n, err := a.env.Store.DeleteExpiredIdempotencyRecords(context.Background(), clk.Now(), 1000)
	if err != nil || n != 2 {
		t.Errorf("sweep deleted %d (%v), want the 2 expired records", n, err)
	}
}

// TestIdempotentGraphQLMutation: GraphQL mutations take the same header.
func TestIdempotentGraphQLMutation(t *testing.T) {
	a := newAPI(t)
	_, key := a.env.Tenant(t, "Acme")
	send := func(name string) *testenv.Response {
		req := httptest.NewRequest(http.MethodPost, "/graphql",
			bytes.NewReader([]byte(`{"query":"mutation { createList(input: {name: \"`+name+`\"}) { id name } }"}`)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Idempotency-Key", "g-1")
		return a.env.Do(t, req)
	}
	first, retry := send("A"), send("A")
	first.MustData(t)
	if !bytes.Equal(first.Raw, retry.Raw) || retry.Header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry: %s / %s", first.Raw, retry.Raw)
	}
	if r := send("B"); r.Status != 422 || r.Code() != "IDEMPOTENCY_KEY_REUSED" {
		t.Errorf("other body: %d %s", r.Status, r.Raw)
	}
	lists := testenv.Decode[struct{ Lists struct{ TotalCount int } }](t, a.env.Query(t, key, `{ lists { totalCount } }`, nil))
	if lists.Lists.TotalCount != 1 {
		t.Errorf("lists = %v, want 1", lists.Lists.TotalCount)
	}
}

// TestIdempotentConcurrentSends: 20 simultaneous sends of one key create one row; one answer
// is the original, the others replays or 409 CONFLICT.
func TestIdempotentConcurrentSends(t *testing.T) {
	a := newAPI(t)
	a.v = nil // the validator is not safe for concurrent use
	_, key := a.env.Tenant(t, "Acme")
	const n = 20
	replies := make([]*reply, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i] = a.call(t, key, "POST", "/v1/contacts", map[string]any{"email": "ada@example.com"}, "Idempotency-Key", "same")
		}()
	}
	wg.Wait()
	originals, replays, conflicts := 0, 0, 0
	for _, r := range replies {
		switch {
		case r.Status == 201 && r.Header.Get("Idempotent-Replayed") == "":
			originals++
		case r.Status == 201:
			replays++
		case r.Status == 409 && r.code() == "CONFLICT":
			conflicts++
		default:
			t.Errorf("unexpected answer %d %s", r.Status, r.Raw)
		}
	}
	if originals != 1 || replays+conflicts != n-1 {
		t.Errorf("originals %d, replays %d, conflicts %d", originals, replays, conflicts)
	}
	if c := contactCount(t, a, key); c != 1 {
		t.Errorf("%d contacts, want 1", c)
	}
}

// TestIdempotencyKeyValidation: a malformed key is refused before anything runs.
func TestIdempotencyKeyValidation(t *testing.T) {
	a := newAPI(t)
	_, key := a.env.Tenant(t, "Acme")
	long := string(bytes.Repeat([]byte("k"), 256))
	for _, k := range []string{long, "tab\there"} {
		r := a.call(t, key, "POST", "/v1/lists", map[string]any{"name": "A"}, "Idempotency-Key", k)
		if r.Status != 400 || r.code() != "BAD_REQUEST" {
			t.Errorf("key %q: %d %s", k[:min(len(k), 10)], r.Status, r.Raw)
		}
	}
}
