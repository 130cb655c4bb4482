package httpapi

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/textcheck"
)

// FuzzDecodeBody: a POST body is refused as BAD_REQUEST with a message that quotes none of
// it, or decodes to parameters that survive being encoded and decoded again unchanged.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{`{"query":"{ a }"}`, `{"query":"query A { a }","operationName":"A","variables":{"x":[1,"y",{"z":null}]}}`,
		`[{"query":"{ a }"}]`, `{"query":1}`, `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ab"}}}`, `{"query":"{ a }","operationName":"1x"}`,
		"{\"query\":\"{ a(x: \\\"\xff\\\") }\"}", `{"query":"{ a }","variables":{"v":"\ud800"}}`, `nul`, `{"query":"{ a }"} {}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := paramsFromBody(textcheck.MarkJSON(body))
		checkDecoded(t, string(body), p, err)
	})
}

// FuzzDecodeQueryString: the same for a GET's query string.
func FuzzDecodeQueryString(f *testing.F) {
	for _, s := range []string{"query=%7B+a+%7D", "query=query+A+%7B+a+%7D&operationName=A&variables=%7B%22x%22%3A1%7D",
		"variables=%5B%5D&query=x", "query=%7B%7D&extensions=%7B%22persistedQuery%22%3A%7B%7D%7D", "%zz", "variables=%FF&query=a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		p, err := paramsFromQuery(raw)
		in := raw
		if u, e := url.QueryUnescape(raw); e == nil {
			in = u
		}
		checkDecoded(t, in, p, err)
	})
}

func checkDecoded(t *testing.T, in string, p *graphql.RawParams, err *apperr.Error) {
	t.Helper()
	if err != nil {
		if err.Code != apperr.EBADREQUEST {
			t.Fatalf("refused with %s, want EBADREQUEST", err.Code)
		}
		for i := 0; i+65 <= len(in); i++ {
			if strings.Contains(err.Message, in[i:i+65]) {
				t.Fatalf("message %q quotes the request", err.Message)
			}
		}
		return
	}
	if p.OperationName != "" && !isName(p.OperationName) {
		t.Fatalf("operationName %q accepted", p.OperationName)
	}
	again, e := json.Marshal(map[string]any{"query": p.Query, "operationName": p.OperationName,
		"variables": p.Variables, "extensions": p.Extensions})
	if e != nil {
		t.Fatalf("decoded parameters do not encode: %v", e)
	}
	q, derr := paramsFromBody(again)
	if derr != nil {
		t.Fatalf("re-encoded parameters refused: %v (%s)", derr, again)
	}
	if !reflect.DeepEqual(q.Variables, p.Variables) || q.Query != p.Query || q.OperationName != p.OperationName ||
		!reflect.DeepEqual(q.Extensions, p.Extensions) {
		t.Fatalf("parameters do not round-trip: %+v -> %+v", p, q)
	}
}
