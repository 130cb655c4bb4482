package rest_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/testenv"
)

// edge is one answer of /v1 decoded loosely: the tests of this file send what a client
// should not, so the answers are checked for their status, code, field and message only.
type edge struct {
	status int
	header http.Header
	raw    string
	err    struct {
		Code    string  `json:"code"`
		Message string  `json:"message"`
		Field   *string `json:"field"`
	}
}

func (e edge) field() string {
	if e.err.Field == nil {
		return ""
	}
	return *e.err.Field
}

// send sends body as it is, with the headers given (Content-Type: application/json unless one
// is given), and decodes the answer.
func send(t *testing.T, env *testenv.Env, key, method, target string, body []byte, header ...string) edge {
	t.Helper()
	var req *http.Request
	if body == nil {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, bytes.NewReader(body))
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	env.Handler.ServeHTTP(rec, req)
	out := edge{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	var doc struct {
		Error json.RawMessage `json:"error"`
	}
	if rec.Body.Len() == 0 {
		return out
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("%s %s: answer is not JSON (%d): %.300s", method, target, rec.Code, rec.Body)
	}
	if len(doc.Error) > 0 {
		_ = json.Unmarshal(doc.Error, &out.err)
	}
	return out
}

func contactTotal(t *testing.T, env *testenv.Env, key string) int {
	t.Helper()
	r := env.Query(t, key, `{ contacts { totalCount } }`, nil)
	return int(r.MustData(t)["contacts"].(map[string]any)["totalCount"].(float64))
}

// TestRESTRefusesAsGraphQLDoes: a body over the limit is 413 and a body that is not JSON 415,
// the statuses /graphql gives, and nothing is created.
func TestRESTRefusesAsGraphQLDoes(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")
	big := []byte(`{"email":"big@example.com","first_name":"` + strings.Repeat("a", 2<<20) + `"}`)
	cases := []struct {
		name, method, path string
		body               []byte
		header             []string
		status             int
		code               string
	}{
		{"body over the limit", "POST", "/v1/contacts", big, nil, 413, "REQUEST_TOO_LARGE"},
		{"text/plain", "POST", "/v1/contacts", []byte(`{"email":"p@example.com"}`), []string{"Content-Type", "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"form encoded", "POST", "/v1/contacts", []byte(`email=f@example.com`), []string{"Content-Type", "application/x-www-form-urlencoded"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"no content type", "POST", "/v1/contacts", []byte(`{"email":"n@example.com"}`), []string{"Content-Type", ""}, 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"PATCH as text/plain", "PATCH", "/v1/contacts/ctc_x", []byte(`{"title":"x"}`), []string{"Content-Type", "text/plain"}, 415, "UNSUPPORTED_MEDIA_TYPE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := send(t, env, key, c.method, c.path, c.body, c.header...)
			if r.status != c.status || r.err.Code != c.code {
				t.Errorf("%d %s, want %d %s: %.300s", r.status, r.err.Code, c.status, c.code, r.raw)
			}
		})
	}
	if n := contactTotal(t, env, key); n != 0 {
		t.Errorf("%d contacts created by refused requests", n)
	}
	// The one bodiless route stays allowed without a body or a JSON type.
	r := send(t, env, key, "POST", "/v1/lexi/tasks/ltk_01J0000000000000000000000/approve", nil, "Content-Type", "")
	if r.status == 415 {
		t.Errorf("bodiless approve refused: %d %s", r.status, r.raw)
	}
	// The same limit on /graphql answers the same status.
	req := httptest.NewRequest("POST", "/graphql", bytes.NewReader(big))
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Authorization", "Bearer "+key)
	rec := httptest.NewRecorder()
	env.Handler.ServeHTTP(rec, req)
	if rec.Code != 415 {
		t.Errorf("/graphql text/plain: %d", rec.Code)
	}
}

// TestRESTEncodedSlashIsPartOfTheSegment: "%2F" in an id is a character of the id, never a
// separator that reaches another route.
func TestRESTEncodedSlashIsPartOfTheSegment(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")
	list := send(t, env, key, "POST", "/v1/lists", []byte(`{"name":"VIP"}`))
	contact := send(t, env, key, "POST", "/v1/contacts", []byte(`{"email":"ada@example.com"}`))
	var l, c struct{ Data struct{ ID string } }
	_ = json.Unmarshal([]byte(list.raw), &l)
	_ = json.Unmarshal([]byte(contact.raw), &c)
	if l.Data.ID == "" || c.Data.ID == "" {
		t.Fatalf("setup: %s %s", list.raw, contact.raw)
	}
	for _, target := range []string{"/v1/lists/" + l.Data.ID + "%2Fcontacts", "/v1/lists/" + l.Data.ID + "%2fcontacts"} {
		r := send(t, env, key, "POST", target, []byte(`{"contact_ids":["`+c.Data.ID+`"]}`))
		if r.status != 404 || r.err.Code != "NOT_FOUND" {
			t.Errorf("POST %s: %d %s, want 404 NOT_FOUND", target, r.status, r.raw)
		}
	}
	r := env.Query(t, key, `query($id: ID!) { list(id: $id) { contactCount } }`, map[string]any{"id": l.Data.ID})
	if n := r.MustData(t)["list"].(map[string]any)["contactCount"]; n != float64(0) {
		t.Errorf("the list changed: %v members", n)
	}
	if r := send(t, env, key, "GET", "/v1/contacts/"+c.Data.ID+"%2F", nil); r.status != 404 {
		t.Errorf("GET id%%2F: %d %s", r.status, r.raw)
	}
}

// TestRESTInvalidUTF8IsRefused: text that is not UTF-8, or holds NUL, in a body, a query
// parameter or a path id is 400 BAD_USER_INPUT naming the field, and nothing is stored.
func TestRESTInvalidUTF8IsRefused(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")
	cases := []struct {
		name, method, target string
		body                 string
		field                string
	}{
		{"body bytes", "POST", "/v1/contacts", `{"email":"a@example.com","first_name":"a` + "\xff\xfe" + `b"}`, "first_name"},
		{"body lone surrogate", "POST", "/v1/contacts", `{"email":"b@example.com","first_name":"a\ud800b"}`, "first_name"},
		{"body NUL", "POST", "/v1/contacts", `{"email":"c@example.com","last_name":"a\u0000b"}`, "last_name"},
		{"body in a list", "POST", "/v1/contacts", `{"email":"d@example.com","tags":["ok","` + "\xc3" + `"]}`, "tags"},
		{"query parameter", "GET", "/v1/contacts?search=%FF%FEx", "", "search"},
		{"query parameter NUL", "GET", "/v1/lists?search=a%00b", "", "search"},
		{"path id", "GET", "/v1/contacts/ctc_%FF", "", "id"},
		{"path id of a PATCH", "PATCH", "/v1/deals/dl_%C3", `{"title":"x"}`, "id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body []byte
			if c.body != "" {
				body = []byte(c.body)
			}
			r := send(t, env, key, c.method, c.target, body)
			if r.status != 400 || r.err.Code != "BAD_USER_INPUT" || r.field() != c.field {
				t.Errorf("%d %s field %q, want 400 BAD_USER_INPUT field %q: %s", r.status, r.err.Code, r.field(), c.field, r.raw)
			}
		})
	}
	if n := contactTotal(t, env, key); n != 0 {
		t.Errorf("%d contacts stored from bad text", n)
	}
}

// TestRESTMessagesEchoAtMost64Characters: no answer repeats more than 64 characters of what
// the client sent, however long it was.
func TestRESTMessagesEchoAtMost64Characters(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")
	long := strings.Repeat("x", 100<<10)
	spaced := strings.Repeat("y ", 50<<10)
	cases := []struct {
		name, method, target, body string
	}{
		{"path id", "PATCH", "/v1/deals/" + long, `{"title":"x"}`},
		{"enum parameter", "GET", "/v1/campaigns?status=" + long, ""},
		{"enum parameter with spaces", "GET", "/v1/campaigns?status=" + strings.ReplaceAll(spaced, " ", "+"), ""},
		{"unknown path", "GET", "/v1/" + long, ""},
		{"enum in the body", "POST", "/v1/deals", `{"title":"t","stage":"` + spaced + `"}`},
		{"unknown field in the body", "POST", "/v1/contacts", `{"email":"e@example.com","` + long + `":1}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body []byte
			if c.body != "" {
				body = []byte(c.body)
			}
			r := send(t, env, key, c.method, c.target, body)
			if r.status < 400 {
				t.Fatalf("status %d: %.200s", r.status, r.raw)
			}
			if len(r.raw) > 1024 || strings.Contains(r.raw, strings.Repeat("x", 65)) || strings.Contains(r.raw, strings.Repeat("y ", 33)) {
				t.Errorf("%d-byte answer echoes the input: %.300s", len(r.raw), r.raw)
			}
		})
	}
}

// TestRESTTypeErrorsInAPIWords: a value of the wrong JSON type is named in the API's words.
func TestRESTTypeErrorsInAPIWords(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")
	cases := []struct {
		body, field, message string
	}{
		{`{"email":{"a":1}}`, "email", "email must be a string"},
		{`{"email":["x"]}`, "email", "email must be a string"},
		{`{"email":true}`, "email", "email must be a string"},
		{`{"email":"a@example.com","first_name":{}}`, "first_name", ""},
	}
	for _, c := range cases {
		r := send(t, env, key, "POST", "/v1/contacts", []byte(c.body))
		if r.status != 400 || r.err.Code != "BAD_USER_INPUT" || r.field() != c.field {
			t.Errorf("%s: %d %s field %q, want 400 BAD_USER_INPUT field %s: %s", c.body, r.status, r.err.Code, r.field(), c.field, r.raw)
		}
		if c.message != "" && r.err.Message != c.message {
			t.Errorf("%s: message %q, want %q", c.body, r.err.Message, c.message)
		}
		for _, goWord := range []string{"map", "slice", "bool", "cannot use"} {
			if strings.Contains(r.err.Message, goWord) {
				t.Errorf("%s: message in Go's words: %q", c.body, r.err.Message)
			}
		}
	}
}

// TestRESTPreflightAllowsEachRoutesMethods: a browser may PATCH and DELETE on /v1, with an
// Idempotency-Key.
func TestRESTPreflightAllowsEachRoutesMethods(t *testing.T) {
	env := testenv.New(t)
	cases := []struct {
		path, method string
		want         []string
	}{
		{"/v1/contacts/ctc_x", "PATCH", []string{"GET", "PATCH", "DELETE", "OPTIONS"}},
		{"/v1/lists/lst_x", "DELETE", []string{"GET", "PATCH", "DELETE"}},
		{"/v1/contacts", "POST", []string{"GET", "POST"}},
		{"/graphql", "POST", []string{"GET", "POST"}},
	}
	for _, c := range cases {
		for _, asked := range []string{"", "content-type, idempotency-key, authorization"} {
			r := send(t, env, "", "OPTIONS", c.path, nil, "Origin", "https://app.example", "Access-Control-Request-Method", c.method,
				"Access-Control-Request-Headers", asked)
			methods := r.header.Get("Access-Control-Allow-Methods")
			for _, m := range c.want {
				if !strings.Contains(methods, m) {
					t.Errorf("preflight %s %s: Allow-Methods %q lacks %s", c.method, c.path, methods, m)
				}
			}
			if h := strings.ToLower(r.header.Get("Access-Control-Allow-Headers")); !strings.Contains(h, "idempotency-key") || !strings.Contains(h, "authorization") {
				t.Errorf("preflight %s %s asking %q: Allow-Headers %q", c.method, c.path, asked, h)
			}
		}
	}
}
