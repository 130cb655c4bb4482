package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/wbk/crm/internal/testenv"
)

// TestInvalidUTF8IsRefusedNotRepaired: bytes that are not UTF-8, escaped lone surrogates and
// NUL are refused as BAD_USER_INPUT naming the argument, wherever they are sent — JSON
// variables, literals of the document (in a JSON body or a GET), GET variables — instead of
// being repaired into U+FFFD by a decoder and stored.
func TestInvalidUTF8IsRefusedNotRepaired(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Text")
	create, _ := json.Marshal(`mutation($n: String) { createContact(input: {email: "v@example.com", firstName: $n}) { id } }`)
	post := func(body string) *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		return req
	}
	get := func(query string) *http.Request {
		req := httptest.NewRequest(http.MethodGet, "/graphql?"+query, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		return req
	}
	cases := []struct {
		name  string
		req   *http.Request
		field string
	}{
		{"variable bytes", post(`{"query":` + string(create) + `,"variables":{"n":"a` + "\xff\xfe" + `b"}}`), "input.firstName"},
		{"variable lone surrogate", post(`{"query":` + string(create) + `,"variables":{"n":"a\udc00b"}}`), "input.firstName"},
		{"variable high surrogate at the end", post(`{"query":` + string(create) + `,"variables":{"n":"a\ud800"}}`), "input.firstName"},
		{"literal bytes", post(`{"query":"mutation { createContact(input: {email: \"w@example.com\", firstName: \"a` + "\xff" + `b\"}) { id } }"}`), "input.firstName"},
		{"literal bytes beside an escape", post(`{"query":"mutation { createContact(input: {email: \"w@example.com\", lastName: \"\\n` + "\xc3" + `\"}) { id } }"}`), "input.lastName"},
		{"literal lone surrogate in JSON", post(`{"query":"mutation { createContact(input: {email: \"x@example.com\", company: \"a\udfffb\"}) { id } }"}`), "input.company"},
		{"literal lone surrogate escape in GraphQL", post(`{"query":"mutation { createContact(input: {email: \"y@example.com\", title: \"a\\ud800b\"}) { id } }"}`), "input.title"},
		{"block string bytes", post(`{"query":"mutation { createContact(input: {email: \"z@example.com\", title: \"\"\"a` + "\xfe" + `\"\"\"}) { id } }"}`), "input.title"},
		{"GET variable", get("query=" + url.QueryEscape(`query($s: String) { contacts(filter: {search: $s}) { totalCount } }`) + "&variables=" + url.QueryEscape(`{"s":"`) + "%FF%FEx" + url.QueryEscape(`"}`)), "filter.search"},
		{"GET literal", get("query=" + url.QueryEscape(`{ contacts(filter: {search: "`) + "%FF%FEx" + url.QueryEscape(`"}) { totalCount } }`)), "filter.search"},
		{"GET literal NUL", get("query=" + url.QueryEscape(`{ contacts(filter: {company: "`) + "%00" + url.QueryEscape(`"}) { totalCount } }`)), "filter.company"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := env.Do(t, c.req)
			if r.Status != http.StatusOK || r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("status %d code %q, want 200 BAD_USER_INPUT: %s", r.Status, r.Code(), r.Raw)
			}
			if got := r.Errors[0].Extensions["field"]; got != c.field {
				t.Errorf("field = %v, want %s", got, c.field)
			}
		})
	}
	r := env.Query(t, key, `{ contacts { totalCount } }`, nil)
	if n := r.MustData(t)["contacts"].(map[string]any)["totalCount"]; n != float64(0) {
		t.Errorf("%v contacts stored from bad text", n)
	}
	// Text that only looks like the refused kinds is text.
	ok := post(`{"query":"mutation { createContact(input: {email: \"ok@example.com\", firstName: \"\\u00e9\\ud83d\\ude00 é\", title: \"\"\"\\ud800\"\"\"}) { firstName title } }"}`)
	data := env.Do(t, ok).MustData(t)["createContact"].(map[string]any)
	if data["firstName"] != "é😀 é" || data["title"] != `\ud800` {
		t.Errorf("valid text changed: %v", data)
	}
}
