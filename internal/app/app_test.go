package app

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// tenant creates a workspace and a key with every permission on st.
func tenant(t *testing.T, st *store.Store) (*models.Workspace, *models.ApiKey, string) {
	t.Helper()
	ctx := context.Background()
	ws, err := st.CreateWorkspace(ctx, "Acme", models.PlanStarter)
	if err != nil {
		t.Fatal(err)
	}
	key, prefix, hash := auth.NewKey()
	k := &models.ApiKey{WorkspaceID: ws.ID, Name: "app test", Prefix: prefix, KeyHash: hash, Scopes: models.ParsePermissionSet("read,write,lexi")}
	if err := st.CreateAPIKey(ctx, k); err != nil {
		t.Fatal(err)
	}
	return ws, k, key
}

func post(t *testing.T, h http.Handler, key, query string) *httptest.ResponseRecorder {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(string(body)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The application New builds serves the schema with its resolvers, its prices, the clock it
// was given and the rate-limit store's fallback counter.
func TestNewWiresTheApplication(t *testing.T) {
	st := testdb.Open(t)
	clock := testdb.NewClock(time.Date(2031, 3, 14, 12, 0, 0, 0, time.UTC))
	limits := ratelimit.NewMemory()
	a := New(Config{Store: st, Log: testdb.Logger(), Limits: limits, Now: clock.Now,
		Plans: ratelimit.Plans{models.PlanStarter: {Day: 1_000, Minute: 100}}})
	ws, _, key := tenant(t, st)

	rec := post(t, a.Handler, key, `{ viewer { workspace { id } } }`)
	var viewer struct {
		Data struct {
			Viewer struct{ Workspace struct{ ID string } }
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &viewer); err != nil || rec.Code != http.StatusOK || viewer.Data.Viewer.Workspace.ID != ws.ID {
		t.Fatalf("viewer: status %d, %s", rec.Code, rec.Body)
	}
	midnight := time.Date(2031, 3, 15, 0, 0, 0, 0, time.UTC).Unix()
	if got := rec.Header().Get("X-RateLimit-Reset"); got != strconv.FormatInt(midnight, 10) {
		t.Errorf("X-RateLimit-Reset = %s, want the midnight after the configured clock (%d)", got, midnight)
	}
	if got := rec.Header().Get("X-RateLimit-Limit"); got != "1000" {
		t.Errorf("X-RateLimit-Limit = %s, want the configured plan's 1000", got)
	}

	// Every priced field of the schema, in one dry run: N = contacts 100 + 100 × (10 + 2),
	// lists 5 + 5 × 3, campaigns 4, deals 6, prospects 7, lexiTasks 8, usage 3 × 0 = 1,345.
	rec = post(t, a.Handler, key, `{ rateLimit(dryRun: true) { cost }
		contacts(first: 100) { nodes { lists(first: 10) { nodes { id } } deals(first: 2) { nodes { id } } } }
		lists(first: 5) { nodes { contacts(first: 3) { nodes { id } } } }
		campaigns(first: 4) { totalCount } deals(last: 6) { totalCount } prospects(first: 7) { totalCount }
		lexiTasks(first: 8) { totalCount } viewer { apiKey { usage(days: 3) { date } } } }`)
	var dry struct {
		Data struct{ RateLimit struct{ Cost int } }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &dry); err != nil || dry.Data.RateLimit.Cost != 14 {
		t.Errorf("dry run: status %d, %s; want cost 14", rec.Code, rec.Body)
	}

	if limits.OnFallback == nil {
		t.Fatal("the rate-limit store's fallbacks are not counted")
	}
	limits.OnFallback()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	metrics := httptest.NewRecorder()
	a.Handler.ServeHTTP(metrics, req)
	body, _ := io.ReadAll(metrics.Body)
	if !strings.Contains(string(body), "ratelimit_redis_fallbacks_total 1") {
		t.Error("a fallback does not show in ratelimit_redis_fallbacks_total")
	}
}

// A subscription's events stop at the first one after its key is revoked.
func TestKeyCheckedEventsEndAtRevocation(t *testing.T) {
	st := testdb.Open(t)
	a := New(Config{Store: st, Log: testdb.Logger()})
	t.Cleanup(a.Events.Close)
	ws, k, _ := tenant(t, st)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	events := keyCheckedEvents{events: a.Events, auth: a.Auth}

	subCtx, endSub := context.WithCancel(ctx)
	ch := events.Subscribe(auth.WithPrincipal(subCtx, &auth.Principal{Key: k, Workspace: ws}), ws.ID)
	if err := a.Events.WaitSubscribers(ctx, ws.ID, 1); err != nil {
		t.Fatal(err)
	}
	receive := func() (*models.LexiTask, bool) {
		select {
		case task, ok := <-ch:
			return task, ok
		case <-time.After(10 * time.Second):
			t.Fatal("no event and no end within 10 s")
			return nil, false
		}
	}
	a.Events.Deliver(ws.ID, &models.LexiTask{ID: "ltk_first"})
	if task, ok := receive(); !ok || task.ID != "ltk_first" {
		t.Fatalf("first event = %v, %v; want ltk_first", task, ok)
	}
	if _, err := st.RevokeAPIKey(ctx, k.ID); err != nil {
		t.Fatal(err)
	}
	a.Auth.Now = func() time.Time { return time.Now().Add(time.Second) }
	a.Events.Deliver(ws.ID, &models.LexiTask{ID: "ltk_after_revocation"})
	if task, ok := receive(); ok {
		t.Fatalf("event after revocation delivered: %v", task.ID)
	}

	endSub()
	if err := a.Events.WaitSubscribers(ctx, ws.ID, 0); err != nil {
		t.Fatal(err)
	}

	// Without a caller (no key to check) the broker's stream is handed through.
	plain := events.Subscribe(ctx, ws.ID)
	if err := a.Events.WaitSubscribers(ctx, ws.ID, 1); err != nil {
		t.Fatal(err)
	}
	a.Events.Deliver(ws.ID, &models.LexiTask{ID: "ltk_plain"})
	select {
	case task := <-plain:
		if task.ID != "ltk_plain" {
			t.Errorf("got %s, want ltk_plain", task.ID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
}
