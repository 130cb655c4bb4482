package apperr_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/wbk/crm/internal/apperr"
)

// FuzzLimitEcho: after LimitEcho no quoted part and no run without a space is longer than the
// echo limit (plus "…"); a message with nothing longer is returned as it is; doing it twice
// changes nothing more.
func FuzzLimitEcho(f *testing.F) {
	for _, s := range []string{`Cannot query field "` + strings.Repeat("x", 100) + `" on type "Query".`,
		"operation " + strings.Repeat("N", 80) + " not found", `Value "a\"` + strings.Repeat("b", 70) + `" is bad`,
		strings.Repeat("w ", 100), `"` + strings.Repeat(`\\`, 50) + `"`, "short", `unterminated "` + strings.Repeat("q", 90)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		out := apperr.LimitEcho(msg)
		for _, part := range parts(out) {
			if n := utf8.RuneCountInString(strings.TrimSuffix(part, "…")); n > apperr.EchoLimit {
				t.Fatalf("%d characters quoted: %q (from %q)", n, part, msg)
			}
		}
		if again := apperr.LimitEcho(out); again != out {
			t.Fatalf("not stable: %q -> %q", out, again)
		}
		long := false
		for _, part := range parts(msg) {
			long = long || utf8.RuneCountInString(part) > apperr.EchoLimit
		}
		if !long && out != msg {
			t.Fatalf("a message quoting nothing long changed: %q -> %q", msg, out)
		}
		if q := apperr.Quote(msg); utf8.RuneCountInString(apperr.Cut(msg)) > apperr.EchoLimit+1 || len(q) < 2 {
			t.Fatalf("Quote(%q) = %q", msg, q)
		}
	})
}

// parts splits a message as LimitEcho reads it: quoted parts (without their quotes) and runs
// without spaces or quotes.
func parts(msg string) []string {
	var out []string
	for i := 0; i < len(msg); {
		switch msg[i] {
		case ' ':
			i++
		case '"':
			j := i + 1
			for j < len(msg) && msg[j] != '"' {
				if msg[j] == '\\' {
					j++
				}
				j++
			}
			out = append(out, msg[i+1:min(j, len(msg))])
			i = j + 1
		default:
			j := i
			for j < len(msg) && msg[j] != ' ' && msg[j] != '"' {
				j++
			}
			out = append(out, msg[i:j])
			i = j
		}
	}
	return out
}
