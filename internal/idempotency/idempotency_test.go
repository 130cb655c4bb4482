package idempotency_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/idempotency"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// transport describes a request by its headers: X-Key is the API key, X-Query the GraphQL
// document (a mutation when it starts with "mutation"). A refusal answers 400 with its code.
type transport struct{}

func (transport) Describe(r *http.Request) (idempotency.Request, bool) {
	q := r.Header.Get("X-Query")
	if q == "" {
		return idempotency.Request{}, false
	}
	return idempotency.Request{KeyID: r.Header.Get("X-Key"), Mutation: strings.HasPrefix(q, "mutation"), Query: q}, true
}

func (transport) Fail(w http.ResponseWriter, _ *http.Request, err error) {
	w.WriteHeader(http.StatusBadRequest)
	_, _ = io.WriteString(w, string(apperr.CodeOf(err)))
}

func (transport) Status(_ *http.Request, written int) int { return written }
func (transport) ContentType(*http.Request) string        { return "application/json" }

type fixture struct {
	st    *store.Store
	ctx   context.Context // the workspace's scope
	clock *testdb.Clock
	h     http.Handler
	runs  atomic.Int32
	// status is what the operation answers; it creates a contact named by the request's
	// X-Email, in the request's transaction.
	status atomic.Int32
	block  chan struct{} // when set, the operation waits for it
}

func newFixture(t *testing.T) *fixture {
	st := testdb.Open(t)
	ws, err := st.CreateWorkspace(context.Background(), "Acme", models.PlanOrg)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, ctx: store.WithWorkspace(context.Background(), ws.ID),
		clock: testdb.NewClock(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC))}
	f.status.Store(http.StatusOK)
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.runs.Add(1)
		if f.block != nil {
			<-f.block
		}
		if email := r.Header.Get("X-Email"); email != "" {
			if _, err := st.CreateContact(r.Context(), models.CreateContactInput{Email: email}); err != nil {
				t.Errorf("create contact: %v", err)
			}
		}
		w.WriteHeader(int(f.status.Load()))
		_, _ = io.WriteString(w, `{"data":{"n":`+string(rune('0'+f.runs.Load()))+`}}`)
	})
	f.h = idempotency.New(st, f.clock.Now).Wrap(transport{}, next)
	return f
}

type request struct {
	method, key, apiKey, query, email string
	keys                              []string // several Idempotency-Key headers
}

func (f *fixture) do(q request) *httptest.ResponseRecorder {
	method := q.method
	if method == "" {
		method = http.MethodPost
	}
	r := httptest.NewRequest(method, "/graphql", nil).WithContext(f.ctx)
	if q.key != "" {
		r.Header.Set(idempotency.Header, q.key)
	}
	for _, k := range q.keys {
		r.Header.Add(idempotency.Header, k)
	}
	r.Header.Set("X-Key", q.apiKey)
	r.Header.Set("X-Query", q.query)
	r.Header.Set("X-Email", q.email)
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, r)
	return rec
}

func (f *fixture) contacts(t *testing.T) int {
	t.Helper()
	conn, err := f.st.Contacts(f.ctx, store.PageArgs{First: new(100)}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	return len(conn.Edges)
}

const mutation = "mutation { createContact }"

func TestReplayAndRefusals(t *testing.T) {
	f := newFixture(t)
	first := f.do(request{key: "k1", apiKey: "key_a", query: mutation, email: "a@example.com"})
	if first.Code != http.StatusOK || first.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("first: %d %q, replayed %q", first.Code, first.Body, first.Header().Get("Idempotent-Replayed"))
	}
	cases := []struct {
		name     string
		req      request
		status   int
		body     string // "" : the first response's body
		replayed bool
		runs     int32 // runs of the operation after this request
	}{
		{"the same request is replayed, not run", request{key: "k1", apiKey: "key_a", query: mutation}, 200, "", true, 1},
		{"another request with the key", request{key: "k1", apiKey: "key_a", query: mutation + " "}, 400, string(apperr.EIDEMPOTENCYREUSED), false, 1},
		{"the key of another API key runs", request{key: "k1", apiKey: "key_b", query: mutation}, 200, `{"data":{"n":2}}`, false, 2},
		{"a query runs every time", request{key: "k1", apiKey: "key_a", query: "query { x }"}, 200, `{"data":{"n":3}}`, false, 3},
		{"a GET is left alone", request{method: http.MethodGet, key: "k1", apiKey: "key_a", query: mutation}, 200, `{"data":{"n":4}}`, false, 4},
		{"a request the transport did not decode is left alone", request{key: "k1", apiKey: "key_a"}, 200, `{"data":{"n":5}}`, false, 5},
		{"two keys", request{keys: []string{"k2", "k3"}, apiKey: "key_a", query: mutation}, 400, string(apperr.EBADREQUEST), false, 5},
		{"a key with a control character", request{key: "k\x01", apiKey: "key_a", query: mutation}, 400, string(apperr.EBADREQUEST), false, 5},
		{"a key over 255 characters", request{key: strings.Repeat("k", 256), apiKey: "key_a", query: mutation}, 400, string(apperr.EBADREQUEST), false, 5},
	}
	for _, c := range cases {
		rec := f.do(c.req)
		want := c.body
		if want == "" {
			want = first.Body.String()
		}
		if rec.Code != c.status || rec.Body.String() != want {
			t.Errorf("%s: %d %q, want %d %q", c.name, rec.Code, rec.Body, c.status, want)
		}
		if got := rec.Header().Get("Idempotent-Replayed") == "true"; got != c.replayed {
			t.Errorf("%s: replayed %v, want %v", c.name, got, c.replayed)
		}
		if got := f.runs.Load(); got != c.runs {
			t.Errorf("%s: the operation ran %d times in all, want %d", c.name, got, c.runs)
		}
	}
	if n := f.contacts(t); n != 1 {
		t.Errorf("%d contacts, want the first request's one", n)
	}
	// After the TTL the key is free again.
	f.clock.Add(idempotency.TTL + time.Second)
	if rec := f.do(request{key: "k1", apiKey: "key_a", query: mutation}); rec.Code != 200 || rec.Header().Get("Idempotent-Replayed") != "" {
		t.Errorf("after the TTL: %d %q, replayed %q: want a fresh run", rec.Code, rec.Body, rec.Header().Get("Idempotent-Replayed"))
	}
}

// A response other than 200 ran nothing to keep (a refusal) or failed (a 503): its writes are
// rolled back and nothing is recorded, so a retry runs afresh. A 200's writes commit with
// its record.
func TestOnlyAnAnsweredOperationIsKept(t *testing.T) {
	f := newFixture(t)
	f.status.Store(http.StatusServiceUnavailable)
	if rec := f.do(request{key: "k", apiKey: "key_a", query: mutation, email: "a@example.com"}); rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("failed run: %d %q", rec.Code, rec.Body)
	}
	if n := f.contacts(t); n != 0 {
		t.Errorf("a failed run left %d contacts, want its writes rolled back", n)
	}
	f.status.Store(http.StatusOK)
	if rec := f.do(request{key: "k", apiKey: "key_a", query: mutation, email: "a@example.com"}); rec.Code != 200 || rec.Header().Get("Idempotent-Replayed") != "" {
		t.Fatalf("retry after a failure: %d %q, replayed %q: want a fresh run", rec.Code, rec.Body, rec.Header().Get("Idempotent-Replayed"))
	}
	if n, runs := f.contacts(t), f.runs.Load(); n != 1 || runs != 2 {
		t.Errorf("%d contacts after %d runs, want 1 after 2", n, runs)
	}
	rec, err := f.st.IdempotencyRecord(f.ctx, "key_a", "k", f.clock.Now())
	if err != nil || rec == nil || rec.Status != http.StatusOK || !rec.ExpiresAt.Equal(f.clock.Now().Add(idempotency.TTL)) {
		t.Errorf("record after the answered run: %+v, %v", rec, err)
	}
}

// While the first request with a key runs, a retry is refused at once (409), not run.
func TestARetryWhileTheFirstRunsIsRefused(t *testing.T) {
	f := newFixture(t)
	f.block = make(chan struct{})
	done := make(chan *httptest.ResponseRecorder)
	go func() { done <- f.do(request{key: "k", apiKey: "key_a", query: mutation}) }()
	for f.runs.Load() == 0 {
		time.Sleep(time.Millisecond)
	}
	retry := f.do(request{key: "k", apiKey: "key_a", query: mutation})
	close(f.block)
	first := <-done
	if retry.Code != http.StatusBadRequest || retry.Body.String() != string(apperr.EIDEMPOTENCYINFLIGHT) {
		t.Errorf("retry while the first runs: %d %q, want %s", retry.Code, retry.Body, apperr.EIDEMPOTENCYINFLIGHT)
	}
	if first.Code != http.StatusOK || f.runs.Load() != 1 {
		t.Errorf("first: %d %q after %d runs", first.Code, first.Body, f.runs.Load())
	}
}
