package httpapi_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/wbk/crm/internal/app"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// syncBuffer is a log sink for handlers that log from several goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// lines decodes every log line; each must be a JSON object.
func (b *syncBuffer) lines(t *testing.T) []map[string]any {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(b.buf.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %s", l)
		}
		out = append(out, m)
	}
	return out
}

// Every request, REST or GraphQL or neither, is one INFO line naming its route (or path),
// the status sent, duration_ms as a number, the charge, the operation, the key's prefix and
// the request id; and it is counted per route in http_requests_total.
func TestRequestLogAndRouteMetrics(t *testing.T) {
	var logs syncBuffer
	env := testenv.New(t, testenv.Options{Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	ws := env.Workspace(t, "Logged", models.PlanOrg)
	key, record := env.KeyRecord(t, ws, func(*models.ApiKey) {}, "read", "write")

	send := func(method, target, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		env.Handler.ServeHTTP(rec, req)
		return rec
	}
	cases := []struct {
		method, target, body string
		status               int
		route, path, op      string
		charged              bool
	}{
		{"POST", "/v1/contacts", `{"email":"logged@example.com"}`, 201, "/v1/contacts", "", "createContact", true},
		{"GET", "/v1/contacts/ctc_nope", "", 404, "/v1/contacts/{id}", "", "contact", true},
		{"POST", "/graphql", `{"query":"{ contacts(first: 2) { totalCount } }"}`, 200, "/graphql", "", "contacts", true},
		{"GET", "/healthz", "", 200, "/healthz", "", "", false},
		{"GET", "/no/such/path", "", 404, "", "/no/such/path", "", false},
	}
	for _, c := range cases {
		before := len(logs.lines(t))
		rec := send(c.method, c.target, c.body)
		if rec.Code != c.status {
			t.Fatalf("%s %s: %d %s", c.method, c.target, rec.Code, rec.Body)
		}
		var requests []map[string]any
		for _, l := range logs.lines(t)[before:] {
			if l["msg"] == "request" {
				requests = append(requests, l)
			}
		}
		if len(requests) != 1 {
			t.Fatalf("%s %s: %d request lines, want 1: %v", c.method, c.target, len(requests), requests)
		}
		l := requests[0]
		ms, isNumber := l["duration_ms"].(float64)
		if l["level"] != "INFO" || l["method"] != c.method || l["status"] != float64(c.status) || !isNumber || ms < 0 ||
			l["request_id"] != rec.Header().Get("X-Request-Id") || l["operation"] != c.op {
			t.Errorf("%s %s: log line %v", c.method, c.target, l)
		}
		if c.route != "" && (l["route"] != c.route || l["path"] != nil) || c.path != "" && l["path"] != c.path {
			t.Errorf("%s %s: route %v path %v, want %q %q", c.method, c.target, l["route"], l["path"], c.route, c.path)
		}
		if c.charged && (l["key"] != record.Prefix || l["cost"].(float64) < 1) {
			t.Errorf("%s %s: key %v cost %v, want %s and a charge", c.method, c.target, l["key"], l["cost"], record.Prefix)
		}
		if strings.Contains(logs.buf.String(), key) {
			t.Fatal("a log line carries the key")
		}
	}

	metrics := send("GET", "/metrics", "").Body.String()
	for _, want := range []string{
		`http_requests_total{method="POST",route="/v1/contacts",status="201"} 1`,
		`http_requests_total{method="GET",route="/v1/contacts/{id}",status="404"} 1`,
		`http_requests_total{method="POST",route="/graphql",status="200"} 1`,
		`http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`http_request_duration_seconds_count{method="POST",route="/v1/contacts"} 1`,
		`build_info{go_version="go`,
	} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// REQUEST_LOG=off: no line per request; the metrics still count it.
func TestRequestLogOff(t *testing.T) {
	var logs syncBuffer
	h := app.New(app.Config{Store: testenv.OpenStore(t), SDL: "type Query { a: Int }", QuietRequests: true,
		Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}).Handler
	for range 3 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/healthz", nil))
	}
	for _, l := range logs.lines(t) {
		if l["msg"] == "request" {
			t.Fatalf("request logged with the request log off: %v", l)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if !strings.Contains(rec.Body.String(), `http_requests_total{method="GET",route="/healthz",status="200"} 3`) {
		t.Fatalf("metrics did not count the requests")
	}
}
