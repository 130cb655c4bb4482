package textcheck_test

import (
	"encoding/json"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wbk/crm/internal/textcheck"
)

// FuzzMarkJSON: marking never turns valid JSON invalid, leaves clean JSON untouched (the same
// bytes), and whatever it returns decodes to strings that are text or hold a NUL where the
// input held something that was not.
func FuzzMarkJSON(f *testing.F) {
	for _, s := range []string{`{"a":"b"}`, `{"a":"\u00e9\ud83d\ude00"}`, `{"a":"\ud800"}`, `{"a":"\udc00x"}`,
		"{\"a\":\"\xff\xfe\"}", `["\\ud800"]`, `{"a":"\u0000"}`, `"\ud800\u0041"`, `{"q":"x\\\"\ud800"}`, "\xff{}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		out := textcheck.MarkJSON(in)
		if !json.Valid(in) {
			return
		}
		if !json.Valid(out) {
			t.Fatalf("valid JSON %q marked into invalid JSON %q", in, out)
		}
		var before, after any
		_ = json.Unmarshal(in, &before)
		_ = json.Unmarshal(out, &after)
		if clean(in) && string(out) != string(in) {
			t.Fatalf("clean JSON %q changed into %q", in, out)
		}
		walkStrings(after, func(s string) {
			if !utf8.ValidString(s) {
				t.Fatalf("marked JSON %q decodes to invalid UTF-8 %q", out, s)
			}
		})
		if utf8.Valid(in) && !strings.Contains(string(in), `\u`) && string(out) != string(in) {
			t.Fatalf("JSON without escapes or bad bytes changed: %q -> %q", in, out)
		}
	})
}

// clean: valid UTF-8 and every \u escape a scalar value that is not NUL (decided by decoding
// each string with a decoder that keeps surrogates visible: re-encoding must give it back).
func clean(in []byte) bool {
	if !utf8.Valid(in) {
		return false
	}
	var v any
	if json.Unmarshal(in, &v) != nil {
		return false
	}
	ok := true
	walkStrings(v, func(s string) {
		if strings.ContainsRune(s, utf8.RuneError) || strings.ContainsRune(s, 0) {
			ok = false // U+FFFD may be a repair; NUL is marked anyway
		}
	})
	return ok
}

func walkStrings(v any, fn func(string)) {
	switch x := v.(type) {
	case string:
		fn(x)
	case []any:
		for _, e := range x {
			walkStrings(e, fn)
		}
	case map[string]any:
		for k, e := range x {
			fn(k)
			walkStrings(e, fn)
		}
	}
}

// FuzzMarkDocument: the marked document is text, has as many characters as the input (one for
// each bad byte), every mark is inside it, and a document that is text without escapes comes
// back unchanged and unmarked.
func FuzzMarkDocument(f *testing.F) {
	for _, s := range []string{`{ a }`, `{ a(x: "\ud800") }`, "{ a(x: \"\xff\") }", "{ a(x: \"\"\"\xfe\"\"\"\") }", "# \x00\n{ a }",
		`{ a(x: "\\ud800") }`, `{ a(x: "\ud83d\ude00") }`, "{ a(x: \"\\\"\xc3\") }", `"""\"""\ud800"""`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		out, marks := textcheck.MarkDocument(doc)
		if !utf8.ValidString(out) || strings.IndexByte(out, 0) >= 0 {
			t.Fatalf("marked document is not text: %q", out)
		}
		n := utf8.RuneCountInString(doc)
		if got := utf8.RuneCountInString(out); got != n {
			t.Fatalf("%d characters became %d: %q -> %q", n, got, doc, out)
		}
		for _, m := range marks {
			if m < 0 || m >= n {
				t.Fatalf("mark %d outside a %d-character document", m, n)
			}
		}
		if textcheck.Valid(doc) && !strings.Contains(doc, `\u`) && (out != doc || marks != nil) {
			t.Fatalf("a document of text changed: %q -> %q %v", doc, out, marks)
		}
		if !textcheck.Valid(doc) && len(marks) == 0 {
			t.Fatalf("bad text left unmarked: %q", doc)
		}
	})
}

// FuzzMark: plain values (query parameters, path ids) come out valid UTF-8 with NUL in place
// of each bad byte, and text comes out unchanged.
func FuzzMark(f *testing.F) {
	for _, s := range []string{"abc", "\xff\xfe", "é", "a\x00b", "\xc3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := textcheck.Mark(s)
		if !utf8.ValidString(out) || len(out) != len(s) {
			t.Fatalf("Mark(%q) = %q", s, out)
		}
		if utf8.ValidString(s) != (out == s) {
			t.Fatalf("Mark(%q) = %q: text must come back as it is, and only text", s, out)
		}
		if !utf8.ValidString(s) && textcheck.Valid(out) {
			t.Fatalf("Mark(%q) = %q passes the text rule", s, out)
		}
	})
}
