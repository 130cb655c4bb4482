package httpapi_test

import (
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// urqlAccept is what urql (and other graphql-sse-aware clients) send on every request.
const urqlAccept = "application/graphql-response+json, application/json, text/event-stream"

// TestEveryRequestGetsACodedAnswer sends every combination of method, Accept and
// Content-Type, for a query and a subscription, through the handler: each answer is either a
// GraphQL result or event stream, or a coded error in the negotiated JSON type, never a
// plain-text fallback.
func TestEveryRequestGetsACodedAnswer(t *testing.T) {
	env := testenv.New(t)
	ws := env.Workspace(t, "Negotiation", models.PlanOrg)
	// Without LEXI: a subscription chosen for a stream is refused by the permission gate
	// (403) instead of waiting for events.
	key := env.Key(t, ws, "read", "write")
	methods := []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete, http.MethodPatch}
	accepts := []string{"", "*/*", urqlAccept, "application/json", "application/graphql-response+json",
		"text/event-stream", "application/json;q=0.5, text/event-stream", "text/event-stream;q=0.5, application/json",
		"text/plain", "multipart/mixed", "text/html,application/xhtml+xml,*/*;q=0.8", "application/json;q=0"}
	contentTypes := []string{"", "application/json", "application/graphql-response+json", "text/plain"}
	docs := map[string]string{"query": `{ viewer { workspace { name } } }`, "subscription": `subscription { lexiTaskUpdated { id } }`}
	for _, method := range methods {
		for _, accept := range accepts {
			for _, ct := range contentTypes {
				for kind, doc := range docs {
					name := fmt.Sprintf("%s/%s/%s/%s", method, accept, ct, kind)
					var req *http.Request
					if method == http.MethodGet {
						req = httptest.NewRequest(method, "/graphql?query="+url.QueryEscape(doc), nil)
					} else {
						req = httptest.NewRequest(method, "/graphql", strings.NewReader(`{"query":`+jsonString(doc)+`}`))
					}
					req.Header.Set("Authorization", "Bearer "+key)
					if accept != "" {
						req.Header.Set("Accept", accept)
					}
					if ct != "" {
						req.Header.Set("Content-Type", ct)
					}
					rec := httptest.NewRecorder()
					env.Handler.ServeHTTP(rec, req)
					checkCodedAnswer(t, name, rec)
				}
			}
		}
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// checkCodedAnswer fails unless rec is an event stream or a JSON GraphQL response whose
// errors, if the status is not 200, carry a code.
func checkCodedAnswer(t *testing.T, name string, rec *httptest.ResponseRecorder) {
	t.Helper()
	mt, _, err := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	if err != nil {
		t.Errorf("%s: status %d with Content-Type %q: %s", name, rec.Code, rec.Header().Get("Content-Type"), rec.Body)
		return
	}
	if strings.Contains(rec.Body.String(), "transport not supported") {
		t.Errorf("%s: reached gqlgen's fallback: %s", name, rec.Body)
	}
	switch mt {
	case "text/event-stream":
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "event: next") {
			t.Errorf("%s: stream %d without an event: %s", name, rec.Code, rec.Body)
		}
	case "application/json", "application/graphql-response+json":
		var doc struct {
			Data   any `json:"data"`
			Errors []struct {
				Extensions struct {
					Code string `json:"code"`
				} `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Errorf("%s: %s body is not JSON: %s", name, mt, rec.Body)
			return
		}
		if rec.Code != http.StatusOK && (len(doc.Errors) == 0 || doc.Errors[0].Extensions.Code == "") {
			t.Errorf("%s: status %d without a coded error: %s", name, rec.Code, rec.Body)
		}
		if doc.Data == nil && len(doc.Errors) == 0 {
			t.Errorf("%s: neither data nor errors: %s", name, rec.Body)
		}
	default:
		t.Errorf("%s: status %d in %s: %s", name, rec.Code, mt, rec.Body)
	}
}

// TestNegotiation pins the choice between JSON and a stream for the requests clients send.
func TestNegotiation(t *testing.T) {
	env := testenv.New(t)
	ws := env.Workspace(t, "Negotiation", models.PlanOrg)
	key := env.Key(t, ws, "read", "write")
	query := `{ viewer { workspace { name } } }`
	cases := []struct {
		name, method, accept string
		header               map[string]string
		doc                  string
		wantStatus           int
		wantType, wantCode   string
	}{
		{"urql GET on its defaults", http.MethodGet, urqlAccept, nil, query, 200, "application/graphql-response+json", ""},
		{"urql POST on its defaults", http.MethodPost, urqlAccept, nil, query, 200, "application/graphql-response+json", ""},
		{"no Accept", http.MethodPost, "", nil, query, 200, "application/json", ""},
		{"wildcard", http.MethodGet, "*/*", nil, query, 200, "application/json", ""},
		{"a browser", http.MethodGet, "text/html,application/xhtml+xml,*/*;q=0.8", nil, query, 200, "application/json", ""},
		{"stream only", http.MethodPost, "text/event-stream", nil, query, 200, "text/event-stream", ""},
		{"stream preferred", http.MethodPost, "application/json;q=0.5, text/event-stream", nil, query, 200, "text/event-stream", ""},
		{"JSON preferred", http.MethodPost, "text/event-stream;q=0.5, application/json", nil, query, 200, "application/json", ""},
		{"equal q: JSON", http.MethodPost, "text/event-stream, application/json", nil, query, 200, "application/json", ""},
		{"stream only on GET", http.MethodGet, "text/event-stream", nil, query, 406, "application/json", "NOT_ACCEPTABLE"},
		{"nothing producible", http.MethodPost, "text/plain", nil, query, 406, "application/json", "NOT_ACCEPTABLE"},
		{"JSON refused", http.MethodPost, "application/json;q=0", nil, query, 406, "application/json", "NOT_ACCEPTABLE"},
		{"subscription over JSON", http.MethodPost, "application/json", nil, `subscription { lexiTaskUpdated { id } }`, 400, "application/json", "BAD_REQUEST"},
		{"subscription by urql streams (gate refuses: no LEXI)", http.MethodPost, urqlAccept, nil, `subscription { lexiTaskUpdated { id } }`, 403, "application/graphql-response+json", "FORBIDDEN"},
		{"h2c upgrade is an ordinary request", http.MethodGet, "application/json", map[string]string{"Upgrade": "h2c", "Connection": "Upgrade, HTTP2-Settings"}, query, 200, "application/json", ""},
		{"websocket handshake by POST", http.MethodPost, "application/json", map[string]string{"Upgrade": "websocket", "Connection": "Upgrade"}, query, 405, "application/json", "METHOD_NOT_ALLOWED"},
		{"websocket handshake without a key", http.MethodGet, "", map[string]string{"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"}, query, 400, "application/json", "BAD_REQUEST"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var req *http.Request
			if c.method == http.MethodGet {
				req = httptest.NewRequest(c.method, "/graphql?query="+url.QueryEscape(c.doc), nil)
			} else {
				req = httptest.NewRequest(c.method, "/graphql", strings.NewReader(`{"query":`+jsonString(c.doc)+`}`))
				req.Header.Set("Content-Type", "application/json")
			}
			req.Header.Set("Authorization", "Bearer "+key)
			if c.accept != "" {
				req.Header.Set("Accept", c.accept)
			}
			for k, v := range c.header {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			env.Handler.ServeHTTP(rec, req)
			mt, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
			if rec.Code != c.wantStatus || mt != c.wantType {
				t.Fatalf("got %d %s, want %d %s: %s", rec.Code, mt, c.wantStatus, c.wantType, rec.Body)
			}
			if mt == "text/event-stream" {
				if !strings.Contains(rec.Body.String(), `"name":"Negotiation"`) || !strings.Contains(rec.Body.String(), "event: complete") {
					t.Fatalf("stream without the result: %s", rec.Body)
				}
				return
			}
			var doc struct {
				Data   map[string]any `json:"data"`
				Errors []struct {
					Extensions map[string]any `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatalf("not JSON: %s", rec.Body)
			}
			code := ""
			if len(doc.Errors) > 0 {
				code, _ = doc.Errors[0].Extensions["code"].(string)
			}
			if code != c.wantCode || (c.wantCode == "" && doc.Data == nil) {
				t.Fatalf("code %q, want %q: %s", code, c.wantCode, rec.Body)
			}
		})
	}
}
