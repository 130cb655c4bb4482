package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// TestDecoderRefusesWhatIsNotAGraphQLRequest covers issue 7 findings 1, 2, 4 and 5: every
// request that is not GraphQL over HTTP gets its documented status and code, in the
// negotiated media type, with a message that never echoes the body.
func TestDecoderRefusesWhatIsNotAGraphQLRequest(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Decoder")
	_, other := env.Tenant(t, "Other")
	big := `[` + strings.Repeat(`{"query":"{ viewer { workspace { id } } }"},`, 4000) + `{}]`
	post := func(body, contentType string) func() *http.Request {
		return func() *http.Request { return postReq(key, body, contentType) }
	}
	get := func(rawQuery string) func() *http.Request {
		return func() *http.Request {
			req := httptest.NewRequest(http.MethodGet, "/graphql?"+rawQuery, nil)
			req.Header.Set("Authorization", "Bearer "+key)
			return req
		}
	}
	method := func(m string) func() *http.Request {
		return func() *http.Request {
			req := postReq(key, `{"query":"{ viewer { workspace { id } } }"}`, "application/json")
			req.Method = m
			return req
		}
	}
	twoKeys := func() *http.Request {
		req := postReq(key, `{"query":"{ viewer { workspace { id } } }"}`, "application/json")
		req.Header.Add("Authorization", "Bearer "+other)
		return req
	}
	sub := `{"query":"subscription { lexiTaskUpdated { id } }"}`

	cases := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string
	}{
		{"JSON array batch", post(big, "application/json"), 400, "BAD_REQUEST"},
		{"query is a number", post(`{"query":123}`, "application/json"), 400, "BAD_REQUEST"},
		{"bare string", post(`"{ viewer { workspace { id } } }"`, "application/json"), 400, "BAD_REQUEST"},
		{"variables a string", post(`{"query":"{ viewer { workspace { id } } }","variables":"{}"}`, "application/json"), 400, "BAD_REQUEST"},
		{"variables an array", post(`{"query":"{ viewer { workspace { id } } }","variables":[1]}`, "application/json"), 400, "BAD_REQUEST"},
		{"operationName a number", post(`{"query":"{ viewer { workspace { id } } }","operationName":1}`, "application/json"), 400, "BAD_REQUEST"},
		{"extensions a string", post(`{"query":"{ viewer { workspace { id } } }","extensions":"x"}`, "application/json"), 400, "BAD_REQUEST"},
		{"no query", post(`{"qeury":"{ viewer { workspace { id } } }"}`, "application/json"), 400, "BAD_REQUEST"},
		{"empty body", post(``, "application/json"), 400, "BAD_REQUEST"},
		{"not JSON", post(`{"query": }`, "application/json"), 400, "BAD_REQUEST"},
		{"PUT", method(http.MethodPut), 405, "METHOD_NOT_ALLOWED"},
		{"DELETE", method(http.MethodDelete), 405, "METHOD_NOT_ALLOWED"},
		{"PATCH", method(http.MethodPatch), 405, "METHOD_NOT_ALLOWED"},
		{"text/plain", post(`{"query":"{ viewer { workspace { id } } }"}`, "text/plain"), 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"form data", post(`query=%7B+viewer+%7B+workspace+%7B+id+%7D+%7D+%7D`, "application/x-www-form-urlencoded"), 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"application/graphql", post(`{ viewer { workspace { id } } }`, "application/graphql"), 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"no Content-Type", post(`{"query":"{ viewer { workspace { id } } }"}`, ""), 415, "UNSUPPORTED_MEDIA_TYPE"},
		{"GET with malformed variables", get("query=" + url.QueryEscape(`{ viewer { workspace { id } } }`) + "&variables=%7Bnope"), 400, "BAD_REQUEST"},
		{"GET with variables an array", get("query=" + url.QueryEscape(`{ viewer { workspace { id } } }`) + "&variables=%5B%5D"), 400, "BAD_REQUEST"},
		{"GET with malformed extensions", get("query=" + url.QueryEscape(`{ viewer { workspace { id } } }`) + "&extensions=x"), 400, "BAD_REQUEST"},
		{"GET without query", get(""), 400, "BAD_REQUEST"},
		{"two Authorization headers", twoKeys, 400, "BAD_REQUEST"},
		{"subscription POSTed", post(sub, "application/json"), 400, "BAD_REQUEST"},
		{"subscription by GET", get("query=" + url.QueryEscape(`subscription { lexiTaskUpdated { id } }`)), 400, "BAD_REQUEST"},
		{"mutation by GET", get("query=" + url.QueryEscape(`mutation { deleteList(id: "x") }`)), 405, "METHOD_NOT_ALLOWED"},
	}
	for _, c := range cases {
		for _, accept := range []string{"", "application/graphql-response+json, application/json;q=0.9"} {
			t.Run(c.name+" Accept="+accept, func(t *testing.T) {
				req := c.req()
				if accept != "" {
					req.Header.Set("Accept", accept)
				}
				rec := httptest.NewRecorder()
				env.Handler.ServeHTTP(rec, req)
				decoderCheck(t, rec, c.status, c.code, accept)
				if c.status == http.StatusMethodNotAllowed && rec.Header().Get("Allow") != "GET, POST, OPTIONS" {
					t.Errorf("Allow = %q, want GET, POST, OPTIONS", rec.Header().Get("Allow"))
				}
				if rec.Body.Len() > 500 {
					t.Errorf("answer of %d bytes: the body must not be echoed: %.200s", rec.Body.Len(), rec.Body.Bytes())
				}
			})
		}
	}
}

func postReq(key, body, contentType string) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	return req
}

// decoderCheck checks a rejection: status, code, media type, and no data key.
func decoderCheck(t *testing.T, rec *httptest.ResponseRecorder, status int, code, accept string) {
	t.Helper()
	r := &testenv.Response{Status: rec.Code, Header: rec.Header(), Raw: rec.Body.Bytes()}
	if rec.Code != status {
		t.Errorf("status = %d, want %d: %s", rec.Code, status, rec.Body.Bytes())
	}
	wantType := "application/json"
	if strings.Contains(accept, "graphql-response+json") {
		wantType = "application/graphql-response+json"
	}
	if got := rec.Header().Get("Content-Type"); got != wantType {
		t.Errorf("Content-Type = %q, want %q", got, wantType)
	}
	if !bytes.Contains(rec.Body.Bytes(), []byte(`"code":"`+code+`"`)) {
		t.Errorf("want extensions.code %s: %s", code, r.Raw)
	}
	if bytes.Contains(rec.Body.Bytes(), []byte(`"data"`)) {
		t.Errorf("a rejection carries a data key: %s", r.Raw)
	}
	if bytes.Contains(rec.Body.Bytes(), []byte("Go value")) || bytes.Contains(rec.Body.Bytes(), []byte("body:")) {
		t.Errorf("Go internals in the message: %s", r.Raw)
	}
}

// TestRequestErrorsFollowTheGraphQLOverHTTPSpec: parse, validation and coercion failures are
// 400 without data for application/graphql-response+json, 200 for application/json only.
func TestRequestErrorsFollowTheGraphQLOverHTTPSpec(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Spec")
	cases := []struct{ name, body, code string }{
		{"parse", `{"query":"{ viewer { "}`, "GRAPHQL_PARSE_FAILED"},
		{"validation", `{"query":"{ viewer { nope } }"}`, "GRAPHQL_VALIDATION_FAILED"},
		{"coercion", `{"query":"query($n: Int!) { contacts(first: $n) { totalCount } }","variables":{"n":"x"}}`, ""},
	}
	for _, c := range cases {
		for accept, status := range map[string]int{
			"application/graphql-response+json": 400, "application/json": 200, "": 200,
			"application/graphql-response+json, application/json;q=0.9": 400,
		} {
			req := surfaceGraphQLRequest(key, strings.NewReader(c.body))
			if accept != "" {
				req.Header.Set("Accept", accept)
			}
			rec := surfaceServe(env.Handler, req)
			want := c.code
			if want == "" {
				want = "GRAPHQL_VALIDATION_FAILED"
				if !bytes.Contains(rec.Body.Bytes(), []byte(want)) {
					want = "BAD_USER_INPUT"
				}
			}
			t.Run(c.name+" "+accept, func(t *testing.T) { decoderCheck(t, rec, status, want, accept) })
		}
	}
}

// TestCheapRejectionsAreRefusedBeforeValidationAndNotCharged covers finding 7: oversized
// documents are refused with QUERY_TOO_COMPLEX and their reason, never answered 200, and a
// STARTER key (10 per minute) sending more of them than its limit is never charged.
func TestCheapRejectionsAreRefusedBeforeValidationAndNotCharged(t *testing.T) {
	env := testenv.New(t, testenv.Options{Plans: ratelimit.DefaultPlans()})
	ws := env.Workspace(t, "Starter", models.PlanStarter)
	key := env.Key(t, ws, "read")
	docs := map[string]string{
		"FIELDS": "{ viewer { workspace { " + strings.Repeat("id ", 14_990) + "} } }",
		"TOKENS": "{" + strings.Repeat(" id", 20_000) + " }",
		"DEPTH":  "{ " + strings.Repeat("viewer { workspace { ", 8) + "id" + strings.Repeat(" } }", 8) + " }",
	}
	typenames := "{ " + strings.Repeat("__typename ", 7_000) + "}"
	for i := range 14 {
		r := env.Query(t, key, typenames, nil)
		if r.Status != http.StatusBadRequest || r.Code() != "QUERY_TOO_COMPLEX" || r.Errors[0].Extensions["reason"] != "FIELDS" {
			t.Fatalf("7,000 __typename #%d: status %d: %.300s", i, r.Status, r.Raw)
		}
	}
	for reason, q := range docs {
		r := env.Query(t, key, q, nil)
		if r.Status != http.StatusBadRequest || r.Code() != "QUERY_TOO_COMPLEX" || r.Errors[0].Extensions["reason"] != reason {
			t.Errorf("%s: status %d: %.300s", reason, r.Status, r.Raw)
		}
	}
	// Nothing was charged: the minute window still has its 10.
	r := env.Query(t, key, `{ rateLimit { minute { remaining } } }`, nil)
	type window struct{ Remaining int }
	if got := testenv.Decode[struct{ RateLimit struct{ Minute window } }](t, r).RateLimit.Minute.Remaining; got != 9 {
		t.Errorf("minute remaining = %v after the refusals and this call, want 9", got)
	}
}

// BenchmarkOversizedRefusal measures the whole handler (authentication included) refusing the
// worst documents of finding 7. Run:
// go test ./internal/httpapi -run XXX -bench OversizedRefusal -benchmem
func BenchmarkOversizedRefusal(b *testing.B) {
	env := testenv.New(b)
	_, key := env.Tenant(b, "Bench")
	docs := map[string]string{
		"14990_ids":       "{ viewer { workspace { " + strings.Repeat("id ", 14_990) + "} } }",
		"7000_typename":   "{ " + strings.Repeat("__typename ", 7_000) + "}",
		"20000_tokens":    "{" + strings.Repeat(" id", 20_000) + " }",
		"fragment_fanout": fanOutDoc(1_001, 3),
	}
	for name, q := range docs {
		body := []byte(`{"query":` + strconv.Quote(q) + `}`)
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				rec := httptest.NewRecorder()
				env.Handler.ServeHTTP(rec, postReq(key, string(body), "application/json"))
				if rec.Code != http.StatusBadRequest {
					b.Fatalf("status %d: %.200s", rec.Code, rec.Body.Bytes())
				}
			}
		})
	}
}

func fanOutDoc(n, size int) string {
	var sb strings.Builder
	sb.WriteString("{ ")
	for i := range n {
		fmt.Fprintf(&sb, "a%d: viewer { ...F } ", i)
	}
	sb.WriteString("} fragment F on Viewer { " + strings.Repeat("__typename ", size) + "}")
	return sb.String()
}
