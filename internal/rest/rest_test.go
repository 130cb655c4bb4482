package rest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// api drives the REST API of one environment and checks every answer against the OpenAPI
// document the server itself serves.
type api struct {
	env *testenv.Env
	v   validator.Validator
}

func newAPI(t *testing.T, opts ...testenv.Options) *api {
	t.Helper()
	env := testenv.New(t, opts...)
	return &api{env: env, v: specValidator(t, env.Handler)}
}

func specValidator(t *testing.T, h http.Handler) validator.Validator {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /v1/openapi.json: %d %s", rec.Code, rec.Body)
	}
	doc, err := libopenapi.NewDocument(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("openapi.json: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("openapi.json is not valid OpenAPI: %s: %s", e.Message, e.Reason)
		}
		t.FailNow()
	}
	return v
}

// reply is a REST answer, a JSON object.
type reply struct {
	Status int
	Header http.Header
	Raw    []byte
}

// restDoc is a REST answer's document: data (decoded into a T), or an error; next_cursor
// on a page. Fields T does not declare are ignored: call checks every answer against
// openapi.json, so the tests declare only what they assert.
type restDoc[T any] struct {
	Data       T       `json:"data"`
	NextCursor *string `json:"next_cursor"`
	Error      struct {
		Code, Field string
	} `json:"error"`
}

// doc decodes r's document with its data as a T.
func doc[T any](t testing.TB, r *reply) restDoc[T] {
	t.Helper()
	var d restDoc[T]
	if err := json.Unmarshal(r.Raw, &d); err != nil {
		t.Fatalf("answer does not decode into %T: %v\n%s", d, err, r.Raw)
	}
	return d
}

// code is the answer's error.code, or "" when it has none.
func (r *reply) code() string {
	var d restDoc[json.RawMessage]
	_ = json.Unmarshal(r.Raw, &d) // call made sure r.Raw is a JSON object
	return d.Error.Code
}

// id is the id of the record the answer holds; it fails the test when there is none.
func (r *reply) id(t testing.TB) string {
	t.Helper()
	id := doc[struct{ ID string }](t, r).Data.ID
	if id == "" {
		t.Fatalf("no data.id: %s", r.Raw)
	}
	return id
}

func (r *reply) must(t *testing.T, status int) *reply {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d: %s", r.Status, status, r.Raw)
	}
	return r
}

// call sends one request; body is JSON-encoded unless it is a string.
func (a *api) call(t *testing.T, key, method, path string, body any, header ...string) *reply {
	t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	newReq := func() *http.Request {
		req := httptest.NewRequest(method, path, bytes.NewReader(raw))
		if raw != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		return req
	}
	rec := httptest.NewRecorder()
	a.env.Handler.ServeHTTP(rec, newReq())
	r := &reply{Status: rec.Code, Header: rec.Header(), Raw: rec.Body.Bytes()}
	if err := json.Unmarshal(r.Raw, new(map[string]json.RawMessage)); err != nil {
		t.Fatalf("%s %s: answer is not a JSON object (%d): %s", method, path, rec.Code, r.Raw)
	}
	if a.v != nil && path != "/v1/nope" && rec.Code != http.StatusMethodNotAllowed { // both outside the document
		resp := &http.Response{StatusCode: rec.Code, Header: rec.Header(), Body: io.NopCloser(bytes.NewReader(r.Raw)), Request: newReq()}
		if ok, errs := a.v.ValidateHttpResponse(newReq(), resp); !ok {
			for _, e := range errs {
				t.Errorf("%s %s → %d does not match openapi.json: %s: %s %v", method, path, rec.Code, e.Message, e.Reason, e.SchemaValidationErrors)
			}
		}
	}
	return r
}

// fixture is a workspace with one of everything.
type fixture struct {
	key, readKey, otherKey                     string
	contact, list, campaign, deal, task, task2 string
}

func setUp(t *testing.T, a *api) fixture {
	t.Helper()
	ws, key := a.env.Tenant(t, "Acme")
	f := fixture{key: key, readKey: a.env.Key(t, ws, "read", "lexi")}
	_, f.otherKey = a.env.Tenant(t, "Other")
	f.contact = a.call(t, key, "POST", "/v1/contacts", map[string]any{"email": "ada@example.com", "first_name": "Ada",
		"last_name": "Lovelace", "company": "Analytical", "tags": []string{"vip"}}).must(t, 201).id(t)
	f.list = a.call(t, key, "POST", "/v1/lists", map[string]any{"name": "VIP", "description": "best"}).must(t, 201).id(t)
	f.campaign = a.call(t, key, "POST", "/v1/campaigns", map[string]any{"name": "Launch", "list_id": f.list}).must(t, 201).id(t)
	f.deal = a.call(t, key, "POST", "/v1/deals", map[string]any{"title": "Renewal", "amount": 150000, "contact_id": f.contact}).must(t, 201).id(t)
	chat := a.call(t, key, "POST", "/v1/lexi/chat", map[string]any{"message": "create a list called Top with all contacts"}).must(t, 200)
	type chatReply struct {
		ConversationID string `json:"conversation_id"`
		Tasks          []struct{ ID string }
	}
	firstTask := func(d chatReply) string {
		if len(d.Tasks) == 0 {
			return ""
		}
		return d.Tasks[0].ID
	}
	first := doc[chatReply](t, chat).Data
	f.task = firstTask(first)
	chat = a.call(t, key, "POST", "/v1/lexi/chat", map[string]any{"message": "create a list called Later",
		"conversation_id": first.ConversationID}).must(t, 200)
	f.task2 = firstTask(doc[chatReply](t, chat).Data)
	if f.task == "" || f.task2 == "" || first.ConversationID == "" {
		t.Fatalf("Lexi proposed no task: %s", chat.Raw)
	}
	return f
}

// names reports whether path names one of the fixture's records.
func (f fixture) names(path string) bool {
	for _, id := range []string{f.contact, f.list, f.campaign, f.deal, f.task, f.task2} {
		if strings.Contains(path, id) {
			return true
		}
	}
	return false
}

// routeCase is one call of every route.
type routeCase struct {
	method, path string
	body         any
	status       int
	check        func(t *testing.T, r *reply)
}

func routeCases(f fixture) []routeCase {
	type (
		id       struct{ ID string }
		name     struct{ Name string }
		status   struct{ Status string }
		subject  struct{ Subject string }
		fullName struct {
			FullName string `json:"full_name"`
		}
		contactCount struct {
			ContactCount *int `json:"contact_count"`
		}
	)
	return []routeCase{
		{"GET", "/v1/contacts?limit=10&company=Analytical&tag=vip", nil, 200, firstIs(fullName{"Ada Lovelace"})},
		{"GET", "/v1/contacts/" + f.contact, nil, 200, dataIs(struct{ Email string }{"ada@example.com"})},
		{"POST", "/v1/contacts", map[string]any{"email": "bob@example.com", "first_name": "Bob"}, 201, dataIs(struct {
			FirstName string `json:"first_name"`
		}{"Bob"})},
		{"PATCH", "/v1/contacts/" + f.contact, map[string]any{"title": "Countess"}, 200, dataIs(struct{ Title string }{"Countess"})},
		{"GET", "/v1/lists?search=vi", nil, 200, firstIs(name{"VIP"})},
		{"GET", "/v1/lists/" + f.list, nil, 200, dataIs(contactCount{new(0)})},
		{"POST", "/v1/lists", map[string]any{"name": "Cold"}, 201, dataIs(name{"Cold"})},
		{"PATCH", "/v1/lists/" + f.list, map[string]any{"description": "the best"}, 200, dataIs(struct{ Description string }{"the best"})},
		{"POST", "/v1/lists/" + f.list + "/contacts", map[string]any{"contact_ids": []string{f.contact}}, 200, dataIs(contactCount{new(1)})},
		{"GET", "/v1/campaigns?status=draft", nil, 200, firstIs(struct{ List name }{name{"VIP"}})},
		{"GET", "/v1/campaigns/" + f.campaign, nil, 200, dataIs(status{"DRAFT"})},
		{"POST", "/v1/campaigns", map[string]any{"name": "Later", "subject": "Hi"}, 201, dataIs(subject{"Hi"})},
		{"PATCH", "/v1/campaigns/" + f.campaign, map[string]any{"subject": "Hello"}, 200, dataIs(subject{"Hello"})},
		{"GET", "/v1/deals?stage=LEAD", nil, 200, firstIs(struct{ Amount int64 }{150000})},
		{"GET", "/v1/deals/" + f.deal, nil, 200, dataIs(struct{ Contact fullName }{fullName{"Ada Lovelace"}})},
		{"POST", "/v1/deals", map[string]any{"title": "Upsell", "currency": "EUR"}, 201, dataIs(struct{ Currency string }{"EUR"})},
		{"PATCH", "/v1/deals/" + f.deal, map[string]any{"stage": "WON"}, 200, dataIs(struct{ Stage string }{"WON"})},
		{"GET", "/v1/prospects/search?q=nobody", nil, 200, func(t *testing.T, r *reply) {
			if next := doc[json.RawMessage](t, r).NextCursor; next != nil {
				t.Errorf("next_cursor = %q, want null: %s", *next, r.Raw)
			}
		}},
		{"POST", "/v1/lexi/chat", map[string]any{"message": "how many contacts do we have?"}, 200, dataIs(struct{ Reply struct{ Role string } }{struct{ Role string }{"ASSISTANT"}})},
		{"GET", "/v1/lexi/tasks?status=pending", nil, 200, firstIs(status{"PENDING"})},
		{"POST", "/v1/lexi/tasks/" + f.task + "/approve", nil, 200, dataIs(status{"EXECUTED"})},
		{"POST", "/v1/lexi/tasks/" + f.task2 + "/reject", map[string]any{"reason": "not now"}, 200, dataIs(struct{ Result string }{"not now"})},
		{"GET", "/v1/usage?days=2", nil, 200, func(t *testing.T, r *reply) {
			if n := len(doc[[]json.RawMessage](t, r).Data); n != 2 {
				t.Errorf("usage days = %d, want 2: %s", n, r.Raw)
			}
		}},
		{"DELETE", "/v1/lists/" + f.list, nil, 200, dataIs(id{f.list})},
		{"DELETE", "/v1/contacts/" + f.contact, nil, 200, dataIs(id{f.contact})},
	}
}

// dataIs checks that the answer's data, decoded into a T, equals want (pointers compared by
// what they point to).
func dataIs[T any](want T) func(*testing.T, *reply) {
	return func(t *testing.T, r *reply) {
		t.Helper()
		if got := doc[T](t, r).Data; !reflect.DeepEqual(got, want) {
			t.Errorf("data = %+v, want %+v: %s", got, want, r.Raw)
		}
	}
}

// firstIs is dataIs for the first item of a page.
func firstIs[T any](want T) func(*testing.T, *reply) {
	return func(t *testing.T, r *reply) {
		t.Helper()
		items := doc[[]T](t, r).Data
		if len(items) == 0 || !reflect.DeepEqual(items[0], want) {
			t.Errorf("data[0] of %+v, want %+v: %s", items, want, r.Raw)
		}
	}
}

// TestEveryRoute drives every route to success, and checks each answer against openapi.json.
func TestEveryRoute(t *testing.T) {
	a := newAPI(t)
	f := setUp(t, a)
	for _, c := range routeCases(f) {
		r := a.call(t, f.key, c.method, c.path, c.body)
		if r.Status != c.status {
			t.Errorf("%s %s: status %d, want %d: %s", c.method, c.path, r.Status, c.status, r.Raw)
			continue
		}
		if r.Header.Get("X-RateLimit-Cost") == "" {
			t.Errorf("%s %s: no rate-limit headers", c.method, c.path)
		}
		c.check(t, r)
	}
}

// TestRouteRejections: every route without a key is 401, a key without the route's permission
// 403, and an id of another workspace 404 — the statuses /graphql gives, with the same headers.
func TestRouteRejections(t *testing.T) {
	a := newAPI(t)
	f := setUp(t, a)
	for _, c := range routeCases(f) {
		r := a.call(t, "", c.method, c.path, c.body)
		if r.Status != 401 || r.code() != "UNAUTHENTICATED" || !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("%s %s without a key: %d %s %v", c.method, c.path, r.Status, r.Raw, r.Header)
		}
		if c.method != "GET" && !strings.Contains(c.path, "/lexi/chat") && !strings.Contains(c.path, "/reject") {
			r := a.call(t, f.readKey, c.method, c.path, c.body)
			// Approving checks WRITE when it runs (a task's action decides it), as on /graphql,
			// so only that one is charged.
			charged := strings.HasSuffix(c.path, "/approve")
			if r.Status != 403 || r.code() != "FORBIDDEN" || (r.Header.Get("X-RateLimit-Cost") != "0") != charged {
				t.Errorf("%s %s with a read key: %d %s cost %q", c.method, c.path, r.Status, r.Raw, r.Header.Get("X-RateLimit-Cost"))
			}
		}
		if f.names(c.path) {
			r := a.call(t, f.otherKey, c.method, c.path, c.body)
			if r.Status != 404 || r.code() != "NOT_FOUND" {
				t.Errorf("%s %s with another workspace's key: %d %s", c.method, c.path, r.Status, r.Raw)
			}
		}
	}
	gql := a.env.Query(t, "", `{ contacts { totalCount } }`, nil)
	rest := a.call(t, "", "GET", "/v1/contacts", nil)
	if gql.Status != rest.Status || gql.Header.Get("WWW-Authenticate") != rest.Header.Get("WWW-Authenticate") {
		t.Errorf("401: GraphQL %d %q, REST %d %q", gql.Status, gql.Header.Get("WWW-Authenticate"), rest.Status, rest.Header.Get("WWW-Authenticate"))
	}
}

func TestUnknownPathsAndMethods(t *testing.T) {
	a := newAPI(t)
	_, key := a.env.Tenant(t, "Acme")
	if r := a.call(t, key, "GET", "/v1/nope", nil); r.Status != 404 || r.code() != "NOT_FOUND" {
		t.Errorf("unknown path: %d %s", r.Status, r.Raw)
	}
	r := a.call(t, key, "PUT", "/v1/contacts", nil)
	if r.Status != 405 || r.code() != "METHOD_NOT_ALLOWED" || r.Header.Get("Allow") != "GET, POST" {
		t.Errorf("PUT /v1/contacts: %d %s Allow %q", r.Status, r.Raw, r.Header.Get("Allow"))
	}
	if r := a.call(t, key, "POST", "/v1/contacts", "[1]"); r.Status != 400 || r.code() != "BAD_REQUEST" {
		t.Errorf("array body: %d %s", r.Status, r.Raw)
	}
	field := func(r *reply) string { return doc[json.RawMessage](t, r).Error.Field }
	if r := a.call(t, key, "GET", "/v1/contacts?limit=x", nil); r.Status != 400 || field(r) != "limit" {
		t.Errorf("?limit=x: %d %s", r.Status, r.Raw)
	}
	if r := a.call(t, key, "GET", "/v1/contacts?limit=500", nil); r.Status != 400 || r.code() != "BAD_USER_INPUT" || field(r) != "limit" {
		t.Errorf("?limit=500: %d %s", r.Status, r.Raw)
	}
	if r := a.call(t, key, "POST", "/v1/contacts", map[string]any{"email": "nope"}); r.Status != 400 || field(r) != "email" {
		t.Errorf("bad email: %d %s", r.Status, r.Raw)
	}
	a.call(t, key, "POST", "/v1/contacts", map[string]any{"email": "x@example.com"}).must(t, 201)
	if r := a.call(t, key, "POST", "/v1/contacts", map[string]any{"email": "x@example.com"}); r.Status != 409 || r.code() != "CONFLICT" {
		t.Errorf("duplicate email: %d %s", r.Status, r.Raw)
	}
}

// TestPagination walks three pages with next_cursor.
func TestPagination(t *testing.T) {
	a := newAPI(t)
	_, key := a.env.Tenant(t, "Acme")
	for i := range 7 {
		a.call(t, key, "POST", "/v1/contacts", map[string]any{"email": string(rune('a'+i)) + "@example.com"}).must(t, 201)
	}
	seen := map[string]bool{}
	path := "/v1/contacts?limit=3"
	for page := 1; ; page++ {
		r := a.call(t, key, "GET", path, nil).must(t, 200)
		d := doc[[]struct{ ID string }](t, r)
		items := d.Data
		for _, it := range items {
			if it.ID == "" {
				t.Fatalf("page %d: an item without id: %s", page, r.Raw)
			}
			seen[it.ID] = true
		}
		if page < 3 && (len(items) != 3 || d.NextCursor == nil || *d.NextCursor == "") {
			t.Fatalf("page %d: %d items: %s", page, len(items), r.Raw)
		}
		if page == 3 {
			if len(items) != 1 || d.NextCursor != nil {
				t.Fatalf("last page: %d items: %s", len(items), r.Raw)
			}
			break
		}
		path = "/v1/contacts?limit=3&cursor=" + *d.NextCursor
	}
	if len(seen) != 7 {
		t.Errorf("saw %d distinct contacts, want 7", len(seen))
	}
}

// TestSameCostAndUsageAsGraphQL: a REST call and its GraphQL twin charge the same cost and
// count under the same operation.
func TestSameCostAndUsageAsGraphQL(t *testing.T) {
	a := newAPI(t)
	_, key := a.env.Tenant(t, "Acme")
	rest := a.call(t, key, "GET", "/v1/contacts?limit=100", nil).must(t, 200)
	gql := a.env.Query(t, key, `{ contacts(first: 100) { nodes { id } } }`, nil)
	gql.MustData(t)
	if rest.Header.Get("X-RateLimit-Cost") != gql.Header.Get("X-RateLimit-Cost") {
		t.Errorf("cost: REST %q, GraphQL %q", rest.Header.Get("X-RateLimit-Cost"), gql.Header.Get("X-RateLimit-Cost"))
	}
	restW := a.call(t, key, "POST", "/v1/lists", map[string]any{"name": "A"}).must(t, 201)
	gqlW := a.env.Query(t, key, `mutation { createList(input: {name: "B"}) { id } }`, nil)
	if restW.Header.Get("X-RateLimit-Cost") != gqlW.Header.Get("X-RateLimit-Cost") || restW.Header.Get("X-RateLimit-Cost") != "1" {
		t.Errorf("mutation cost: REST %q, GraphQL %q", restW.Header.Get("X-RateLimit-Cost"), gqlW.Header.Get("X-RateLimit-Cost"))
	}
	a.env.Usage.Flush(t.Context())
	type opCount struct {
		Operation string
		Calls     int
	}
	u := testenv.Decode[struct {
		Viewer struct {
			APIKey struct {
				Usage []struct{ Operations []opCount } // one entry a day, today first
			} `json:"apiKey"`
		}
	}](t, a.env.Query(t, key, `{ viewer { apiKey { usage { operations { operation calls } } } } }`, nil))
	if len(u.Viewer.APIKey.Usage) == 0 {
		t.Fatal("no usage today")
	}
	calls := map[string]int{}
	for _, o := range u.Viewer.APIKey.Usage[0].Operations {
		calls[o.Operation] = o.Calls
	}
	if calls["contacts"] != 2 || calls["createList"] != 2 {
		t.Errorf("usage per operation = %v, want contacts 2 and createList 2", calls)
	}
}

// TestRateLimitedLikeGraphQL: at the limit REST answers 429 with the headers GraphQL sends,
// from the same counters.
func TestRateLimitedLikeGraphQL(t *testing.T) {
	now := time.Date(2031, 3, 14, 12, 0, 0, 0, time.UTC)
	a := newAPI(t, testenv.Options{Plans: ratelimit.Plans{models.PlanStarter: {Day: 100, Minute: 2},
		models.PlanPro: {Day: 1000, Minute: 50}, models.PlanOrg: {Day: 10000, Minute: 200}}, Now: func() time.Time { return now }})
	ws := a.env.Workspace(t, "Small", models.PlanStarter)
	key := a.env.Key(t, ws, "read", "write")
	a.call(t, key, "GET", "/v1/contacts", nil).must(t, 200)
	a.env.Query(t, key, `{ contacts { nodes { id } } }`, nil).MustData(t)
	rest := a.call(t, key, "GET", "/v1/contacts", nil).must(t, 429)
	gql := a.env.Query(t, key, `{ contacts { nodes { id } } }`, nil)
	if gql.Status != 429 || rest.code() != "RATE_LIMITED" {
		t.Fatalf("GraphQL %d, REST %d %s", gql.Status, rest.Status, rest.Raw)
	}
	for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Reset",
		"X-RateLimit-Minute-Limit", "X-RateLimit-Minute-Remaining", "X-RateLimit-Minute-Reset", "X-RateLimit-Cost",
		"RateLimit-Policy", "RateLimit", "Retry-After"} {
		if rest.Header.Get(h) == "" || rest.Header.Get(h) != gql.Header.Get(h) {
			t.Errorf("%s: REST %q, GraphQL %q", h, rest.Header.Get(h), gql.Header.Get(h))
		}
	}
}
