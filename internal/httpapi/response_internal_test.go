package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wbk/crm/internal/ratelimit"
)

// encodedByEncodingJSON is what writeGraphQL wrote for resp before writeResponse existed.
func encodedByEncodingJSON(t testing.TB, resp *graphql.Response) []byte {
	t.Helper()
	var want bytes.Buffer
	if err := json.NewEncoder(&want).Encode(resp); err != nil {
		t.Fatal(err)
	}
	return want.Bytes()
}

func TestWriteResponseMatchesEncodingJSON(t *testing.T) {
	yes, no := true, false
	rateLimit := map[string]any{"rateLimit": map[string]any{"cost": int64(1), "limit": int64(10000),
		"resetAt": "2026-11-30T00:00:00Z", "minute": map[string]any{"limit": int64(600), "used": int64(1)}}}
	fieldErr := &gqlerror.Error{Message: "contact <c1> not found & gone", Path: ast.Path{ast.PathName("contact"), ast.PathIndex(0)},
		Locations: []gqlerror.Location{{Line: 1, Column: 3}}, Extensions: map[string]any{"code": "NOT_FOUND", "requestId": "r1"}}
	tests := []struct {
		name string
		resp *graphql.Response
	}{
		{"nil response", nil},
		{"data only", &graphql.Response{Data: json.RawMessage(`{"viewer":{"apiKey":{"id":"k1"}}}`)}},
		{"nil data", &graphql.Response{}},
		{"null data with errors", &graphql.Response{Errors: gqlerror.List{fieldErr}, Data: json.RawMessage(`null`)}},
		{"nil data with errors", &graphql.Response{Errors: gqlerror.List{fieldErr, {Message: "second"}}}},
		{"empty error list is omitted", &graphql.Response{Errors: gqlerror.List{}, Data: json.RawMessage(`{}`)}},
		{"data and extensions", &graphql.Response{Data: json.RawMessage(`{"a":1}`), Extensions: rateLimit}},
		{"empty extensions are omitted", &graphql.Response{Data: json.RawMessage(`{"a":1}`), Extensions: map[string]any{}}},
		{"data with HTML-sensitive characters, U+2028/2029 and escapes", &graphql.Response{Data: json.RawMessage(
			`{"name":"<b>Tom & \"Jerry\"</b>","note":"line` + "\u2028" + `sep` + "\u2029" + `end","path":"a\\b\\","x":"\u00e9\u20ac"}`)}},
		{"data with whitespace between tokens", &graphql.Response{Data: json.RawMessage(
			"{ \"a\" : [ 1 ,\n\t2 ] ,\r\n \"b\" : \"keep  these spaces\" , \"c\" : { } }\n")}},
		{"spaces inside strings only", &graphql.Response{Data: json.RawMessage(`{"name":"First Last","q":"a \" b"}`)}},
		{"a space outside strings only", &graphql.Response{Data: json.RawMessage(`{"name":"First Last", "company":"Acme"}`)}},
		{"all fields", &graphql.Response{Errors: gqlerror.List{fieldErr}, Data: json.RawMessage(`{"n":[1,2.5,-3e2,true,false,null]}`),
			Label: "deferred <label>", Path: ast.Path{ast.PathName("contacts"), ast.PathIndex(2)}, HasNext: &yes,
			Extensions: rateLimit}},
		{"hasNext false", &graphql.Response{Data: json.RawMessage(`{}`), HasNext: &no}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := encodedByEncodingJSON(t, tt.resp)
			rec := httptest.NewRecorder()
			writeResponse(rec, tt.resp)
			if got := rec.Body.Bytes(); !bytes.Equal(got, want) {
				t.Errorf("writeResponse wrote\n%q\nencoding/json wrote\n%q", got, want)
			}
		})
	}
}

// An unmarshallable member makes writeResponse write nothing, as Encode did.
func TestWriteResponseWritesNothingWhenAMemberCannotBeMarshalled(t *testing.T) {
	rec := httptest.NewRecorder()
	writeResponse(rec, &graphql.Response{Data: json.RawMessage(`{}`), Extensions: map[string]any{"bad": func() {}}})
	if rec.Body.Len() != 0 {
		t.Errorf("wrote %q", rec.Body.String())
	}
}

// FuzzAppendCompactData: for any valid JSON, the data is written as encoding/json writes a
// json.RawMessage.
func FuzzAppendCompactData(f *testing.F) {
	for _, seed := range []string{`{}`, `null`, `{"a":"<&>"}`, " [ 1 , \"\\\" \\\\\" ] ", `"` + "\u2028\u2029\u20ac" + `"`,
		`{"a":{"b":[{"c":"\u003c"}]}}`, `{"a":"x y", "b":"z"}`, `{"a":"x \" y"}`, `["a b" ,"c"]`} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		resp := &graphql.Response{Data: data}
		want := encodedByEncodingJSON(t, resp)
		got, err := (&responseBuffer{}).appendResponse(nil, resp)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("data %q:\ngot  %q\nwant %q", data, got, want)
		}
	})
}

// extensions.rateLimit is written from a struct; its bytes are those of the map it was.
func TestRateLimitDocEncodesAsTheMapItWas(t *testing.T) {
	r := &ratelimit.Result{Cost: 3,
		Day:    ratelimit.Window{Limit: 10000, Used: 7, Remaining: 9993, ResetAt: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)},
		Minute: ratelimit.Window{Limit: 600, Used: 2, Remaining: 598, ResetAt: time.Date(2026, 11, 30, 14, 1, 0, 5, time.FixedZone("x", 3600))}}
	asMap := map[string]any{
		"cost": int64(5), "limit": r.Day.Limit, "remaining": r.Day.Remaining, "used": r.Day.Used,
		"resetAt": r.Day.ResetAt.UTC().Format(time.RFC3339),
		"minute": map[string]any{"limit": r.Minute.Limit, "remaining": r.Minute.Remaining, "used": r.Minute.Used,
			"resetAt": r.Minute.ResetAt.UTC().Format(time.RFC3339)},
	}
	want, err := json.Marshal(map[string]any{"rateLimit": asMap})
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.Marshal(map[string]any{"rateLimit": rateLimitDoc(r, 5)})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// BenchmarkWriteResponse compares writing a dashboard-sized response (~13 KB of data) as
// writeGraphQL did before (encoding/json) and as it does now.
func BenchmarkWriteResponse(b *testing.B) {
	var data bytes.Buffer
	data.WriteString(`{"contacts":{"nodes":[`)
	for i := range 50 {
		if i > 0 {
			data.WriteByte(',')
		}
		fmt.Fprintf(&data, `{"id":"ct_%026d","email":"c%02d@example.com","fullName":"First%d Last%d","company":"Acme Co",`+
			`"lists":{"nodes":[{"id":"li_1","name":"List 1"},{"id":"li_2","name":"List 2"}]},`+
			`"deals":{"nodes":[{"id":"de_%d","title":"Deal %d","amount":1000,"stage":"LEAD"}]}}`, i, i, i, i, i, i)
	}
	data.WriteString(`]}}`)
	resp := &graphql.Response{Data: data.Bytes(), Extensions: map[string]any{"rateLimit": rateLimitDoc(&ratelimit.Result{}, 1)}}
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(data.Len()))
		for b.Loop() {
			_ = json.NewEncoder(io.Discard).Encode(resp)
		}
	})
	b.Run("writeResponse", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(data.Len()))
		w := discardWriter{header: http.Header{}}
		for b.Loop() {
			writeResponse(w, resp)
		}
	})
}

type discardWriter struct{ header http.Header }

func (w discardWriter) Header() http.Header       { return w.header }
func (discardWriter) WriteHeader(int)             {}
func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
