// Package textcheck applies the rule every text input obeys — valid UTF-8 without NUL — to
// the raw bytes a client sent, before a decoder sees them. encoding/json and the GraphQL
// lexer repair what they cannot decode (invalid UTF-8 and escaped lone surrogates become
// U+FFFD), after which nothing can tell that the client sent something else; these
// functions mark such text instead, so that the one check of decoded text (the text gate of
// internal/httpapi) refuses it and names the argument it was in.
package textcheck

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// Valid reports whether s is text: valid UTF-8 without NUL characters.
func Valid(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// Mark is s with every byte that is not part of valid UTF-8 replaced by NUL, which the text
// rule refuses after any decoding; valid UTF-8 is returned as it is.
func Mark(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	b := []byte(s)
	for i := 0; i < len(b); {
		r, w := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && w == 1 {
			b[i] = 0
		}
		i += w
	}
	return string(b)
}

// nulEscape is the JSON escape that decodes to NUL.
var nulEscape = []byte(`\u0000`)

// MarkJSON is body with each invalid UTF-8 byte inside a JSON string, and each escaped lone
// surrogate ("\ud800" without its pair), replaced by the escape \u0000: decoded, the string
// holds a NUL where the client sent something that is not text, and the text rule refuses
// it. Bytes outside strings are left for the decoder to refuse. A body without either is
// returned as it is, without a copy.
func MarkJSON(body []byte) []byte {
	if utf8.Valid(body) && !bytes.Contains(body, []byte(`\u`)) {
		return body
	}
	var out []byte // nil until the first replacement
	last := 0      // body[:last] is in out
	replace := func(at, n int) {
		if out == nil {
			out = make([]byte, 0, len(body)+16)
		}
		out = append(append(out, body[last:at]...), nulEscape...)
		last = at + n
	}
	inString := false
	for i := 0; i < len(body); {
		c := body[i]
		switch {
		case !inString:
			inString = c == '"'
			i++
		case c == '"':
			inString = false
			i++
		case c == '\\':
			if i+1 < len(body) && body[i+1] == 'u' {
				n, lone := unicodeEscape(body[i:])
				if lone {
					replace(i, n)
				}
				i += n
				continue
			}
			i += 2
		case c < utf8.RuneSelf:
			i++
		default:
			r, w := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && w == 1 {
				replace(i, 1)
			}
			i += w
		}
	}
	if out == nil {
		return body
	}
	return append(out, body[last:]...)
}

// unicodeEscape reads the \u escape at the start of b (in a JSON string or a GraphQL string):
// its length (a surrogate pair is two escapes, one character) and whether it escapes a lone
// surrogate. An escape that is not four hex digits is left to the decoder: length 2.
func unicodeEscape[T string | []byte](b T) (n int, lone bool) {
	r, ok := hex4(b, 2)
	if !ok {
		return 2, false
	}
	switch {
	case r >= 0xD800 && r < 0xDC00:
		if len(b) >= 12 && b[6] == '\\' && b[7] == 'u' {
			if r2, ok := hex4(b, 8); ok && r2 >= 0xDC00 && r2 <= 0xDFFF {
				return 12, false
			}
		}
		return 6, true
	case r >= 0xDC00 && r <= 0xDFFF:
		return 6, true
	}
	return 6, false
}

func hex4[T string | []byte](b T, at int) (rune, bool) {
	if len(b) < at+4 {
		return 0, false
	}
	var r rune
	for i := at; i < at+4; i++ {
		c := b[i]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}

// lexical states of a GraphQL document, as far as MarkDocument needs them.
const (
	inSource = iota
	inComment
	inString
	inBlockString
)

// MarkDocument finds what is not text in a GraphQL document: NUL characters, invalid UTF-8
// and, inside string literals, escaped lone surrogates. It returns the document with each
// NUL and invalid byte replaced by U+FFFD (one character for one, so positions do not move)
// and the positions, in characters as gqlparser counts them, of everything it found; the
// text gate refuses a literal that covers one of them (and the document if none does). A
// document with none comes back as it is, with nil.
func MarkDocument(doc string) (string, []int) {
	if utf8.ValidString(doc) && strings.IndexByte(doc, 0) < 0 && !strings.Contains(doc, `\u`) {
		return doc, nil
	}
	var (
		out   *strings.Builder // made at the first replacement
		last  int              // doc[:last] is in out
		found []int
		state = inSource
		runes int
	)
	for i := 0; i < len(doc); {
		c := doc[i]
		bad := c == 0
		if c >= utf8.RuneSelf {
			r, w := utf8.DecodeRuneInString(doc[i:])
			bad = r == utf8.RuneError && w == 1
			if !bad {
				i += w
				runes++
				continue
			}
		}
		if bad {
			if out == nil {
				out = &strings.Builder{}
				out.Grow(len(doc) + 8)
			}
			out.WriteString(doc[last:i])
			out.WriteRune(utf8.RuneError)
			last = i + 1
			found = append(found, runes)
			i++
			runes++
			continue
		}
		step := 1
		switch state {
		case inSource:
			switch {
			case c == '#':
				state = inComment
			case strings.HasPrefix(doc[i:], `"""`):
				state, step = inBlockString, 3
			case c == '"':
				state = inString
			}
		case inComment:
			if c == '\n' || c == '\r' {
				state = inSource
			}
		case inString:
			switch {
			case c == '"' || c == '\n' || c == '\r':
				state = inSource
			case c == '\\' && i+1 < len(doc) && doc[i+1] == 'u':
				n, lone := unicodeEscape(doc[i:])
				if lone {
					found = append(found, runes)
				}
				step = n
			case c == '\\' && i+1 < len(doc) && doc[i+1] > 0 && doc[i+1] < utf8.RuneSelf:
				step = 2
			}
		case inBlockString:
			switch {
			case strings.HasPrefix(doc[i:], `\"""`):
				step = 4
			case strings.HasPrefix(doc[i:], `"""`):
				state, step = inSource, 3
			}
		}
		i += step
		runes += step // every step above is over ASCII characters
	}
	if out == nil {
		return doc, found
	}
	out.WriteString(doc[last:])
	return out.String(), found
}
