package rest_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// openAPIDoc is the part of the served document the generator-facing checks read.
type openAPIDoc struct {
	Servers []struct{ URL string }  `json:"servers"`
	Tags    []struct{ Name string } `json:"tags"`
	Paths   map[string]map[string]struct {
		OperationID string   `json:"operationId"`
		Tags        []string `json:"tags"`
		Description string   `json:"description"`
		Parameters  []struct {
			Ref    string         `json:"$ref"`
			Name   string         `json:"name"`
			Schema map[string]any `json:"schema"`
		} `json:"parameters"`
		RequestBody *struct {
			Description string `json:"description"`
		} `json:"requestBody"`
		Responses map[string]struct {
			Ref     string         `json:"$ref"`
			Headers map[string]any `json:"headers"`
			Content map[string]struct {
				Schema map[string]any `json:"schema"`
			} `json:"content"`
		} `json:"responses"`
	} `json:"paths"`
	Components struct {
		Schemas    map[string]any `json:"schemas"`
		Parameters map[string]struct {
			Name, In string
		} `json:"parameters"`
		Headers   map[string]any `json:"headers"`
		Responses map[string]struct {
			Headers map[string]any `json:"headers"`
		} `json:"responses"`
	} `json:"components"`
}

func servedOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	env := testenv.New(t)
	rec := httptest.NewRecorder()
	env.Handler.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/v1/openapi.json", nil))
	var d openAPIDoc
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return d
}

// The document gives a client generator what it needs: servers, named schemas, operation ids
// and tags, the Idempotency-Key header on every write, the response headers, the page size's
// range and default, and what a PATCH body means.
func TestOpenAPIIsWhatGeneratorsNeed(t *testing.T) {
	d := servedOpenAPI(t)
	if len(d.Servers) == 0 || d.Servers[0].URL == "" {
		t.Errorf("servers: %+v", d.Servers)
	}
	for _, name := range []string{"Contact", "List", "Campaign", "Deal", "LexiTask", "Prospect", "Usage", "Error",
		"ContactPage", "ListPage", "CampaignPage", "DealPage", "ProspectPage", "LexiTaskPage", "UsageList",
		"CreateContactInput", "UpdateContactInput", "ContactResult", "DeletedResult"} {
		if d.Components.Schemas[name] == nil {
			t.Errorf("components/schemas has no %s", name)
		}
	}
	if p := d.Components.Parameters["IdempotencyKey"]; p.Name != "Idempotency-Key" || p.In != "header" {
		t.Errorf("components/parameters/IdempotencyKey: %+v", p)
	}
	tags := map[string]bool{}
	for _, tag := range d.Tags {
		tags[tag.Name] = true
	}
	ids := map[string]bool{}
	for path, item := range d.Paths {
		for method, op := range item {
			name := strings.ToUpper(method) + " " + path
			if op.OperationID == "" || ids[op.OperationID] {
				t.Errorf("%s: operationId %q missing or repeated", name, op.OperationID)
			}
			ids[op.OperationID] = true
			if len(op.Tags) != 1 || !tags[op.Tags[0]] {
				t.Errorf("%s: tags %v not declared at the top", name, op.Tags)
			}
			idempotent, limit := false, false
			for _, p := range op.Parameters {
				idempotent = idempotent || p.Ref == "#/components/parameters/IdempotencyKey"
				if p.Name == "limit" {
					limit = true
					if p.Schema["minimum"] != 1.0 || p.Schema["maximum"] != 100.0 || p.Schema["default"] != 20.0 {
						t.Errorf("%s: limit schema %v, want minimum 1, maximum 100, default 20", name, p.Schema)
					}
				}
			}
			if writes := method != "get"; idempotent != writes {
				t.Errorf("%s: Idempotency-Key declared %v, want %v", name, idempotent, writes)
			}
			if strings.HasSuffix(name, "s") && method == "get" && !strings.Contains(path, "{id}") && path != "/v1/usage" && !limit {
				t.Errorf("%s: a list without limit", name)
			}
			if method == "patch" && (op.RequestBody == nil || !strings.Contains(op.RequestBody.Description, "null") ||
				!strings.Contains(op.Description, `""`)) {
				t.Errorf("%s: PATCH semantics not stated", name)
			}
			for status, resp := range op.Responses {
				if status[0] == '2' {
					for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "X-RateLimit-Cost", "RateLimit", "RateLimit-Policy", "X-Request-Id"} {
						if resp.Headers[h] == nil {
							t.Errorf("%s %s: no %s header declared", name, status, h)
						}
					}
					if (method != "get") != (resp.Headers["Idempotent-Replayed"] != nil) {
						t.Errorf("%s %s: Idempotent-Replayed declared %v", name, status, resp.Headers["Idempotent-Replayed"] != nil)
					}
					schema := resp.Content["application/json"].Schema
					if ref, _ := schema["$ref"].(string); !strings.HasPrefix(ref, "#/components/schemas/") {
						t.Errorf("%s %s: inline body schema, want a named one", name, status)
					}
				}
			}
			for _, status := range []string{"401", "429"} {
				if op.Responses[status].Ref == "" {
					t.Errorf("%s: no %s response", name, status)
				}
			}
		}
	}
	if h := d.Components.Responses["RateLimited"].Headers; h["Retry-After"] == nil {
		t.Errorf("429 without Retry-After: %v", h)
	}
	if h := d.Components.Responses["Unauthorized"].Headers; h["WWW-Authenticate"] == nil {
		t.Errorf("401 without WWW-Authenticate: %v", h)
	}
}

// REST errors speak REST: parameters by their REST names, and a challenge of this API's realm.
func TestRESTErrorsUseRESTNames(t *testing.T) {
	a := newAPI(t)
	ws := a.env.Workspace(t, "Names", models.PlanOrg)
	key := a.env.Key(t, ws, "read", "write")
	cases := []struct {
		path, field, message string
	}{
		{"/v1/contacts?limit=500", "limit", "?limit must be between 1 and 100"},
		{"/v1/contacts?limit=0", "limit", "?limit must be between 1 and 100"},
		{"/v1/deals?limit=101", "limit", "?limit must be between 1 and 100"},
		{"/v1/usage?days=91", "days", "?days must be between 1 and 90"},
	}
	for _, c := range cases {
		r := a.call(t, key, http.MethodGet, c.path, nil).must(t, http.StatusBadRequest)
		var d struct {
			Error struct{ Code, Field, Message string }
		}
		_ = json.Unmarshal(r.Raw, &d)
		if d.Error.Code != "BAD_USER_INPUT" || d.Error.Field != c.field || d.Error.Message != c.message {
			t.Errorf("%s: %s", c.path, r.Raw)
		}
	}
	r := a.call(t, "", http.MethodGet, "/v1/contacts", nil).must(t, http.StatusUnauthorized)
	if got := r.Header.Get("WWW-Authenticate"); got != `Bearer realm="api"` {
		t.Errorf("WWW-Authenticate %q", got)
	}
}
