package rest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/internal/textcheck"
)

// restCodes are the codes docs/rest.md and docs/errors.md give /v1 answers, by status.
var restCodes = map[int][]string{
	400: {"BAD_USER_INPUT", "BAD_REQUEST", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "QUERY_TOO_COMPLEX"},
	401: {"UNAUTHENTICATED"}, 403: {"FORBIDDEN"}, 404: {"NOT_FOUND"}, 405: {"METHOD_NOT_ALLOWED"}, 409: {"CONFLICT"},
	413: {"REQUEST_TOO_LARGE"}, 415: {"UNSUPPORTED_MEDIA_TYPE"}, 422: {"IDEMPOTENCY_KEY_REUSED"}, 429: {"RATE_LIMITED"},
}

// checkAnswer holds every /v1 answer to the contract: a documented status and code, and an
// error that quotes at most 64 characters of any input.
func checkAnswer(t *testing.T, rec *httptest.ResponseRecorder, inputs ...string) {
	t.Helper()
	if rec.Code < 400 {
		return
	}
	var doc struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatalf("status %d, not a JSON error: %.300s", rec.Code, rec.Body)
	}
	codes, ok := restCodes[rec.Code]
	if !ok || !contains(codes, doc.Error.Code) {
		t.Fatalf("status %d with code %q is not documented: %.300s", rec.Code, doc.Error.Code, rec.Body)
	}
	for _, in := range inputs {
		if quotesMoreThanTheLimit(doc.Error.Message, in) {
			t.Fatalf("message quotes more than 64 characters of %.80q: %.300q", in, doc.Error.Message)
		}
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// quotesMoreThanTheLimit reports whether msg holds 65 consecutive characters of in.
func quotesMoreThanTheLimit(msg, in string) bool {
	runes := []rune(in)
	for i := 0; i+65 <= len(runes); i++ {
		if strings.Contains(msg, string(runes[i:i+65])) {
			return true
		}
	}
	return false
}

// rawJSONString writes s as a JSON string without repairing it: bytes that are not UTF-8 stay
// as they are, as a client that does not check may send them.
func rawJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// FuzzRESTContact: a name, a search and an id as a client sends them (raw bytes included)
// are accepted and come back as sent (trimmed), or are refused with the documented status,
// code and field; nothing else.
func FuzzRESTContact(f *testing.F) {
	env := testenv.New(f)
	_, key := env.Tenant(f, "Fuzz")
	for _, s := range []string{"Ada", " Zoë ", "a\xff\xfeb", "\x00", "\u202e", strings.Repeat("x", 300), "李\t明", "\xed\xa0\x80"} {
		f.Add(s, s, s)
	}
	n := 0
	serve := func(method, target, body string) *httptest.ResponseRecorder {
		var req *http.Request
		if body == "" {
			req = httptest.NewRequest(method, target, nil)
		} else {
			req = httptest.NewRequest(method, target, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		env.Handler.ServeHTTP(rec, req)
		return rec
	}
	f.Fuzz(func(t *testing.T, name, search, id string) {
		n++
		body := fmt.Sprintf(`{"email":"f%d@example.com","first_name":%s}`, n, rawJSONString(name))
		rec := serve("POST", "/v1/contacts", body)
		checkAnswer(t, rec, name)
		switch rec.Code {
		case 201:
			var got struct {
				Data struct {
					FirstName *string `json:"first_name"`
				} `json:"data"`
			}
			_ = json.Unmarshal(rec.Body.Bytes(), &got)
			want := strings.TrimSpace(name)
			if !textcheck.Valid(name) || (want == "") != (got.Data.FirstName == nil) || got.Data.FirstName != nil && *got.Data.FirstName != want {
				t.Fatalf("first_name %q stored as %v", name, got.Data.FirstName)
			}
		case 400:
			if !strings.Contains(rec.Body.String(), `"field":"first_name"`) {
				t.Fatalf("first_name %q refused without its field: %s", name, rec.Body)
			}
		default:
			t.Fatalf("first_name %q: status %d %s", name, rec.Code, rec.Body)
		}

		rec = serve("GET", "/v1/contacts?limit=1&search="+url.QueryEscape(search), "")
		checkAnswer(t, rec, search)
		if rec.Code != 200 && !(rec.Code == 400 && strings.Contains(rec.Body.String(), `"field":"search"`)) {
			t.Fatalf("search %q: %d %s", search, rec.Code, rec.Body)
		}
		if rec.Code == 200 && !utf8.ValidString(search) {
			t.Fatalf("search %q that is not UTF-8 answered 200", search)
		}

		rec = serve("GET", "/v1/contacts/"+url.PathEscape(id), "")
		checkAnswer(t, rec, id)
		if rec.Code == 200 && !bytes.Contains(rec.Body.Bytes(), []byte(`"id":`)) {
			t.Fatalf("id %q: 200 without a record: %s", id, rec.Body)
		}
	})
}

// FuzzRESTRequest: any method, path, query and body reach a documented answer, never a 5xx,
// and no answer quotes more than 64 characters of what was sent.
func FuzzRESTRequest(f *testing.F) {
	env := testenv.New(f)
	_, key := env.Tenant(f, "Fuzz")
	f.Add(uint8(0), "/v1/contacts", "limit=5", `{"email":"a@example.com"}`, "application/json")
	f.Add(uint8(1), "/v1/lists/lst_x%2Fcontacts", "", `{"contact_ids":["x"]}`, "application/json")
	f.Add(uint8(2), "/v1/deals/dl_x", "", `{"stage":"nope"}`, "text/plain")
	f.Add(uint8(3), "/v1/contacts/ctc_%FF", "", "", "")
	f.Add(uint8(1), "/v1/lexi/tasks/x/approve", "", "", "")
	f.Add(uint8(0), "/v1/campaigns", "status=%FF&limit=-1&cursor=e30", "", "")
	methods := []string{"GET", "POST", "PATCH", "DELETE", "PUT"}
	f.Fuzz(func(t *testing.T, m uint8, path, query, body, contentType string) {
		if !strings.HasPrefix(path, "/v1/") {
			path = "/v1/" + path
		}
		target := path
		if query != "" {
			target += "?" + query
		}
		u, err := url.ParseRequestURI(target)
		if err != nil || strings.ContainsAny(target, " \t\r\n#") {
			return // not a request line a client can send
		}
		req := httptest.NewRequest(methods[int(m)%len(methods)], u.RequestURI(), strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("Authorization", "Bearer "+key)
		rec := httptest.NewRecorder()
		env.Handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d %s", req.Method, target, rec.Code, rec.Body)
		}
		inputs := []string{body}
		if p, err := url.PathUnescape(path); err == nil {
			inputs = append(inputs, p)
		}
		if q, err := url.QueryUnescape(query); err == nil {
			inputs = append(inputs, q)
		}
		checkAnswer(t, rec, inputs...)
	})
}
