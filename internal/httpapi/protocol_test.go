package httpapi_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/app"
	"github.com/wbk/crm/internal/httpapi"
	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// protocolRequest builds a request through the full handler.
func protocolRequest(method, target, key, body string, header map[string]string) *http.Request {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}

func TestCORS(t *testing.T) {
	st := testenv.OpenStore(t)
	anyOrigin := app.New(app.Config{Store: st, Log: testenv.QuietLogger(), SDL: "type Query { a: Int }"}).Handler
	listed := app.New(app.Config{Store: st, Log: testenv.QuietLogger(), SDL: "type Query { a: Int }",
		CORSOrigins: []string{"https://app.example.com", " https://admin.example.com/ "}}).Handler

	preflight := func(origin, headers string) map[string]string {
		return map[string]string{"Origin": origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": headers}
	}
	cases := []struct {
		name        string
		h           http.Handler
		header      map[string]string
		wantOrigin  string
		wantHeaders string // Access-Control-Allow-Headers
	}{
		{"apollo client awareness and request id", anyOrigin,
			preflight("https://app.example.com", "apollographql-client-name, apollographql-client-version, authorization, content-type, x-request-id"),
			"*", "apollographql-client-name, apollographql-client-version, authorization, content-type, x-request-id"},
		{"any header a client asks for", anyOrigin, preflight("http://localhost:3000", "idempotency-key,x-custom-thing"), "*", "idempotency-key,x-custom-thing"},
		{"not a header list: the headers this API reads", anyOrigin, preflight("http://localhost:3000", "a\x01b"), "*",
			"Authorization, Content-Type, Accept, Idempotency-Key, X-Request-Id, apollographql-client-name, apollographql-client-version"},
		{"listed origin is reflected", listed, preflight("https://admin.example.com", "authorization"), "https://admin.example.com", "authorization"},
		{"other origin gets nothing", listed, preflight("https://evil.example", "authorization"), "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := surfaceServe(tc.h, protocolRequest(http.MethodOptions, "/graphql", "", "", tc.header))
			if rec.Code != http.StatusNoContent {
				t.Fatalf("status %d, want 204", rec.Code)
			}
			h := rec.Header()
			if got := h.Get("Access-Control-Allow-Origin"); got != tc.wantOrigin {
				t.Errorf("Allow-Origin %q, want %q", got, tc.wantOrigin)
			}
			if got := h.Get("Access-Control-Allow-Headers"); got != tc.wantHeaders {
				t.Errorf("Allow-Headers %q, want %q", got, tc.wantHeaders)
			}
			if tc.wantOrigin != "" && !strings.Contains(h.Get("Access-Control-Allow-Methods"), "POST") {
				t.Errorf("Allow-Methods %q", h.Get("Access-Control-Allow-Methods"))
			}
			if h.Get("Access-Control-Allow-Credentials") != "" {
				t.Errorf("credentials allowed: keys never travel in cookies")
			}
		})
	}

	t.Run("exposed headers on an answer", func(t *testing.T) {
		rec := surfaceServe(anyOrigin, protocolRequest(http.MethodPost, "/graphql", "", `{"query":"{ viewer { workspace { id } } }"}`, map[string]string{"Origin": "https://x.example"}))
		exposed := strings.ToLower(rec.Header().Get("Access-Control-Expose-Headers"))
		for _, h := range []string{"x-ratelimit-remaining", "ratelimit", "retry-after", "www-authenticate", "x-request-id"} {
			if !strings.Contains(exposed, h) {
				t.Errorf("Access-Control-Expose-Headers %q lacks %s", exposed, h)
			}
		}
		if rec.Code != http.StatusUnauthorized || rec.Header().Get("Access-Control-Allow-Origin") != "*" {
			t.Errorf("401 answer: status %d, Allow-Origin %q", rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
		}
	})
	t.Run("listed origin on an answer varies by Origin", func(t *testing.T) {
		rec := surfaceServe(listed, protocolRequest(http.MethodGet, "/schema.graphql", "", "", map[string]string{"Origin": "https://app.example.com"}))
		if rec.Header().Get("Access-Control-Allow-Origin") != "https://app.example.com" || !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Origin") {
			t.Errorf("Allow-Origin %q, Vary %q", rec.Header().Get("Access-Control-Allow-Origin"), rec.Header().Values("Vary"))
		}
	})
}

func TestGzip(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")
	for i := 0; i < 30; i++ {
		env.Query(t, key, `mutation($e: String!) { createContact(input: {email: $e, firstName: "Somebody With", lastName: "A Long Name"}) { id } }`,
			map[string]any{"e": "p" + string(rune('a'+i%26)) + string(rune('a'+i/26)) + "@example.com"}).MustData(t)
	}
	big := `{"query":"{ contacts(first: 30) { nodes { id email fullName createdAt } } }"}`
	small := `{"query":"{ viewer { workspace { id } } }"}`
	cases := []struct {
		name, body, acceptEncoding string
		wantGzip                   bool
	}{
		{"large response, gzip accepted", big, "gzip, deflate, br", true},
		{"large response, gzip with quality", big, "br;q=1.0, gzip;q=0.8", true},
		{"large response, gzip refused", big, "gzip;q=0, br", false},
		{"large response, no Accept-Encoding", big, "", false},
		{"small response", small, "gzip", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := surfaceServe(env.Handler, protocolRequest(http.MethodPost, "/graphql", key, tc.body, map[string]string{"Accept-Encoding": tc.acceptEncoding}))
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			body := rec.Body.Bytes()
			gotGzip := rec.Header().Get("Content-Encoding") == "gzip"
			if gotGzip != tc.wantGzip {
				t.Fatalf("Content-Encoding %q, want gzip=%v (%d bytes)", rec.Header().Get("Content-Encoding"), tc.wantGzip, len(body))
			}
			if gotGzip {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
				if len(body) <= 1024 || rec.Body.Len() >= len(body) {
					t.Errorf("compressed %d bytes into %d", len(body), rec.Body.Len())
				}
			} else if tc.body == big && len(body) <= 1024 {
				t.Fatalf("the large response is only %d bytes: the case tests nothing", len(body))
			}
			var doc struct {
				Data   map[string]any
				Errors []any
			}
			if err := json.Unmarshal(body, &doc); err != nil || doc.Data == nil || doc.Errors != nil {
				t.Fatalf("body is not a GraphQL answer (%v): %.200s", err, body)
			}
			if !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Accept-Encoding") {
				t.Errorf("Vary %q lacks Accept-Encoding", rec.Header().Values("Vary"))
			}
		})
	}
	t.Run("schema.graphql", func(t *testing.T) {
		rec := surfaceServe(env.Handler, protocolRequest(http.MethodGet, "/playground/vendor/graphiql.min.js", "", "", map[string]string{"Accept-Encoding": "gzip"}))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Encoding") != "gzip" || rec.Header().Get("Content-Length") != "" {
			t.Errorf("status %d, Content-Encoding %q, Content-Length %q", rec.Code, rec.Header().Get("Content-Encoding"), rec.Header().Get("Content-Length"))
		}
	})
}

func TestSchemaETag(t *testing.T) {
	env := testenv.New(t)
	first := surfaceServe(env.Handler, protocolRequest(http.MethodGet, "/schema.graphql", "", "", nil))
	etag := first.Header().Get("ETag")
	if first.Code != http.StatusOK || !strings.HasPrefix(etag, `"`) {
		t.Fatalf("status %d, ETag %q", first.Code, etag)
	}
	cases := []struct {
		ifNoneMatch string
		want        int
	}{
		{etag, http.StatusNotModified},
		{"W/" + etag, http.StatusNotModified},
		{`"other", ` + etag, http.StatusNotModified},
		{`"other"`, http.StatusOK},
		{"", http.StatusOK},
	}
	for _, tc := range cases {
		rec := surfaceServe(env.Handler, protocolRequest(http.MethodGet, "/schema.graphql", "", "", map[string]string{"If-None-Match": tc.ifNoneMatch}))
		if rec.Code != tc.want {
			t.Errorf("If-None-Match %q: status %d, want %d", tc.ifNoneMatch, rec.Code, tc.want)
		}
		if tc.want == http.StatusNotModified && rec.Body.Len() != 0 {
			t.Errorf("304 with a body")
		}
		if rec.Header().Get("ETag") != etag {
			t.Errorf("ETag %q, want %q", rec.Header().Get("ETag"), etag)
		}
	}
}

func TestCacheHeaders(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")
	for _, tc := range []struct {
		name string
		key  string
	}{{"authenticated 200", key}, {"bad key 401", "wbk_nope"}} {
		t.Run(tc.name, func(t *testing.T) {
			rec := surfaceServe(env.Handler, protocolRequest(http.MethodPost, "/graphql", tc.key, `{"query":"{ viewer { workspace { id } } }"}`, nil))
			if got := rec.Header().Get("Cache-Control"); got != "private, no-store" {
				t.Errorf("Cache-Control %q (status %d)", got, rec.Code)
			}
			if !strings.Contains(strings.Join(rec.Header().Values("Vary"), ","), "Authorization") {
				t.Errorf("Vary %q lacks Authorization", rec.Header().Values("Vary"))
			}
		})
	}
	t.Run("the SDL is public", func(t *testing.T) {
		rec := surfaceServe(env.Handler, protocolRequest(http.MethodGet, "/schema.graphql", "", "", nil))
		if strings.Contains(rec.Header().Get("Cache-Control"), "private") {
			t.Errorf("Cache-Control %q", rec.Header().Get("Cache-Control"))
		}
	})
	t.Run("favicon", func(t *testing.T) {
		rec := surfaceServe(env.Handler, protocolRequest(http.MethodGet, "/favicon.ico", "", "", nil))
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "image/") {
			t.Errorf("status %d, Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
		}
	})
}

// logBuffer collects JSON log lines.
type logBuffer struct{ bytes.Buffer }

func (b *logBuffer) lines(t *testing.T) []map[string]any {
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", sc.Bytes())
		}
		out = append(out, m)
	}
	return out
}

func TestRequestID(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")
	var logs logBuffer
	h := app.New(app.Config{Store: env.Store, SDL: "type Query { a: Int }",
		Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}).Handler

	cases := []struct {
		name, key, body, sent string
		keepsSent             bool
		wantCode              string // extensions.code of the first error; "" for none
	}{
		{"client's id is kept", key, `{"query":"{ viewer { workspace { id } } }"}`, "req-1234.abc:9_Z", true, ""},
		{"an unsafe id is replaced", key, `{"query":"{ viewer { workspace { id } } }"}`, "bad id\twith spaces", false, ""},
		{"no id: a new one", key, `{"query":"{ viewer { workspace { id } } }"}`, "", false, ""},
		{"on a 401", "", `{"query":"{ viewer { workspace { id } } }"}`, "trace-401", true, "UNAUTHENTICATED"},
		{"on a validation error", key, `{"query":"{ nope }"}`, "trace-validation", true, "GRAPHQL_VALIDATION_FAILED"},
		{"on a field error", key, `{"query":"mutation { createContact(input: {email: \"not an email\"}) { id } }"}`, "trace-field", true, "BAD_USER_INPUT"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logs.Reset()
			hdr := map[string]string{}
			if tc.sent != "" {
				hdr[httpapi.RequestIDHeader] = tc.sent
			}
			rec := surfaceServe(h, protocolRequest(http.MethodPost, "/graphql", tc.key, tc.body, hdr))
			id := rec.Header().Get(httpapi.RequestIDHeader)
			if tc.keepsSent && id != tc.sent || !tc.keepsSent && (id == "" || id == tc.sent) {
				t.Fatalf("X-Request-Id %q (sent %q)", id, tc.sent)
			}
			var doc struct {
				Errors []struct {
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("%v: %s", err, rec.Body)
			}
			if tc.wantCode != "" {
				if len(doc.Errors) == 0 || doc.Errors[0].Extensions["code"] != tc.wantCode {
					t.Fatalf("want %s: %s", tc.wantCode, rec.Body)
				}
			}
			for _, e := range doc.Errors {
				if e.Extensions["requestId"] != id {
					t.Errorf("error without extensions.requestId %q: %s", id, rec.Body)
				}
			}
			found := false
			for _, l := range logs.lines(t) {
				if l["msg"] == "request" {
					found = true
					if l["request_id"] != id {
						t.Errorf("log line request_id %v, want %q", l["request_id"], id)
					}
				}
			}
			if !found {
				t.Errorf("no request log line: %s", logs.String())
			}
			if strings.Contains(logs.String(), key) {
				t.Errorf("the key was logged")
			}
		})
	}
	t.Run("every route", func(t *testing.T) {
		for _, p := range []string{"/", "/healthz", "/schema.graphql", "/nope", "/favicon.ico"} {
			rec := surfaceServe(h, protocolRequest(http.MethodGet, p, "", "", nil))
			if rec.Header().Get(httpapi.RequestIDHeader) == "" {
				t.Errorf("%s: no X-Request-Id", p)
			}
		}
	})
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestAutomaticPersistedQueries(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")
	query := `{ viewer { workspace { name } } }`
	hash := sha256Hex(query)
	ext := func(h string) string {
		return `"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + h + `"}}`
	}
	post := func(t *testing.T, body string) *testenv.Response {
		return env.Do(t, protocolRequest(http.MethodPost, "/graphql", key, body, nil))
	}
	get := func(t *testing.T, h string) *testenv.Response {
		q := url.Values{"extensions": {`{"persistedQuery":{"version":1,"sha256Hash":"` + h + `"}}`}}
		return env.Do(t, protocolRequest(http.MethodGet, "/graphql?"+q.Encode(), key, "", nil))
	}
	wantName := func(t *testing.T, r *testenv.Response) {
		t.Helper()
		type workspace struct{ Name string }
		if got := testenv.Decode[struct{ Viewer struct{ Workspace workspace } }](t, r).Viewer.Workspace.Name; got != "Acme" {
			t.Fatalf("name %q: %s", got, r.Raw)
		}
	}

	// The order matters: a miss, then the registration, then hits by POST and by GET.
	r := post(t, `{`+ext(hash)+`}`)
	if r.Status != http.StatusOK || r.Code() != "PERSISTED_QUERY_NOT_FOUND" || r.Data != nil {
		t.Fatalf("unknown hash: status %d: %s", r.Status, r.Raw)
	}
	r = get(t, hash)
	if r.Status != http.StatusOK || r.Code() != "PERSISTED_QUERY_NOT_FOUND" {
		t.Fatalf("unknown hash by GET: status %d: %s", r.Status, r.Raw)
	}
	q, _ := json.Marshal(query)
	wantName(t, post(t, `{"query":`+string(q)+`,`+ext(hash)+`}`))
	wantName(t, post(t, `{`+ext(hash)+`}`))
	wantName(t, get(t, hash))

	for _, tc := range []struct{ name, body string }{
		{"hash of another text", `{"query":` + string(q) + `,` + ext(sha256Hex("{ x }")) + `}`},
		{"unsupported version", `{"query":` + string(q) + `,"extensions":{"persistedQuery":{"version":2,"sha256Hash":"` + hash + `"}}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := post(t, tc.body)
			if r.Status != http.StatusBadRequest || r.Code() != "BAD_REQUEST" {
				t.Fatalf("status %d: %s", r.Status, r.Raw)
			}
		})
	}
}

// sseEvent is one server-sent event.
type sseEvent struct{ event, data string }

// readSSE reads events from a text/event-stream body until stop returns true.
func readSSE(t *testing.T, body io.Reader, stop func(sseEvent) bool) []sseEvent {
	t.Helper()
	var out []sseEvent
	var cur sseEvent
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if cur.event != "" || cur.data != "" {
				out = append(out, cur)
				if stop(cur) {
					return out
				}
			}
			cur = sseEvent{}
		case strings.HasPrefix(line, "event:"):
			cur.event = strings.TrimSpace(strings.TrimPrefix(line, "event:"))
		case strings.HasPrefix(line, "data:"):
			cur.data += strings.TrimSpace(strings.TrimPrefix(line, "data:"))
		}
	}
	t.Fatalf("stream ended (%v) after %v", sc.Err(), out)
	return nil
}

func sseSubscribe(t *testing.T, ctx context.Context, srv *httptest.Server, key string) *http.Response {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": taskUpdatedSub})
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	req.Header.Set("Accept-Encoding", "gzip") // a stream is never compressed anyway
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

func TestSSESubscription(t *testing.T) {
	env := testenv.New(t)
	srv := httptest.NewServer(env.Handler)
	defer srv.Close()
	key, _ := lexiTenant(t, env, "Alpha")
	ws := workspaceOf(t, srv, key)

	t.Run("receives a Lexi task event", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), wsWait)
		defer cancel()
		resp := sseSubscribe(t, ctx, srv, key)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") || resp.Header.Get("Content-Encoding") != "" {
			t.Fatalf("status %d, Content-Type %q, Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"))
		}
		if err := env.Events.WaitSubscribers(ctx, ws, 1); err != nil {
			t.Fatalf("subscription not in place: %v", err)
		}
		id := proposeOverHTTP(t, srv, key, "Hot")
		events := readSSE(t, resp.Body, func(e sseEvent) bool { return e.event == "next" })
		var payload struct {
			Data struct {
				LexiTaskUpdated map[string]any `json:"lexiTaskUpdated"`
			} `json:"data"`
		}
		last := events[len(events)-1]
		if err := json.Unmarshal([]byte(last.data), &payload); err != nil {
			t.Fatalf("%v: %s", err, last.data)
		}
		if task := payload.Data.LexiTaskUpdated; task["id"] != id || task["status"] != "PENDING" {
			t.Fatalf("event %s, want task %s PENDING", last.data, id)
		}
	})

	t.Run("outlives the request deadline", func(t *testing.T) {
		// A server whose requests end after 200 ms: the stream must not.
		short := app.New(app.Config{Store: env.Store, Log: testenv.QuietLogger(), RequestTimeout: 200 * time.Millisecond})
		shortSrv := httptest.NewServer(short.Handler)
		defer shortSrv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), wsWait)
		defer cancel()
		resp := sseSubscribe(t, ctx, shortSrv, key)
		if err := short.Events.WaitSubscribers(ctx, ws, 1); err != nil {
			t.Fatalf("subscription not in place: %v", err)
		}
		time.Sleep(400 * time.Millisecond) // past the deadline: not a timed assertion, a precondition
		// The task is proposed through the other server (no 200 ms limit on the mutation) and
		// announced on the short server's broker, as another instance's change would be.
		id := proposeOverHTTP(t, srv, key, "Late")
		if err := short.Events.Publish(ctx, ws, id); err != nil {
			t.Fatal(err)
		}
		events := readSSE(t, resp.Body, func(e sseEvent) bool { return e.event == "next" || e.event == "complete" })
		if last := events[len(events)-1]; last.event != "next" || !strings.Contains(last.data, id) {
			t.Fatalf("events %v, want the task %s", events, id)
		}
	})

	t.Run("without a key", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), wsWait)
		defer cancel()
		resp := sseSubscribe(t, ctx, srv, "")
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", resp.StatusCode)
		}
	})

	t.Run("without LEXI", func(t *testing.T) {
		ws := env.Workspace(t, "Beta", "ORG")
		readOnly := env.Key(t, ws, "read")
		ctx, cancel := context.WithTimeout(context.Background(), wsWait)
		defer cancel()
		resp := sseSubscribe(t, ctx, srv, readOnly)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusForbidden || strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") ||
			!strings.Contains(string(body), `"FORBIDDEN"`) || !strings.Contains(string(body), `"LEXI"`) {
			t.Fatalf("status %d %s %s, want 403 FORBIDDEN missing LEXI as a GraphQL error body", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	})

	t.Run("an invalid subscription", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), wsWait)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, srv.URL+"/graphql",
			strings.NewReader(`{"query":"subscription { lexiTaskUpdated { nope } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), `"GRAPHQL_VALIDATION_FAILED"`) {
			t.Fatalf("status %d %s, want 400 GRAPHQL_VALIDATION_FAILED", resp.StatusCode, body)
		}
	})
}

// TestEveryRejectionNegotiatesItsMediaType: whatever refuses a request (authentication, the
// permission gate, the limits, the cost check, the body limit, the decoder, the parser, APQ,
// a dependency), the answer has the media type the Accept header negotiated, the GraphQL
// error shape with extensions.code, and the request id.
func TestEveryRejectionNegotiatesItsMediaType(t *testing.T) {
	plans, err := ratelimit.ParsePlans("starter=1/1")
	if err != nil {
		t.Fatal(err)
	}
	env := testenv.New(t, testenv.Options{Plans: plans})
	ws, key := env.Tenant(t, "Acme")
	readOnly := env.Key(t, ws, "read")
	starter := env.Workspace(t, "Small", models.PlanStarter)
	limited := env.Key(t, starter, "read")
	env.Query(t, limited, `{ viewer { workspace { id } } }`, nil).MustData(t) // spends the minute

	down := testenv.New(t)
	_, downKey := down.Tenant(t, "Down")
	_ = down.Store.Close()

	big := `{"query":"{ viewer { workspace { id } } }` + strings.Repeat(" ", httpapi.DefaultMaxBodyBytes) + `"}`
	deep := "{ contacts(first: 100) { nodes { lists(first: 100) { nodes { contacts(first: 100) { nodes { deals(first: 100) { nodes { id } } } } } } } } }"
	deepBody, _ := json.Marshal(map[string]string{"query": deep})
	cases := []struct {
		name       string
		h          http.Handler
		method     string
		key, body  string
		ctype      string
		wantStatus map[string]int // by Accept: "json", "gqlr" (graphql-response+json), "none"
		code       string
	}{
		{"no key", env.Handler, "POST", "", `{"query":"{ viewer { workspace { id } } }"}`, "application/json", all(401), "UNAUTHENTICATED"},
		{"bad key", env.Handler, "POST", "wbk_bad", `{"query":"{ viewer { workspace { id } } }"}`, "application/json", all(401), "UNAUTHENTICATED"},
		{"missing permission", env.Handler, "POST", readOnly, `{"query":"mutation { createList(input: {name: \"L\"}) { id } }"}`, "application/json", all(403), "FORBIDDEN"},
		{"rate limited", env.Handler, "POST", limited, `{"query":"{ viewer { workspace { id } } }"}`, "application/json", all(429), "RATE_LIMITED"},
		{"too complex", env.Handler, "POST", key, string(deepBody), "application/json", all(400), "QUERY_TOO_COMPLEX"},
		{"body too large", env.Handler, "POST", key, big, "application/json", all(413), "REQUEST_TOO_LARGE"},
		{"not JSON", env.Handler, "POST", key, `{"query": }`, "application/json", all(400), "BAD_REQUEST"},
		{"wrong method", env.Handler, "PUT", key, `{"query":"{ viewer { workspace { id } } }"}`, "application/json", all(405), "METHOD_NOT_ALLOWED"},
		{"wrong Content-Type", env.Handler, "POST", key, `{"query":"{ viewer { workspace { id } } }"}`, "text/plain", all(415), "UNSUPPORTED_MEDIA_TYPE"},
		{"parse failure", env.Handler, "POST", key, `{"query":"{ viewer "}`, "application/json", spec(), "GRAPHQL_PARSE_FAILED"},
		{"validation failure", env.Handler, "POST", key, `{"query":"{ nope }"}`, "application/json", spec(), "GRAPHQL_VALIDATION_FAILED"},
		{"unknown persisted query", env.Handler, "POST", key, `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + sha256Hex("x") + `"}}}`, "application/json", all(200), "PERSISTED_QUERY_NOT_FOUND"},
		{"persisted query hash mismatch", env.Handler, "POST", key, `{"query":"{ viewer { workspace { id } } }","extensions":{"persistedQuery":{"version":1,"sha256Hash":"` + sha256Hex("x") + `"}}}`, "application/json", all(400), "BAD_REQUEST"},
		{"database down", down.Handler, "POST", downKey, `{"query":"{ viewer { workspace { id } } }"}`, "application/json", all(503), "SERVICE_UNAVAILABLE"},
	}
	accepts := map[string]string{"json": "application/json", "gqlr": "application/graphql-response+json", "none": ""}
	for _, tc := range cases {
		for name, accept := range accepts {
			t.Run(tc.name+" Accept="+name, func(t *testing.T) {
				req := protocolRequest(tc.method, "/graphql", tc.key, tc.body, map[string]string{"Accept": accept, "Content-Type": tc.ctype})
				rec := surfaceServe(tc.h, req)
				if want := tc.wantStatus[name]; rec.Code != want {
					t.Errorf("status %d, want %d: %.300s", rec.Code, want, rec.Body)
				}
				wantType := "application/json"
				if name == "gqlr" {
					wantType = "application/graphql-response+json"
				}
				if got, _, _ := strings.Cut(rec.Header().Get("Content-Type"), ";"); got != wantType {
					t.Errorf("Content-Type %q, want %q", rec.Header().Get("Content-Type"), wantType)
				}
				var doc struct {
					Errors []struct {
						Message    string         `json:"message"`
						Extensions map[string]any `json:"extensions"`
					} `json:"errors"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil || len(doc.Errors) == 0 {
					t.Fatalf("not the GraphQL error shape (%v): %.300s", err, rec.Body)
				}
				e := doc.Errors[0]
				if e.Extensions["code"] != tc.code || e.Message == "" {
					t.Errorf("extensions.code %v, want %s: %.300s", e.Extensions["code"], tc.code, rec.Body)
				}
				if id := rec.Header().Get(httpapi.RequestIDHeader); id == "" || e.Extensions["requestId"] != id {
					t.Errorf("extensions.requestId %v, X-Request-Id %q", e.Extensions["requestId"], id)
				}
			})
		}
	}
}

func all(status int) map[string]int {
	return map[string]int{"json": status, "gqlr": status, "none": status}
}

// spec: the GraphQL-over-HTTP statuses of a request error.
func spec() map[string]int { return map[string]int{"json": 200, "gqlr": 400, "none": 200} }
