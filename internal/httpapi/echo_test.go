package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/testenv"
)

// TestMessagesEchoAtMost64Characters: however long a value, name or operationName the
// client sends, no message repeats more than 64 characters of it.
func TestMessagesEchoAtMost64Characters(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Echo")
	long := strings.Repeat("Q", 100<<10)
	spaced := strings.Repeat("W ", 50<<10)
	cases := []struct {
		name string
		body map[string]any
	}{
		{"unknown field", map[string]any{"query": "{ " + long + " }"}},
		{"unknown argument", map[string]any{"query": "{ contacts(" + long + ": 1) { totalCount } }"}},
		{"enum literal", map[string]any{"query": "{ campaigns(filter: {status: " + long + "}) { totalCount } }"}},
		{"string where an enum goes", map[string]any{"query": `{ campaigns(filter: {status: "` + spaced + `"}) { totalCount } }`}},
		{"argument value of the wrong type", map[string]any{"query": `{ contacts(first: "` + spaced + `") { totalCount } }`}},
		{"enum variable", map[string]any{"query": `query($s: CampaignStatus) { campaigns(filter: {status: $s}) { totalCount } }`, "variables": map[string]any{"s": spaced}}},
		{"unknown operationName", map[string]any{"query": "query A { viewer { workspace { id } } }", "operationName": long}},
		{"operationName that is no name", map[string]any{"query": "{ viewer { workspace { id } } }", "operationName": spaced}},
		{"unknown id", map[string]any{"query": `mutation($id: ID!) { deleteContact(id: $id) }`, "variables": map[string]any{"id": "ctc_" + long}}},
		{"unknown fragment", map[string]any{"query": "{ ..." + long + " }"}},
		{"unknown type of a variable", map[string]any{"query": "query($a: " + long + ") { viewer { workspace { id } } }"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			body, _ := json.Marshal(c.body)
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+key)
			r := env.Do(t, req)
			if len(r.Errors) == 0 {
				t.Fatalf("no error: %.300s", r.Raw)
			}
			for _, e := range r.Errors {
				if strings.Contains(e.Message, strings.Repeat("Q", 65)) || strings.Contains(e.Message, strings.Repeat("W ", 33)) || len(e.Message) > 512 {
					t.Errorf("%d-byte message echoes the input: %.300s", len(e.Message), e.Message)
				}
			}
			if len(r.Raw) > 4096 {
				t.Errorf("%d-byte answer: %.300s", len(r.Raw), r.Raw)
			}
		})
	}
}

// TestCoercionErrorsInAPIWords: a variable of the wrong JSON type is BAD_USER_INPUT naming the
// variable's path, in the API's words.
func TestCoercionErrorsInAPIWords(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Words")
	const create = `mutation($in: CreateContactInput!) { createContact(input: $in) { id } }`
	cases := []struct {
		vars           map[string]any
		field, message string
	}{
		{map[string]any{"in": map[string]any{"email": map[string]any{"a": 1}}}, "in.email", "email must be a string"},
		{map[string]any{"in": map[string]any{"email": []any{"x"}}}, "in.email", "email must be a string"},
		{map[string]any{"in": map[string]any{}}, "in.email", "email is required"},
		{map[string]any{"in": map[string]any{"email": nil}}, "in.email", "email must not be null"},
		{map[string]any{"in": "x"}, "in", "in must be an object"},
		{map[string]any{"in": map[string]any{"email": "a@example.com", "nope": 1}}, "in.nope", "nope is not a field of in"},
	}
	for _, c := range cases {
		r := env.Query(t, key, create, c.vars)
		if r.Code() != "BAD_USER_INPUT" || r.Errors[0].Message != c.message || r.Errors[0].Extensions["field"] != c.field {
			t.Errorf("%v: %s, want BAD_USER_INPUT %q field %s", c.vars, r.Raw, c.message, c.field)
		}
	}
	r := env.Query(t, key, `query($s: CampaignStatus) { campaigns(filter: {status: $s}) { totalCount } }`, map[string]any{"s": "NOPE"})
	if r.Code() != "BAD_USER_INPUT" || !strings.HasPrefix(r.Errors[0].Message, "s must be one of DRAFT") {
		t.Errorf("enum variable: %s", r.Raw)
	}
}
