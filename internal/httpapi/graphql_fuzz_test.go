package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wbk/crm/internal/testenv"
)

// documentedCodes are the extensions.code values of docs/errors.md.
var documentedCodes = map[string]bool{"UNAUTHENTICATED": true, "FORBIDDEN": true, "RATE_LIMITED": true,
	"QUERY_TOO_COMPLEX": true, "REQUEST_TOO_LARGE": true, "BAD_REQUEST": true, "METHOD_NOT_ALLOWED": true,
	"UNSUPPORTED_MEDIA_TYPE": true, "NOT_ACCEPTABLE": true, "GRAPHQL_PARSE_FAILED": true, "GRAPHQL_VALIDATION_FAILED": true,
	"BAD_USER_INPUT": true, "NOT_FOUND": true, "CONFLICT": true, "PERSISTED_QUERY_NOT_FOUND": true,
	"IDEMPOTENCY_KEY_REUSED": true}

// FuzzGraphQLRequest: whatever document, variables and operationName a client sends, by POST
// or GET, the answer has a documented status and documented codes, never a 5xx or
// INTERNAL_SERVER_ERROR, and no error message quotes more than 64 characters of the request.
func FuzzGraphQLRequest(f *testing.F) {
	env := testenv.New(f)
	_, key := env.Tenant(f, "Fuzz")
	for _, s := range []struct{ q, v, op string }{
		{`{ contacts(first: 5) { nodes { id fullName } } }`, `{}`, ""},
		{`mutation($n: String) { createContact(input: {email: "f@example.com", firstName: $n}) { id } }`, `{"n":"Zoë"}`, ""},
		{`query A($s: CampaignStatus) { campaigns(filter: {status: $s}) { totalCount } }`, `{"s":"NOPE"}`, "A"},
		{`{ contacts(after: "e30") { totalCount } }`, `null`, ""},
		{`{ node(id: "ctc_01JD3V6Q4Q7W8ZJ5X9N2K4M6PR") { id } }`, `{"x":{"y":[1,2]}}`, "B"},
		{`subscription { lexiTaskUpdated { id } }`, `{}`, ""},
		{"{ contacts(filter: {search: \"\xff\"}) { totalCount } }", `{}`, ""},
		{`{ __schema { types { name } } }`, `{}`, ""},
	} {
		f.Add(s.q, s.v, s.op, false)
		f.Add(s.q, s.v, s.op, true)
	}
	f.Fuzz(func(t *testing.T, query, variables, operationName string, get bool) {
		var req *http.Request
		if get {
			v := url.Values{"query": {query}, "variables": {variables}, "operationName": {operationName}}
			req = httptest.NewRequest(http.MethodGet, "/graphql?"+v.Encode(), nil)
		} else {
			var vars json.RawMessage
			if json.Valid([]byte(variables)) {
				vars = json.RawMessage(variables)
			} else {
				vars, _ = json.Marshal(variables)
			}
			q, _ := json.Marshal(query)
			op, _ := json.Marshal(operationName)
			body := `{"query":` + string(q) + `,"variables":` + string(vars) + `,"operationName":` + string(op) + `}`
			req = httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader([]byte(body)))
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		env.Handler.ServeHTTP(rec, req)
		switch rec.Code {
		case 200, 400, 403, 405, 406, 413, 429:
		default:
			t.Fatalf("status %d: %.500s", rec.Code, rec.Body)
		}
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream") {
			return
		}
		var doc struct {
			Errors []struct {
				Message    string         `json:"message"`
				Extensions map[string]any `json:"extensions"`
			} `json:"errors"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
			t.Fatalf("status %d, not JSON: %.300s", rec.Code, rec.Body)
		}
		for _, e := range doc.Errors {
			code, _ := e.Extensions["code"].(string)
			if !documentedCodes[code] {
				t.Fatalf("undocumented code %q: %.500s", code, rec.Body)
			}
			for _, in := range []string{query, variables, operationName} {
				if quotes65(e.Message, in) {
					t.Fatalf("message quotes more than 64 characters of %.80q: %.300q", in, e.Message)
				}
			}
		}
	})
}

// quotes65 reports whether msg holds 65 consecutive characters of in.
func quotes65(msg, in string) bool {
	if len(in) < 65 || !utf8.ValidString(in) {
		return false
	}
	runes := []rune(in)
	for i := 0; i+65 <= len(runes); i++ {
		if strings.Contains(msg, string(runes[i:i+65])) {
			return true
		}
	}
	return false
}
