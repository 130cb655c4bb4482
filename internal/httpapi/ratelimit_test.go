package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wbk/crm/internal/cost"
	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// rlNoon is a fixed instant ahead of the wall clock, so that every reset time in the headers
// is exact: the next midnight is 12 h away, and a minute window resets 60 s from now.
var rlNoon = time.Date(2031, 3, 14, 12, 0, 0, 0, time.UTC)

// rlEnv is an environment with plans and a clock at rlNoon.
func rlEnv(t *testing.T, plans ratelimit.Plans) (*testenv.Env, *testdb.Clock) {
	t.Helper()
	clk := testdb.NewClock(rlNoon)
	return testenv.New(t, testenv.Options{Plans: plans, Now: clk.Now}), clk
}

// rlKey makes a workspace on plan and a key on it with perms.
func rlKey(t *testing.T, env *testenv.Env, plan models.Plan, perms ...string) (*models.Workspace, string) {
	t.Helper()
	ws := env.Workspace(t, "Acme "+string(plan), plan)
	return ws, env.Key(t, ws, perms...)
}

// rlReport is the rateLimit field as a response carries it; rlCount a connection's totalCount.
type (
	rlReport struct {
		Plan                         string
		Cost, Limit, Remaining, Used int
		ResetAt                      string
		Minute                       struct {
			Limit, Remaining, Used int
			ResetAt                string
		}
	}
	rlCount struct{ TotalCount int }
)

// rateHeaders are every rate-limit header docs/api.md lists.
var rateHeaders = []string{
	"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Reset",
	"X-RateLimit-Minute-Limit", "X-RateLimit-Minute-Remaining", "X-RateLimit-Minute-Reset",
	"X-RateLimit-Cost", "RateLimit-Policy", "RateLimit",
}

// rlWant is what a response's rate-limit headers and extensions.rateLimit must say.
type rlWant struct {
	now                    time.Time
	dayLimit, dayUsed      int64
	minuteLimit, minuteUse int64
	cost                   int64 // charged: X-RateLimit-Cost
	reported               int64 // extensions.rateLimit.cost (the charge, or a dry run's price)
	minuteReset            time.Time
	headersOnly            bool // a response gqlgen writes itself, without extensions
}

// checkRate asserts the exact headers and that extensions.rateLimit says the same.
func checkRate(t *testing.T, r *testenv.Response, w rlWant) {
	t.Helper()
	midnight := time.Date(w.now.Year(), w.now.Month(), w.now.Day()+1, 0, 0, 0, 0, time.UTC)
	minuteReset := w.minuteReset
	if minuteReset.IsZero() {
		minuteReset = w.now.Add(time.Minute)
	}
	dayRemaining, minuteRemaining := w.dayLimit-w.dayUsed, w.minuteLimit-w.minuteUse
	want := map[string]string{
		"X-RateLimit-Limit":            fmt.Sprint(w.dayLimit),
		"X-RateLimit-Remaining":        fmt.Sprint(dayRemaining),
		"X-RateLimit-Used":             fmt.Sprint(w.dayUsed),
		"X-RateLimit-Reset":            fmt.Sprint(midnight.Unix()),
		"X-RateLimit-Minute-Limit":     fmt.Sprint(w.minuteLimit),
		"X-RateLimit-Minute-Remaining": fmt.Sprint(minuteRemaining),
		"X-RateLimit-Minute-Reset":     fmt.Sprint(minuteReset.Unix()),
		"X-RateLimit-Cost":             fmt.Sprint(w.cost),
		"RateLimit-Policy":             fmt.Sprintf(`"day";q=%d;w=86400, "minute";q=%d;w=60`, w.dayLimit, w.minuteLimit),
		"RateLimit": fmt.Sprintf(`"day";r=%d;t=%d, "minute";r=%d;t=%d`, dayRemaining,
			int64(midnight.Sub(w.now).Seconds()), minuteRemaining, int64(minuteReset.Sub(w.now).Seconds())),
	}
	for _, name := range rateHeaders {
		if got := r.Header.Get(name); got != want[name] {
			t.Errorf("%s = %q, want %q", name, got, want[name])
		}
	}

	if w.headersOnly {
		return
	}
	doc, ok := r.Extensions["rateLimit"].(map[string]any)
	if !ok {
		t.Fatalf("no extensions.rateLimit: %s", r.Raw)
	}
	minute, _ := doc["minute"].(map[string]any)
	body := map[string]any{
		"cost": doc["cost"], "limit": doc["limit"], "remaining": doc["remaining"], "used": doc["used"],
		"resetAt": doc["resetAt"], "minute.limit": minute["limit"], "minute.remaining": minute["remaining"],
		"minute.used": minute["used"], "minute.resetAt": minute["resetAt"],
	}
	wantBody := map[string]any{
		"cost": float64(w.reported), "limit": float64(w.dayLimit), "remaining": float64(dayRemaining),
		"used": float64(w.dayUsed), "resetAt": midnight.Format(time.RFC3339),
		"minute.limit": float64(w.minuteLimit), "minute.remaining": float64(minuteRemaining),
		"minute.used": float64(w.minuteUse), "minute.resetAt": minuteReset.UTC().Format(time.RFC3339),
	}
	for k, v := range wantBody {
		if body[k] != v {
			t.Errorf("extensions.rateLimit.%s = %v, want %v", k, body[k], v)
		}
	}
}

// TestRateLimitHeaders follows one STARTER key through a known sequence of requests and
// checks every header and extensions.rateLimit after each.
func TestRateLimitHeaders(t *testing.T) {
	env, _ := rlEnv(t, ratelimit.DefaultPlans())
	_, key := rlKey(t, env, models.PlanStarter, "read")
	want := rlWant{now: rlNoon, dayLimit: 100, minuteLimit: 10}
	step := func(name, query string, status int, cost int64) *testenv.Response {
		t.Helper()
		r := env.Query(t, key, query, nil)
		if r.Status != status {
			t.Fatalf("%s: status %d, want %d: %s", name, r.Status, status, r.Raw)
		}
		want.dayUsed += cost
		want.minuteUse += cost
		want.cost, want.reported = cost, cost
		checkRate(t, r, want)
		return r
	}

	step("viewer", `{ viewer { workspace { id } } }`, 200, 1)
	// 100 contacts with 3 lists each: N = 100 + 300 = 400, cost 4.
	step("contacts", `{ contacts(first: 100) { nodes { id lists(first: 3) { nodes { id } } } } }`, 200, 4)

	// Refused before charging: headers with cost 0 and unchanged windows.
	r := step("403", `mutation { createContact(input: {email: "a@example.com"}) { id } }`, http.StatusForbidden, 0)
	if r.Code() != "FORBIDDEN" {
		t.Errorf("code = %q, want FORBIDDEN", r.Code())
	}
	r = step("too complex", `{ contacts(first: 100) { nodes { lists(first: 100) { nodes { contacts(first: 10) { nodes { id } } } } } } }`,
		http.StatusBadRequest, 0)
	if r.Code() != "QUERY_TOO_COMPLEX" {
		t.Errorf("code = %q, want QUERY_TOO_COMPLEX", r.Code())
	}
	// Request errors answer 200 to a client that accepts only application/json (the spec).
	step("parse error", `{ viewer { `, http.StatusOK, 0)
	step("validation error", `{ viewer { nope } }`, http.StatusOK, 0)

	// rateLimit reports this request's charge, and agrees with the headers.
	r = step("rateLimit", `{ rateLimit { plan cost limit remaining used resetAt minute { limit remaining used resetAt } } }`, 200, 1)
	rl := testenv.Decode[struct{ RateLimit rlReport }](t, r).RateLimit
	gotRL := fmt.Sprint(rl.Plan, rl.Cost, rl.Limit, rl.Remaining, rl.Used, rl.ResetAt,
		rl.Minute.Limit, rl.Minute.Remaining, rl.Minute.Used, rl.Minute.ResetAt)
	wantRL := fmt.Sprint("STARTER", 1, 100, 94, 6, "2031-03-15T00:00:00Z", 10, 4, 6, "2031-03-14T12:01:00Z")
	if gotRL != wantRL {
		t.Errorf("rateLimit = %s, want %s", gotRL, wantRL)
	}

	for i := range 4 {
		step(fmt.Sprintf("viewer %d", i), `{ viewer { apiKey { id } } }`, 200, 1)
	}
	// The minute is spent: 429, charged nothing, every header present, Retry-After.
	r = step("429", `{ viewer { workspace { id } } }`, http.StatusTooManyRequests, 0)
	expect429(t, r, "minute", 60)
}

// expect429 asserts a documented 429 refused by window, with retryAfter seconds to wait.
func expect429(t *testing.T, r *testenv.Response, window string, retryAfter int) {
	t.Helper()
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("status = %d, want 429: %s", r.Status, r.Raw)
	}
	if r.Code() != "RATE_LIMITED" || len(r.Errors) != 1 {
		t.Fatalf("want one RATE_LIMITED error: %s", r.Raw)
	}
	ext := r.Errors[0].Extensions
	if ext["window"] != window {
		t.Errorf("extensions.window = %v, want %s", ext["window"], window)
	}
	if ext["retryAfter"] != float64(retryAfter) {
		t.Errorf("extensions.retryAfter = %v, want %d", ext["retryAfter"], retryAfter)
	}
	if got := r.Header.Get("Retry-After"); got != strconv.Itoa(retryAfter) {
		t.Errorf("Retry-After = %q, want %d", got, retryAfter)
	}
	if r.Errors[0].Message == "" {
		t.Error("empty message")
	}
	if r.Data != nil {
		t.Errorf("data = %v, want none: nothing runs", r.Data)
	}
	for _, h := range rateHeaders {
		if r.Header.Get(h) == "" {
			t.Errorf("429 without %s", h)
		}
	}
}

func TestRateLimited429(t *testing.T) {
	env, _ := rlEnv(t, ratelimit.DefaultPlans())
	ws, key := rlKey(t, env, models.PlanStarter, "read", "write")
	reader := env.Key(t, ws, "read") // another key: its own budget

	for i := range 10 {
		env.Query(t, key, `mutation($e: String!) { createContact(input: {email: $e}) { id } }`,
			map[string]any{"e": fmt.Sprintf("c%d@example.com", i)}).MustData(t)
	}
	r := env.Query(t, key, `mutation { createContact(input: {email: "refused@example.com"}) { id } }`, nil)
	expect429(t, r, "minute", 60)
	checkRate(t, r, rlWant{now: rlNoon, dayLimit: 100, dayUsed: 10, minuteLimit: 10, minuteUse: 10})
	if !strings.Contains(r.Errors[0].Message, "minute") {
		t.Errorf("message %q does not name the window", r.Errors[0].Message)
	}

	// The refused mutation created nothing.
	counts := testenv.Decode[struct{ Contacts, All rlCount }](t,
		env.Query(t, reader, `{ contacts(filter: {search: "refused"}) { totalCount } all: contacts { totalCount } }`, nil))
	if n := counts.Contacts.TotalCount; n != 0 {
		t.Errorf("the refused mutation created %v contacts", n)
	}
	if n := counts.All.TotalCount; n != 10 {
		t.Errorf("%v contacts, want 10", n)
	}

	// Still refused, still uncharged; another key of the workspace has its own budget.
	for range 3 {
		expect429(t, env.Query(t, key, `{ viewer { workspace { id } } }`, nil), "minute", 60)
	}
	checkRate(t, env.Query(t, reader, `{ viewer { workspace { id } } }`, nil),
		rlWant{now: rlNoon, dayLimit: 100, dayUsed: 2, minuteLimit: 10, minuteUse: 2, cost: 1, reported: 1})

	// An operation over the whole minute budget says so.
	r = env.Query(t, reader, `{ contacts(first: 100) { nodes { lists(first: 10) { nodes { id } } } } }`, nil)
	expect429(t, r, "minute", 60)
	if ext := r.Errors[0].Extensions; ext["cost"] != float64(11) {
		t.Errorf("extensions.cost = %v, want 11", ext["cost"])
	}
	if !strings.Contains(r.Errors[0].Message, "smaller pages") {
		t.Errorf("message %q does not say the operation is too expensive for the plan", r.Errors[0].Message)
	}
}

// post sends query with key through h without a testing.T (for goroutines); it returns the
// status and the header.
func post(h http.Handler, key, query string) (int, http.Header) {
	body, _ := json.Marshal(map[string]any{"query": query})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code, rec.Header()
}

// burst sends n requests at once, spread over the handlers, and counts the statuses.
func burst(handlers []http.Handler, key, query string, n int) map[int]int {
	var mu sync.Mutex
	statuses := map[int]int{}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		h := handlers[i%len(handlers)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			code, hdr := post(h, key, query)
			mu.Lock()
			defer mu.Unlock()
			statuses[code]++
			if code == http.StatusTooManyRequests && hdr.Get("Retry-After") == "" {
				statuses[-1]++ // a 429 without Retry-After
			}
		}()
	}
	close(start)
	wg.Wait()
	return statuses
}

// TestConcurrentRequestsAreExact: 50 requests at once against a minute of 10 give exactly
// 10 successes (memory store; Redis when TEST_REDIS_URL is set).
func TestConcurrentRequestsAreExact(t *testing.T) {
	env, _ := rlEnv(t, ratelimit.DefaultPlans())
	_, key := rlKey(t, env, models.PlanStarter, "read")
	got := burst([]http.Handler{env.Handler}, key, `{ viewer { workspace { id } } }`, 50)
	if got[200] != 10 || got[429] != 40 || len(got) != 2 {
		t.Fatalf("statuses %v, want exactly 10 × 200 and 40 × 429", got)
	}
	checkRate(t, env.Query(t, key, `{ viewer { workspace { id } } }`, nil),
		rlWant{now: rlNoon, dayLimit: 100, dayUsed: 10, minuteLimit: 10, minuteUse: 10})
}

// TestTwoInstancesShareLimits: two handlers on one database and one limit store (one Redis
// when TEST_REDIS_URL is set, with a store each as two processes would have) allow exactly
// the limit together.
func TestTwoInstancesShareLimits(t *testing.T) {
	st := testenv.OpenStore(t)
	clk := testdb.NewClock(rlNoon)
	opts := testenv.Options{Plans: ratelimit.DefaultPlans(), Now: clk.Now}
	prefix := testenv.UniquePrefix()
	storeA := testenv.LimitStore(t, prefix)
	storeB := storeA // without Redis, two instances can only share by sharing the store
	if os.Getenv("TEST_REDIS_URL") != "" {
		storeB = testenv.LimitStore(t, prefix)
	}
	a := testenv.NewOn(t, st, storeA, opts)
	b := testenv.NewOn(t, st, storeB, opts)
	_, key := rlKey(t, a, models.PlanStarter, "read")

	// What one instance charges, the other sees.
	a.Query(t, key, `{ viewer { workspace { id } } }`, nil).MustData(t)
	checkRate(t, b.Query(t, key, `{ viewer { workspace { id } } }`, nil),
		rlWant{now: rlNoon, dayLimit: 100, dayUsed: 2, minuteLimit: 10, minuteUse: 2, cost: 1, reported: 1})

	got := burst([]http.Handler{a.Handler, b.Handler}, key, `{ viewer { workspace { id } } }`, 50)
	if got[200] != 8 || got[429] != 42 || len(got) != 2 {
		t.Fatalf("statuses %v, want exactly 8 × 200 (the rest of the minute) and 42 × 429", got)
	}
	for _, env := range []*testenv.Env{a, b} {
		expect429(t, env.Query(t, key, `{ viewer { workspace { id } } }`, nil), "minute", 60)
	}
}

// TestUnchargedRejections: 403, 400 (too complex), parse and validation errors are not
// charged but carry the headers; a 401 carries none and charges no key.
func TestUnchargedRejections(t *testing.T) {
	env, _ := rlEnv(t, ratelimit.DefaultPlans())
	ws, key := rlKey(t, env, models.PlanStarter, "read")
	want := rlWant{now: rlNoon, dayLimit: 100, minuteLimit: 10}

	for i := range 12 { // more than the minute allows, were they charged
		r := env.Query(t, key, `mutation { deleteContact(id: "x") }`, nil)
		if r.Status != http.StatusForbidden {
			t.Fatalf("403 %d: status %d: %s", i, r.Status, r.Raw)
		}
		checkRate(t, r, want)
	}
	tooComplex := `{ a: contacts(first: 100) { nodes { lists(first: 100) { nodes { id } } } }
		b: contacts(first: 100) { nodes { lists(first: 100) { nodes { id } } } }
		c: contacts(first: 100) { nodes { lists(first: 100) { nodes { id } } } }
		d: contacts(first: 100) { nodes { lists(first: 100) { nodes { id } } } }
		e: contacts(first: 100) { nodes { lists(first: 100) { nodes { id } } } } }`
	for range 12 {
		r := env.Query(t, key, tooComplex, nil)
		if r.Status != http.StatusBadRequest || r.Code() != "QUERY_TOO_COMPLEX" {
			t.Fatalf("status %d code %q, want 400 QUERY_TOO_COMPLEX: %s", r.Status, r.Code(), r.Raw)
		}
		ext := r.Errors[0].Extensions
		if ext["cost"] != float64(505) || ext["maxCost"] != float64(500) {
			t.Errorf("extensions cost %v maxCost %v, want 505 and 500", ext["cost"], ext["maxCost"])
		}
		if r.Data != nil {
			t.Errorf("data = %v, want none", r.Data)
		}
		checkRate(t, r, want)
	}
	// Too deep or too many fields: 400 as well, naming the limit, and not charged.
	deep := strings.Repeat("contacts(first: 1) { nodes { lists(first: 1) { nodes { ", 4) + "id" + strings.Repeat(" } } } }", 4)
	var wide strings.Builder
	for i := range cost.MaxFields/2 + 1 {
		fmt.Fprintf(&wide, "a%d: viewer { __typename } ", i)
	}
	for limit, q := range map[string]string{"DEPTH": "{ " + deep + " }", "FIELDS": "{ " + wide.String() + " }"} {
		r := env.Query(t, key, q, nil)
		if r.Status != http.StatusBadRequest || r.Code() != "QUERY_TOO_COMPLEX" || r.Errors[0].Extensions["reason"] != limit {
			t.Fatalf("too many %s: status %d: %s", limit, r.Status, r.Raw)
		}
		checkRate(t, r, want)
	}
	for _, q := range []string{`{ viewer {`, `{ viewer { nope } }`, `query($n: Int!) { contacts(first: $n) { totalCount } }`, ``} {
		r := env.Query(t, key, q, nil)
		if len(r.Errors) == 0 || r.Data != nil {
			t.Fatalf("%q: want a request error: %s", q, r.Raw)
		}
		checkRate(t, r, want)
	}

	// 401s: no rate-limit headers, and the key they name is not charged.
	bad := []string{"", "wbk_nope", key + "x"}
	expired, rec := env.KeyRecord(t, ws, func(k *models.ApiKey) {
		past := time.Now().Add(-time.Hour)
		k.ExpiresAt = &past
	}, "read")
	bad = append(bad, expired)
	for _, k := range bad {
		r := env.Query(t, k, `{ viewer { workspace { id } } }`, nil)
		if r.Status != http.StatusUnauthorized {
			t.Fatalf("key %q: status %d, want 401", k, r.Status)
		}
		for _, h := range append(rateHeaders, "Retry-After") {
			if v := r.Header.Get(h); v != "" {
				t.Errorf("401 carries %s: %q", h, v)
			}
		}
		if _, ok := r.Extensions["rateLimit"]; ok {
			t.Errorf("401 carries extensions.rateLimit: %s", r.Raw)
		}
	}
	peek, err := env.Limiter.Peek(context.Background(), rec.ID, models.PlanStarter)
	if err != nil || peek.Day.Used != 0 || peek.Minute.Used != 0 {
		t.Errorf("the expired key was charged: %+v (%v)", peek, err)
	}

	// After all that, the first charged request is the first charge.
	want.dayUsed, want.minuteUse, want.cost, want.reported = 1, 1, 1, 1
	checkRate(t, env.Query(t, key, `{ viewer { workspace { id } } }`, nil), want)
}

// TestDryRun: rateLimit(dryRun: true) prices the operation, charges nothing and runs nothing
// else.
func TestDryRun(t *testing.T) {
	env, _ := rlEnv(t, ratelimit.DefaultPlans())
	_, key := rlKey(t, env, models.PlanStarter, "read", "write")
	env.Query(t, key, `mutation { createContact(input: {email: "a@example.com"}) { id } }`, nil).MustData(t)
	want := rlWant{now: rlNoon, dayLimit: 100, dayUsed: 1, minuteLimit: 10, minuteUse: 1}

	// 100 + 100 × 50 = 5,100 nodes: cost 51, more than the minute allows, but only priced.
	q := `{ rateLimit(dryRun: true) { cost remaining used minute { remaining } }
		contacts(first: 100) { nodes { id lists(first: 50) { nodes { id } } } } viewer { workspace { id } } }`
	for range 3 {
		r := env.Query(t, key, q, nil)
		data := r.MustData(t)
		if _, ran := data["contacts"]; ran {
			t.Errorf("the dry run ran contacts: %s", r.Raw)
		}
		if _, ran := data["viewer"]; ran {
			t.Errorf("the dry run ran viewer: %s", r.Raw)
		}
		rl := testenv.Decode[struct{ RateLimit rlReport }](t, r).RateLimit
		got := fmt.Sprint(rl.Cost, rl.Remaining, rl.Used, rl.Minute.Remaining)
		if got != "51 99 1 9" {
			t.Errorf("dry run rateLimit = %s, want cost 51, remaining 99, used 1, minute remaining 9", got)
		}
		want.cost, want.reported = 0, 51
		checkRate(t, r, want)
	}

	// Through a variable and an alias, with a mutation's worth of nothing charged either.
	r := env.Query(t, key, `query($d: Boolean) { price: rateLimit(dryRun: $d) { cost } contacts(first: 100) { totalCount } }`,
		map[string]any{"d": true})
	if d := testenv.Decode[struct{ Price rlReport }](t, r); d.Price.Cost != 1 || r.Data["contacts"] != nil {
		t.Errorf("dry run by variable: %s", r.Raw)
	}
	checkRate(t, r, rlWant{now: rlNoon, dayLimit: 100, dayUsed: 1, minuteLimit: 10, minuteUse: 1, reported: 1})

	// Without a dry run, rateLimit reports what was charged.
	r = env.Query(t, key, `{ rateLimit { cost used minute { used } } contacts(first: 100) { nodes { lists(first: 5) { nodes { id } } } } }`, nil)
	charged := testenv.Decode[struct {
		RateLimit rlReport
		Contacts  struct {
			Nodes []struct {
				Lists struct{ Nodes []struct{ ID string } }
			}
		}
	}](t, r)
	if rl := charged.RateLimit; rl.Cost != 6 || rl.Used != 7 || rl.Minute.Used != 7 {
		t.Errorf("rateLimit = %d %d %d, want cost 6, used 7, minute used 7", rl.Cost, rl.Used, rl.Minute.Used)
	}
	if charged.Contacts.Nodes == nil {
		t.Errorf("contacts did not run: %s", r.Raw)
	}
	checkRate(t, r, rlWant{now: rlNoon, dayLimit: 100, dayUsed: 7, minuteLimit: 10, minuteUse: 7, cost: 6, reported: 6})

	// A dry run still works when the minute is spent: it is how a client finds out.
	for range 3 {
		env.Query(t, key, `{ viewer { workspace { id } } }`, nil).MustData(t)
	}
	expect429(t, env.Query(t, key, `{ viewer { workspace { id } } }`, nil), "minute", 60)
	r = env.Query(t, key, `{ rateLimit(dryRun: true) { cost minute { remaining } } contacts { totalCount } }`, nil)
	if rl := testenv.Decode[struct{ RateLimit rlReport }](t, r).RateLimit; rl.Cost != 1 || rl.Minute.Remaining != 0 {
		t.Errorf("dry run with the minute spent = cost %d, minute remaining %d; want 1 and 0", rl.Cost, rl.Minute.Remaining)
	}
}

// TestMutationCost: a mutation costs its mutation fields plus ceil(N/100).
func TestMutationCost(t *testing.T) {
	env, _ := rlEnv(t, testenv.LiftedPlans())
	_, key := rlKey(t, env, models.PlanOrg, "read", "write")
	cases := []struct {
		query string
		cost  string
	}{
		{`mutation { createContact(input: {email: "m1@example.com"}) { id } }`, "1"},
		{`mutation { a: createContact(input: {email: "m2@example.com"}) { id lists(first: 100) { nodes { id } } }
			b: createContact(input: {email: "m3@example.com"}) { id } }`, "3"},
		{`mutation { createList(input: {name: "L"}) { contacts(first: 100) { nodes { id deals(first: 2) { nodes { id } } } } } }`, "4"},
		{`mutation { a: deleteContact(id: "x") b: deleteContact(id: "y") c: deleteDeal(id: "z") }`, "3"},
		{`mutation { importProspects(prospectIds: ["a", "b", "c"]) { lists(first: 5) { nodes { id } } } }`, "2"},
	}
	for _, c := range cases {
		r := env.Query(t, key, c.query, nil)
		if r.Status != http.StatusOK {
			t.Fatalf("status %d: %s", r.Status, r.Raw)
		}
		if got := r.Header.Get("X-RateLimit-Cost"); got != c.cost {
			t.Errorf("%s\nX-RateLimit-Cost = %s, want %s", c.query, got, c.cost)
		}
		var doc struct {
			Extensions struct{ RateLimit struct{ Cost *int } }
		}
		if err := json.Unmarshal(r.Raw, &doc); err != nil || doc.Extensions.RateLimit.Cost == nil {
			t.Fatalf("no extensions.rateLimit.cost (%v): %s", err, r.Raw)
		}
		if got := *doc.Extensions.RateLimit.Cost; fmt.Sprint(got) != c.cost {
			t.Errorf("extensions.rateLimit.cost = %v, want %s", got, c.cost)
		}
	}
}

// TestCustomPlans: PLAN_LIMITS-style plans set every number the headers report.
func TestCustomPlans(t *testing.T) {
	plans, err := ratelimit.ParsePlans("starter=3/2,pro=7/5")
	if err != nil {
		t.Fatal(err)
	}
	env, _ := rlEnv(t, plans)
	_, starter := rlKey(t, env, models.PlanStarter, "read")
	_, pro := rlKey(t, env, models.PlanPro, "read")
	_, org := rlKey(t, env, models.PlanOrg, "read")
	q := `{ viewer { workspace { plan } } }`

	checkRate(t, env.Query(t, starter, q, nil), rlWant{now: rlNoon, dayLimit: 3, dayUsed: 1, minuteLimit: 2, minuteUse: 1, cost: 1, reported: 1})
	checkRate(t, env.Query(t, starter, q, nil), rlWant{now: rlNoon, dayLimit: 3, dayUsed: 2, minuteLimit: 2, minuteUse: 2, cost: 1, reported: 1})
	expect429(t, env.Query(t, starter, q, nil), "minute", 60)

	checkRate(t, env.Query(t, pro, q, nil), rlWant{now: rlNoon, dayLimit: 7, dayUsed: 1, minuteLimit: 5, minuteUse: 1, cost: 1, reported: 1})
	checkRate(t, env.Query(t, org, q, nil), rlWant{now: rlNoon, dayLimit: 10_000, dayUsed: 1, minuteLimit: 200, minuteUse: 1, cost: 1, reported: 1})
	if got := env.Query(t, org, q, nil).Header.Get("RateLimit-Policy"); got != `"day";q=10000;w=86400, "minute";q=200;w=60` {
		t.Errorf("ORG RateLimit-Policy = %s", got)
	}
}

// TestGETMutationIsNotCharged: GET is for queries; a mutation sent by GET runs nothing and
// is not charged. A GET query is charged as any query.
func TestGETMutationIsNotCharged(t *testing.T) {
	env, _ := rlEnv(t, ratelimit.DefaultPlans())
	ws, key := rlKey(t, env, models.PlanStarter, "read", "write")
	get := func(query string) *testenv.Response {
		req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(query), nil)
		req.Header.Set("Authorization", "Bearer "+key)
		return env.Do(t, req)
	}
	for range 12 {
		r := get(`mutation { createContact(input: {email: "get@example.com"}) { id } }`)
		if r.Status != http.StatusMethodNotAllowed || r.Code() != "METHOD_NOT_ALLOWED" {
			t.Fatalf("GET mutation: want 405 METHOD_NOT_ALLOWED, got %d: %s", r.Status, r.Raw)
		}
		checkRate(t, r, rlWant{now: rlNoon, dayLimit: 100, minuteLimit: 10})
	}
	r := get(`{ viewer { workspace { id } } }`)
	if testenv.Decode[struct {
		Viewer struct{ Workspace struct{ ID string } }
	}](t, r).Viewer.Workspace.ID != ws.ID {
		t.Fatalf("GET query: %s", r.Raw)
	}
	checkRate(t, r, rlWant{now: rlNoon, dayLimit: 100, dayUsed: 1, minuteLimit: 10, minuteUse: 1, cost: 1, reported: 1})
	if n := testenv.Decode[struct{ Contacts rlCount }](t, env.Query(t, key, `{ contacts { totalCount } }`, nil)).Contacts.TotalCount; n != 0 {
		t.Errorf("GET mutations created %v contacts", n)
	}
}

// TestDayRolloverHTTP: the day window resets at 00:00 UTC, with an injected clock.
func TestDayRolloverHTTP(t *testing.T) {
	plans, err := ratelimit.ParsePlans("starter=3/100")
	if err != nil {
		t.Fatal(err)
	}
	env, clk := rlEnv(t, plans)
	_, key := rlKey(t, env, models.PlanStarter, "read")
	q := `{ viewer { workspace { id } } }`
	late := time.Date(2031, 3, 14, 23, 59, 30, 0, time.UTC)
	clk.Set(late)
	for i := range 3 {
		checkRate(t, env.Query(t, key, q, nil), rlWant{now: late, dayLimit: 3, dayUsed: int64(i + 1),
			minuteLimit: 100, minuteUse: int64(i + 1), cost: 1, reported: 1})
	}
	r := env.Query(t, key, q, nil)
	expect429(t, r, "day", 30)
	checkRate(t, r, rlWant{now: late, dayLimit: 3, dayUsed: 3, minuteLimit: 100, minuteUse: 3})
	if got := r.Header.Get("X-RateLimit-Reset"); got != fmt.Sprint(time.Date(2031, 3, 15, 0, 0, 0, 0, time.UTC).Unix()) {
		t.Errorf("X-RateLimit-Reset = %s, want the next midnight UTC", got)
	}

	// 00:00:00 UTC: a new day. (The minute window is not the day's and carries on: its
	// counter runs on the store's clock, so its reset is the fallback of now + 60 s here.)
	midnight := time.Date(2031, 3, 15, 0, 0, 0, 0, time.UTC)
	clk.Set(midnight)
	r = env.Query(t, key, q, nil)
	r.MustData(t)
	checkRate(t, r, rlWant{now: midnight, dayLimit: 3, dayUsed: 1, minuteLimit: 100, minuteUse: 4, cost: 1, reported: 1})
	if got := r.Header.Get("RateLimit"); !strings.HasPrefix(got, `"day";r=2;t=86400,`) {
		t.Errorf("RateLimit = %s, want a full day to go", got)
	}
}

// TestFragmentBombIsCheap: fragments that each spread the next one twice (2^60 expansions)
// are priced and answered at once: GraphQL merges a fragment spread twice.
func TestFragmentBombIsCheap(t *testing.T) {
	env, _ := rlEnv(t, ratelimit.DefaultPlans())
	_, key := rlKey(t, env, models.PlanStarter, "read")
	var b strings.Builder
	b.WriteString("{ ...F0 }\n")
	const levels = 60
	for i := range levels {
		fmt.Fprintf(&b, "fragment F%d on Query { a%d: viewer { workspace { id } } ...F%d ...F%d }\n", i, i, i+1, i+1)
	}
	fmt.Fprintf(&b, "fragment F%d on Query { contacts(first: 100) { totalCount } }\n", levels)
	r := env.Query(t, key, b.String(), nil)
	data := r.MustData(t)
	if len(data) != levels+1 {
		t.Errorf("%d root fields in data, want %d", len(data), levels+1)
	}
	if r.Header.Get("X-RateLimit-Cost") != "1" {
		t.Errorf("X-RateLimit-Cost = %s, want 1", r.Header.Get("X-RateLimit-Cost"))
	}
}
