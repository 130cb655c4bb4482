package lexi

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// A message is read as tokens that keep their byte offsets in the message, so that every name
// the user gives is taken from the message itself, byte for byte. A token's word is the form
// the assistant compares with its own vocabulary: lower case and, outside names, with one
// typo repaired; the raw text is never changed.

type token struct {
	raw        string // as typed (for a quoted token, without its quotes)
	start, end int    // byte offsets of raw in the message
	low        string // lower-case raw
	word       string // low, typo-repaired when the token is one of the assistant's words
	quoted     bool
	punct      bool // , . ; : ? ! ( ) -> and line breaks
	upper      bool // starts with an upper-case letter
}

func isQuote(r rune) bool {
	switch r {
	case '"', '\u201c', '\u201d', '\u201e', '\u00ab', '\u00bb':
		return true
	}
	return false
}

func isApostrophe(r rune) bool { return r == '\'' || r == '\u2018' || r == '\u2019' || r == '`' }

// wordInner are the characters that may join the letters of one token: "churn-risk",
// "ann@acme.com", "50,000", "2026-03-31", "Q3/Q4", "AT&T", "O'Neil".
func wordInner(r rune) bool {
	return strings.ContainsRune("-_.@&+/,'\u2019:", r)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

// tokenize splits a message into tokens.
func tokenize(s string) []token {
	var out []token
	i := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\n':
			out = append(out, token{raw: "\n", low: "\n", word: "\n", start: i, end: i + 1, punct: true})
			i += size
		case unicode.IsSpace(r):
			i += size
		case isQuote(r) || isApostrophe(r) && quoteOpens(s, i):
			if end, next, ok := quoteEnd(s, i+size, r); ok {
				raw := s[i+size : end]
				out = append(out, token{raw: raw, start: i + size, end: end, low: strings.ToLower(raw), word: strings.ToLower(raw), quoted: true})
				i = next
				continue
			}
			i += size
		case r == '-' && strings.HasPrefix(s[i:], "->"), r == '=' && strings.HasPrefix(s[i:], "=>"):
			out = append(out, token{raw: s[i : i+2], low: "->", word: "->", start: i, end: i + 2, punct: true})
			i += 2
		case r == '\u2192' || r == '\u21d2' || r == '\u27f6':
			out = append(out, token{raw: s[i : i+size], low: "->", word: "->", start: i, end: i + size, punct: true})
			i += size
		case isWordRune(r) || strings.ContainsRune("$\u20ac\u00a3#+", r) && i+size < len(s) && isWordRune(firstRune(s[i+size:])):
			j := i + size
			last := j // end of the last letter or digit
			for j < len(s) {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if isWordRune(r2) || r2 == '%' {
					j += sz
					last = j
					continue
				}
				if wordInner(r2) && j+sz < len(s) && isWordRune(firstRune(s[j+sz:])) {
					// a comma or colon joins digits only: "50,000", "10:30"
					if (r2 == ',' || r2 == ':') && !(unicode.IsDigit(lastRune(s[:j])) && unicode.IsDigit(firstRune(s[j+sz:]))) {
						break
					}
					j += sz
					continue
				}
				break
			}
			out = append(out, wordTokens(s, i, last)...)
			i = last
		default:
			raw := s[i : i+size]
			if r == '\u2014' || r == '\u2013' {
				raw = "-"
			}
			out = append(out, token{raw: s[i : i+size], low: raw, word: raw, start: i, end: i + size, punct: true})
			i += size
		}
	}
	return out
}

// wordTokens makes the token of s[i:j], splitting off a possessive "'s".
func wordTokens(s string, i, j int) []token {
	raw := s[i:j]
	mk := func(a, b int) token {
		t := token{raw: s[a:b], start: a, end: b, low: strings.ToLower(s[a:b])}
		t.word = t.low
		t.upper = unicode.IsUpper(firstRune(t.raw))
		return t
	}
	for _, suf := range []string{"'s", "\u2019s", "'S"} {
		if strings.HasSuffix(raw, suf) && len(raw) > len(suf)+1 {
			k := j - len(suf)
			poss := mk(k, j)
			poss.low, poss.word = "'s", "'s"
			return []token{mk(i, k), poss}
		}
	}
	return []token{mk(i, j)}
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

// quoteOpens: a single quote opens a quoted name only at the start of a word ("'Q3 push'"),
// never inside one ("don't", "Acme's").
func quoteOpens(s string, i int) bool {
	if i > 0 {
		p := lastRune(s[:i])
		if !unicode.IsSpace(p) && !strings.ContainsRune("(:,", p) {
			return false
		}
	}
	return true
}

// quoteEnd finds the quote closing the one opened before from: for a single quote, one at
// the end of a word. It returns the end of the quoted text and where to go on.
func quoteEnd(s string, from int, open rune) (end, next int, ok bool) {
	for j := from; j < len(s); {
		r, sz := utf8.DecodeRuneInString(s[j:])
		closes := false
		switch {
		case isQuote(open):
			closes = isQuote(r)
		case isApostrophe(r):
			closes = j+sz == len(s) || !unicode.IsLetter(firstRune(s[j+sz:]))
		}
		if closes && j > from {
			return j, j + sz, true
		}
		j += sz
	}
	return 0, 0, false
}

// text is the message's own bytes from token a to token b (inclusive of both).
func text(msg string, toks []token, a, b int) string {
	if a > b || a < 0 || b >= len(toks) {
		return ""
	}
	return msg[toks[a].start:toks[b].end]
}
