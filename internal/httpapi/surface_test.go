package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/internal/app"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/httpapi"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// surfaceServe sends req through h and returns the raw recording (for non-JSON answers).
func surfaceServe(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// surfaceGraphQLRequest builds a POST /graphql with a raw body.
func surfaceGraphQLRequest(key string, body io.Reader) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/graphql", body)
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return req
}

// surfacePaddedBody returns a valid GraphQL-over-HTTP JSON body of exactly size bytes whose
// query is `{ viewer { workspace { id } } }` padded with insignificant whitespace.
func surfacePaddedBody(t *testing.T, size int) []byte {
	t.Helper()
	const head, tail = `{"query":"{ viewer { workspace { id } } }`, `"}`
	pad := size - len(head) - len(tail)
	if pad < 0 {
		t.Fatalf("size %d too small", size)
	}
	b := make([]byte, 0, size)
	b = append(b, head...)
	b = append(b, bytes.Repeat([]byte(" "), pad)...)
	b = append(b, tail...)
	if !json.Valid(b) || len(b) != size {
		t.Fatalf("bad padded body")
	}
	return b
}

// surfaceContactCount returns contacts.totalCount as seen by key.
func surfaceContactCount(t *testing.T, env *testenv.Env, key string) int {
	t.Helper()
	r := env.Query(t, key, `{ contacts { totalCount } }`, nil)
	return testenv.Decode[struct{ Contacts surfaceConn }](t, r).Contacts.total(t)
}

// surfaceViewer is the answer to { viewer { workspace { id } } }.
type surfaceViewer struct {
	Viewer struct{ Workspace struct{ ID string } }
}

// surfaceNode is a node as the tests below select it (id, name or email).
type surfaceNode struct{ ID, Name, Email string }

// surfaceConn is a connection as the tests below select it.
type surfaceConn struct {
	TotalCount *int
	Nodes      []surfaceNode
}

// total is the connection's totalCount; it fails the test when it was not answered.
func (c surfaceConn) total(t *testing.T) int {
	t.Helper()
	if c.TotalCount == nil {
		t.Fatal("totalCount missing")
	}
	return *c.TotalCount
}

// first is the connection's first node; it fails the test when there is none.
func (c surfaceConn) first(t *testing.T) surfaceNode {
	t.Helper()
	if len(c.Nodes) == 0 {
		t.Fatal("no nodes")
	}
	return c.Nodes[0]
}

// surfaceSQL is every answer of TestSurfaceSQLInputIsData.
type surfaceSQL struct {
	Contacts, Lists, Prospects surfaceConn
	Contact, Node              *struct{ ID string }
	CreateList                 struct{ ID, Name, Description string }
	CreateContact              struct{ ID, FirstName, Company string }
}

// TestSchemaPermissionCoverage: every root field other than viewer, rateLimit and the
// introspection fields carries @hasPermission with the permission docs/api.md gives it.
func TestSchemaPermissionCoverage(t *testing.T) {
	schema := app.NewExecutableSchema(nil).Schema()
	if schema.Query == nil || schema.Mutation == nil {
		t.Fatalf("schema has no Query or Mutation type")
	}
	open := map[string]bool{"viewer": true, "rateLimit": true, "__schema": true, "__type": true, "__typename": true}
	lexi := map[string]bool{"lexiChat": true, "lexiTasks": true, "lexiTask": true,
		"approveLexiTask": true, "rejectLexiTask": true, "lexiTaskUpdated": true}
	valid := map[string]bool{}
	for _, p := range models.AllPermission {
		valid[string(p)] = true
	}

	var missing, wrong []string
	checked := 0
	for _, r := range []struct {
		label    string
		expected models.Permission // "" : any permission
	}{{"Query", models.PermissionRead}, {"Mutation", models.PermissionWrite}, {"Subscription", ""}} {
		def := map[string]*ast.Definition{"Query": schema.Query, "Mutation": schema.Mutation,
			"Subscription": schema.Subscription}[r.label]
		if def == nil {
			continue // no Subscription type yet
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			if open[f.Name] {
				if f.Directives.ForName("hasPermission") != nil {
					wrong = append(wrong, r.label+"."+f.Name+" needs only a valid key but carries @hasPermission")
				}
				continue
			}
			checked++
			d := f.Directives.ForName("hasPermission")
			if d == nil {
				missing = append(missing, r.label+"."+f.Name)
				continue
			}
			arg := d.Arguments.ForName("permission")
			if arg == nil || arg.Value == nil || !valid[arg.Value.Raw] {
				wrong = append(wrong, r.label+"."+f.Name+": @hasPermission without a valid permission")
				continue
			}
			want := r.expected
			if lexi[f.Name] {
				want = models.PermissionLexi
			}
			if want != "" && arg.Value.Raw != string(want) {
				wrong = append(wrong, r.label+"."+f.Name+": @hasPermission("+arg.Value.Raw+"), want "+string(want))
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("root fields without @hasPermission: %s", strings.Join(missing, ", "))
	}
	for _, w := range wrong {
		t.Error(w)
	}
	if checked < 20 {
		t.Errorf("only %d guarded root fields found; the walk is not seeing the schema", checked)
	}
	if f := schema.Query.Fields.ForName("viewer"); f == nil {
		t.Errorf("Query.viewer is missing")
	}
}

func TestSurfaceBodyTooLarge(t *testing.T) {
	env := testenv.New(t)
	ws, key := env.Tenant(t, "Acme")

	cases := []struct {
		name    string
		size    int
		chunked bool
		key     string
		status  int
	}{
		{"at the limit", httpapi.DefaultMaxBodyBytes, false, key, http.StatusOK},
		{"at the limit, chunked", httpapi.DefaultMaxBodyBytes, true, key, http.StatusOK},
		{"one byte over", httpapi.DefaultMaxBodyBytes + 1, false, key, http.StatusRequestEntityTooLarge},
		{"one byte over, chunked", httpapi.DefaultMaxBodyBytes + 1, true, key, http.StatusRequestEntityTooLarge},
		{"two MiB", 2 << 20, false, key, http.StatusRequestEntityTooLarge},
		{"two MiB, chunked", 2 << 20, true, key, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := surfaceGraphQLRequest(tc.key, bytes.NewReader(surfacePaddedBody(t, tc.size)))
			if tc.chunked {
				req.ContentLength = -1
				req.Body = io.NopCloser(bytes.NewReader(surfacePaddedBody(t, tc.size)))
			} else if req.ContentLength != int64(tc.size) {
				t.Fatalf("ContentLength = %d, want %d", req.ContentLength, tc.size)
			}
			r := env.Do(t, req)
			if r.Status != tc.status {
				t.Fatalf("status = %d, want %d: %.300s", r.Status, tc.status, r.Raw)
			}
			if tc.status == http.StatusOK {
				if got := testenv.Decode[surfaceViewer](t, r).Viewer.Workspace.ID; got != ws.ID {
					t.Errorf("workspace id = %q, want %q", got, ws.ID)
				}
				return
			}
			if got := r.Code(); got != "REQUEST_TOO_LARGE" {
				t.Errorf("code = %q, want REQUEST_TOO_LARGE: %s", got, r.Raw)
			}
			authExpectNullData(t, r)
		})
	}
}

func TestSurfaceBadRequests(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")

	t.Run("malformed JSON", func(t *testing.T) {
		for _, body := range []string{`{"query": "{ viewer { workspace { id } } }"`, `not json`, `{"query": }`} {
			r := env.Do(t, surfaceGraphQLRequest(key, strings.NewReader(body)))
			if r.Status != http.StatusBadRequest {
				t.Errorf("%q: status = %d, want 400: %s", body, r.Status, r.Raw)
			}
			if len(r.Errors) == 0 {
				t.Errorf("%q: no errors array: %s", body, r.Raw)
				continue
			}
			if got := r.Code(); got != "BAD_REQUEST" {
				t.Errorf("%q: code = %q, want BAD_REQUEST", body, got)
			}
		}
	})

	t.Run("parse error", func(t *testing.T) {
		r := env.Query(t, key, `{ viewer { workspace { id } `, nil)
		if r.Status != http.StatusOK {
			t.Errorf("status = %d, want 200 (only application/json accepted): %s", r.Status, r.Raw)
		}
		if got := r.Code(); got != "GRAPHQL_PARSE_FAILED" {
			t.Errorf("code = %q, want GRAPHQL_PARSE_FAILED: %s", got, r.Raw)
		}
		authExpectNullData(t, r)
	})

	validation := []struct {
		name, accept string
		status       int
	}{
		{"validation error, application/json", "application/json", http.StatusOK},
		{"validation error, no Accept", "", http.StatusOK},
		{"validation error, graphql-response+json", "application/graphql-response+json", http.StatusBadRequest},
	}
	for _, tc := range validation {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"query": `{ contacts { nope } }`})
			req := surfaceGraphQLRequest(key, bytes.NewReader(body))
			if tc.accept != "" {
				req.Header.Set("Accept", tc.accept)
			}
			r := env.Do(t, req)
			if r.Status != tc.status {
				t.Errorf("status = %d, want %d: %s", r.Status, tc.status, r.Raw)
			}
			if got := r.Code(); got != "GRAPHQL_VALIDATION_FAILED" {
				t.Errorf("code = %q, want GRAPHQL_VALIDATION_FAILED: %s", got, r.Raw)
			}
			authExpectNullData(t, r)
		})
	}

	t.Run("unknown variable type", func(t *testing.T) {
		r := env.Query(t, key, `query($f: Int) { contacts(first: $f) { totalCount } }`, map[string]any{"f": "ten"})
		if r.Status == http.StatusOK && len(r.Errors) == 0 {
			t.Fatalf("a string for an Int variable was accepted: %s", r.Raw)
		}
		if r.Status >= 500 {
			t.Errorf("status = %d: %s", r.Status, r.Raw)
		}
	})
}

func TestSurfaceGET(t *testing.T) {
	env := testenv.New(t)
	ws, key := env.Tenant(t, "Acme")

	get := func(key, query string) *testenv.Response {
		req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(query), nil)
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		return env.Do(t, req)
	}

	r := get(key, `{viewer{workspace{id}}}`)
	if got := testenv.Decode[surfaceViewer](t, r).Viewer.Workspace.ID; got != ws.ID {
		t.Fatalf("GET viewer: workspace id = %q, want %q", got, ws.ID)
	}
	// The literal query string of the documented GET example (braces unescaped) works too.
	req := httptest.NewRequest(http.MethodGet, "/graphql?query={viewer{workspace{id}}}", nil)
	req.Header.Set("Authorization", "Bearer "+key)
	r = env.Do(t, req)
	if got := testenv.Decode[surfaceViewer](t, r).Viewer.Workspace.ID; got != ws.ID {
		t.Fatalf("GET viewer (raw): workspace id = %q, want %q", got, ws.ID)
	}

	authExpect401(t, get("", `{viewer{workspace{id}}}`), auth.ReasonMissing)

	for _, m := range []string{
		`mutation { createContact(input: {email: "get@y.co"}) { id } }`,
		`mutation M { createList(input: {name: "GET list"}) { id } }`,
	} {
		r = get(key, m)
		if r.Status != http.StatusMethodNotAllowed || r.Code() != "METHOD_NOT_ALLOWED" {
			t.Errorf("GET mutation: want 405 METHOD_NOT_ALLOWED, got %d %s", r.Status, r.Raw)
		}
		if r.Header.Get("X-RateLimit-Cost") != "0" {
			t.Errorf("GET mutation was charged: X-RateLimit-Cost %q", r.Header.Get("X-RateLimit-Cost"))
		}
		if len(r.Errors) == 0 {
			t.Errorf("GET mutation: no errors: %s", r.Raw)
		}
		authExpectNullData(t, r)
	}
	r = env.Query(t, key, `{ contacts { totalCount } lists { totalCount } }`, nil)
	counts := testenv.Decode[struct{ Contacts, Lists surfaceConn }](t, r)
	if got := counts.Contacts.total(t); got != 0 {
		t.Errorf("contacts after GET mutation = %v, want 0", got)
	}
	if got := counts.Lists.total(t); got != 0 {
		t.Errorf("lists after GET mutation = %v, want 0", got)
	}
}

func TestSurfaceEndpoints(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")

	t.Run("healthz", func(t *testing.T) {
		rec := surfaceServe(env.Handler, httptest.NewRequest(http.MethodGet, "/healthz", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("status = %d: %s", rec.Code, rec.Body)
		}
	})

	t.Run("schema.graphql", func(t *testing.T) {
		rec := surfaceServe(env.Handler, httptest.NewRequest(http.MethodGet, "/schema.graphql", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("status = %d: %s", rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/") {
			t.Errorf("Content-Type = %q, want text/…", ct)
		}
		// testenv serves this SDL.
		if !strings.Contains(rec.Body.String(), "type Query") {
			t.Errorf("body does not look like SDL: %q", rec.Body)
		}
	})

	t.Run("playground", func(t *testing.T) {
		rec := surfaceServe(env.Handler, httptest.NewRequest(http.MethodGet, "/", nil))
		if rec.Code != http.StatusOK {
			t.Fatalf("status = %d", rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("Content-Type = %q, want text/html", ct)
		}
		body := strings.ToLower(rec.Body.String())
		if !strings.Contains(body, "graphiql") {
			t.Errorf("playground body does not mention graphiql")
		}
		if !strings.Contains(body, "/graphql") {
			t.Errorf("playground is not pointed at /graphql")
		}
	})

	t.Run("unknown path", func(t *testing.T) {
		rec := surfaceServe(env.Handler, httptest.NewRequest(http.MethodGet, "/nope", nil))
		if rec.Code != http.StatusNotFound {
			t.Errorf("status = %d, want 404", rec.Code)
		}
	})

	t.Run("OPTIONS /graphql", func(t *testing.T) {
		req := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
		req.Header.Set("Origin", "https://app.example.com")
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "authorization, content-type")
		rec := surfaceServe(env.Handler, req)
		if rec.Code != http.StatusNoContent {
			t.Fatalf("status = %d, want 204", rec.Code)
		}
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got == "" {
			t.Errorf("no Access-Control-Allow-Origin")
		}
		if got := strings.ToLower(rec.Header().Get("Access-Control-Allow-Headers")); !strings.Contains(got, "authorization") {
			t.Errorf("Access-Control-Allow-Headers = %q, want it to allow Authorization", got)
		}
		if rec.Body.Len() != 0 {
			t.Errorf("204 with a body: %q", rec.Body)
		}
	})

	t.Run("CORS on answers", func(t *testing.T) {
		r := env.Query(t, key, `{ viewer { workspace { id } } }`, nil)
		if r.Header.Get("Access-Control-Allow-Origin") == "" {
			t.Errorf("200 without Access-Control-Allow-Origin")
		}
		r = env.Query(t, "", `{ viewer { workspace { id } } }`, nil)
		if r.Header.Get("Access-Control-Allow-Origin") == "" {
			t.Errorf("401 without Access-Control-Allow-Origin")
		}
	})
}

func TestSurfaceMetrics(t *testing.T) {
	env := testenv.New(t)
	ws, key := env.Tenant(t, "Acme")
	readOnly := env.Key(t, ws, "read")

	env.Query(t, key, `{ contacts { totalCount } }`, nil).MustData(t)
	env.Query(t, key, `{ contacts { totalCount } }`, nil).MustData(t)
	env.Query(t, key, `mutation { createContact(input: {email: "m@y.co"}) { id } }`, nil).MustData(t)
	authExpect403(t, env.Query(t, readOnly, `mutation { createList(input: {name: "L"}) { id } }`, nil), "WRITE")

	rec := surfaceServe(env.Handler, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("status = %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{
		`graphql_requests_total{operation="contacts",status="200"} 2`,
		`graphql_requests_total{operation="createContact",status="200"} 1`,
		`graphql_requests_total{operation="createList",status="403"} 1`,
		`graphql_request_duration_seconds_count{operation="contacts"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if strings.Contains(body, key) {
		t.Errorf("metrics contain the key")
	}
}

func TestSurfaceReadiness(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")

	rec := surfaceServe(env.Handler, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("readyz = %d before close: %s", rec.Code, rec.Body)
	}
	env.Query(t, key, `{ viewer { workspace { id } } }`, nil).MustData(t)

	if err := env.Store.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
	rec = surfaceServe(env.Handler, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("readyz = %d after close, want 503: %s", rec.Code, rec.Body)
	}
	rec = surfaceServe(env.Handler, httptest.NewRequest(http.MethodGet, "/healthz", nil))
	if rec.Code != http.StatusOK {
		t.Errorf("healthz = %d after close, want 200 (liveness does not depend on the database)", rec.Code)
	}

	// A request that needs the database gets 503 SERVICE_UNAVAILABLE without internals.
	r := env.Query(t, key, `{ viewer { workspace { id } } }`, nil)
	if r.Status != http.StatusServiceUnavailable {
		t.Errorf("graphql after close: status = %d, want 503: %s", r.Status, r.Raw)
	}
	if got := r.Code(); got != "SERVICE_UNAVAILABLE" {
		t.Errorf("graphql after close: code = %q, want SERVICE_UNAVAILABLE: %s", got, r.Raw)
	}
	surfaceNoInternals(t, r.Raw)
}

// surfaceNoInternals fails when a response body shows database or Go internals.
func surfaceNoInternals(t *testing.T, raw []byte) {
	t.Helper()
	low := strings.ToLower(string(raw))
	for _, leak := range []string{"sql", "gorm", "pgx", "syntax error", "database is closed", "goroutine", ".go:", "pq:", "relation \""} {
		if strings.Contains(low, leak) {
			t.Errorf("response leaks %q: %s", leak, raw)
		}
	}
}

// The key never reaches the logs, whatever the request's outcome.
func TestSurfaceKeyNeverLogged(t *testing.T) {
	env := testenv.New(t)
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	api := app.New(app.Config{Store: env.Store, Log: logger})
	logged := &testenv.Env{Store: env.Store, Auth: api.Auth, Handler: api.Handler}

	ws, full := env.Tenant(t, "Acme")
	readOnly := env.Key(t, ws, "read")
	revoked, _ := env.KeyRecord(t, ws, func(k *models.ApiKey) {
		at := time.Now().Add(-time.Hour)
		k.RevokedAt = &at
	}, "read")
	expired, _ := env.KeyRecord(t, ws, func(k *models.ApiKey) {
		at := time.Now().Add(-time.Hour)
		k.ExpiresAt = &at
	}, "read")
	unknown, _, _ := auth.NewKey()
	badChecksum := authFlipLast(full)

	type call struct {
		key, query string
		status     int
	}
	calls := []call{
		{full, `{ viewer { workspace { id } apiKey { prefix } } }`, http.StatusOK},
		{full, `mutation { createContact(input: {email: "log@y.co"}) { id } }`, http.StatusOK},
		{full, `mutation { createContact(input: {email: "log@y.co"}) { id } }`, http.StatusOK}, // CONFLICT
		{full, `mutation { createContact(input: {email: "not an email"}) { id } }`, http.StatusOK},
		{full, `{ contacts(first: 500) { totalCount } }`, http.StatusOK},
		{full, `{ contacts { nope } }`, http.StatusOK},
		{full, `{ contacts {`, http.StatusOK},
		{readOnly, `mutation { createList(input: {name: "L"}) { id } }`, http.StatusForbidden},
		{revoked, `{ viewer { workspace { id } } }`, http.StatusUnauthorized},
		{expired, `{ viewer { workspace { id } } }`, http.StatusUnauthorized},
		{unknown, `{ viewer { workspace { id } } }`, http.StatusUnauthorized},
		{badChecksum, `{ viewer { workspace { id } } }`, http.StatusUnauthorized},
	}
	for _, c := range calls {
		r := logged.Query(t, c.key, c.query, nil)
		if r.Status != c.status {
			t.Errorf("%s: status = %d, want %d: %s", c.query, r.Status, c.status, r.Raw)
		}
	}
	// GET with the key, and a key sent in the query string by mistake.
	req := httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(`{viewer{workspace{id}}}`), nil)
	req.Header.Set("Authorization", "Bearer "+full)
	logged.Do(t, req)
	req = httptest.NewRequest(http.MethodGet, "/graphql?query="+url.QueryEscape(`{viewer{workspace{id}}}`)+"&key="+full, nil)
	logged.Do(t, req)
	// Oversized body with the key.
	logged.Do(t, surfaceGraphQLRequest(full, bytes.NewReader(surfacePaddedBody(t, httpapi.DefaultMaxBodyBytes+1))))
	// Malformed JSON with the key.
	logged.Do(t, surfaceGraphQLRequest(full, strings.NewReader(`{"query": `+full)))

	out := buf.String()
	if !strings.Contains(out, "msg=request ") {
		t.Fatalf("nothing was logged at debug level; the test would prove nothing:\n%s", out)
	}
	if !strings.Contains(out, auth.DisplayPrefix(full)) {
		t.Errorf("logs do not identify the key by its display prefix %q", auth.DisplayPrefix(full))
	}
	for name, k := range map[string]string{"full": full, "readOnly": readOnly, "revoked": revoked,
		"expired": expired, "unknown": unknown, "badChecksum": badChecksum} {
		secret := k[len(auth.DisplayPrefix(k)):] // the part that is never shown
		if strings.Contains(out, k) || strings.Contains(out, secret) {
			t.Errorf("the %s key appears in the logs", name)
		}
	}
	for _, rec := range []string{auth.HashKey(full), auth.HashKey(readOnly)} {
		if strings.Contains(out, rec) {
			t.Errorf("a key hash appears in the logs")
		}
	}
}

// SQL in user input is data: it neither errors nor reaches the database as SQL.
func TestSurfaceSQLInputIsData(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")
	const evil = `'; DROP TABLE contacts; --`

	r := env.Query(t, key, `mutation { createContact(input: {email: "ann@acme.co", company: "Acme"}) { id } }`, nil)
	contactID := testenv.Decode[surfaceSQL](t, r).CreateContact.ID
	if contactID == "" {
		t.Fatalf("no createContact.id: %s", r.Raw)
	}

	cases := []struct {
		name  string
		query string
		vars  map[string]any
		check func(t *testing.T, d surfaceSQL)
	}{
		{"contact search", `query($s: String) { contacts(filter: {search: $s}) { totalCount nodes { id } } }`,
			map[string]any{"s": evil}, func(t *testing.T, d surfaceSQL) {
				if got := d.Contacts.total(t); got != 0 {
					t.Errorf("totalCount = %v, want 0", got)
				}
			}},
		{"contact search, quote only", `query($s: String) { contacts(filter: {search: $s}) { totalCount } }`,
			map[string]any{"s": `' OR '1'='1`}, func(t *testing.T, d surfaceSQL) {
				if got := d.Contacts.total(t); got != 0 {
					t.Errorf("totalCount = %v, want 0", got)
				}
			}},
		{"contact company filter", `query($s: String) { contacts(filter: {company: $s}) { totalCount } }`,
			map[string]any{"s": evil}, func(t *testing.T, d surfaceSQL) {
				if got := d.Contacts.total(t); got != 0 {
					t.Errorf("totalCount = %v, want 0", got)
				}
			}},
		{"contact tag filter", `query($s: String) { contacts(filter: {tag: $s}) { totalCount } }`,
			map[string]any{"s": evil}, func(t *testing.T, d surfaceSQL) {
				if got := d.Contacts.total(t); got != 0 {
					t.Errorf("totalCount = %v, want 0", got)
				}
			}},
		{"contact by evil id", `query($id: ID!) { contact(id: $id) { id } node(id: $id) { id } }`,
			map[string]any{"id": evil}, func(t *testing.T, d surfaceSQL) {
				if d.Contact != nil || d.Node != nil {
					t.Errorf("evil id found something: %v", d)
				}
			}},
		{"prospect search", `query($s: String) { prospects(filter: {search: $s}) { totalCount } }`,
			map[string]any{"s": evil}, func(t *testing.T, d surfaceSQL) {
				if got := d.Prospects.total(t); got != 0 {
					t.Errorf("totalCount = %v, want 0", got)
				}
			}},
		{"list named with SQL", `mutation($n: String!) { createList(input: {name: $n, description: $n}) { id name description } }`,
			map[string]any{"n": evil}, func(t *testing.T, d surfaceSQL) {
				if got := d.CreateList.Name; got != evil {
					t.Errorf("name = %q, want %q", got, evil)
				}
				if got := d.CreateList.Description; got != evil {
					t.Errorf("description = %q, want %q", got, evil)
				}
			}},
		{"list search with SQL", `query($s: String) { lists(filter: {search: $s}) { totalCount nodes { name } } }`,
			map[string]any{"s": evil}, func(t *testing.T, d surfaceSQL) {
				if got := d.Lists.total(t); got != 1 {
					t.Errorf("totalCount = %v, want 1", got)
				}
				if got := d.Lists.first(t).Name; got != evil {
					t.Errorf("name = %q, want %q", got, evil)
				}
			}},
		{"contact with SQL in names and tags", `mutation($s: String!) { createContact(input: {email: "bob@acme.co", firstName: $s, company: $s, tags: [$s]}) { firstName company } }`,
			map[string]any{"s": evil}, func(t *testing.T, d surfaceSQL) {
				if got := d.CreateContact.FirstName; got != evil {
					t.Errorf("firstName = %q, want %q", got, evil)
				}
			}},
		{"search finds the stored SQL text", `query($s: String) { contacts(filter: {search: $s}) { totalCount nodes { email } } }`,
			map[string]any{"s": "drop table"}, func(t *testing.T, d surfaceSQL) {
				if got := d.Contacts.total(t); got != 1 {
					t.Errorf("totalCount = %v, want 1", got)
				}
				if got := d.Contacts.first(t).Email; got != "bob@acme.co" {
					t.Errorf("email = %q, want bob@acme.co", got)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := env.Query(t, key, tc.query, tc.vars)
			surfaceNoInternals(t, r.Raw)
			tc.check(t, testenv.Decode[surfaceSQL](t, r))
		})
	}

	// The same text inline in the document (not as a variable) is just as harmless, and
	// matches only the contact that stores it as its name.
	r = env.Query(t, key, `{ contacts(filter: {search: "'; DROP TABLE contacts; --"}) { totalCount nodes { email } } }`, nil)
	surfaceNoInternals(t, r.Raw)
	d := testenv.Decode[surfaceSQL](t, r)
	if got := d.Contacts.total(t); got != 1 {
		t.Errorf("inline evil search: totalCount = %v, want 1", got)
	}
	if got := d.Contacts.first(t).Email; got != "bob@acme.co" {
		t.Errorf("inline evil search: email = %q, want bob@acme.co", got)
	}

	// The tables still work.
	if n := surfaceContactCount(t, env, key); n != 2 {
		t.Fatalf("contacts = %v, want 2", n)
	}
	r = env.Query(t, key, `query($id: ID!) { contact(id: $id) { email } }`, map[string]any{"id": contactID})
	if got := testenv.Decode[struct{ Contact struct{ Email string } }](t, r).Contact.Email; got != "ann@acme.co" {
		t.Errorf("contact email = %q, want ann@acme.co", got)
	}
	r = env.Query(t, key, `mutation { createContact(input: {email: "carol@acme.co"}) { id } }`, nil)
	r.MustData(t)
	if n := surfaceContactCount(t, env, key); n != 3 {
		t.Fatalf("contacts = %v, want 3", n)
	}
}

// A document of many thousand tokens is refused before it is parsed: validation is quadratic
// in repeated fields, and a 1 MiB body of them would otherwise cost minutes of CPU.
func TestSurfaceHugeDocumentRefusedAtParse(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Tokens")
	r := env.Query(t, key, "{"+strings.Repeat(" __typename", 20000)+"}", nil)
	if r.Status != http.StatusBadRequest || r.Code() != "QUERY_TOO_COMPLEX" || r.Errors[0].Extensions["reason"] != "TOKENS" || r.Data != nil {
		t.Fatalf("want 400 QUERY_TOO_COMPLEX (TOKENS), got %d %s", r.Status, r.Raw)
	}
	if r := env.Query(t, key, "{"+strings.Repeat(" __typename", 500)+"}", nil); r.Status != http.StatusOK {
		t.Fatalf("a modest document was refused: %d %s", r.Status, r.Raw)
	}
}
