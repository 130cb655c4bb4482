package apperr

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// EchoLimit is the most characters of anything a caller sent (a value, an id, a field or
// enum name, an operation name) that a message quotes; longer input is cut and ends in "…".
// A message is for a person: a 100 KB id repeated back helps nobody and turns every refusal
// into an amplifier.
const EchoLimit = 64

const ellipsis = "…"

// Quote is s as a message quotes caller input: in double quotes, escaped as Go escapes
// strings, at most EchoLimit characters of it.
func Quote(s string) string {
	return strconv.Quote(Cut(s))
}

// Cut is s with at most EchoLimit characters, ending in "…" when it was longer.
func Cut(s string) string {
	if len(s) <= EchoLimit {
		return s
	}
	n := 0
	for i := range s {
		if n == EchoLimit {
			return s[:i] + ellipsis
		}
		n++
	}
	return s
}

// LimitEcho shortens what a message may quote of its caller's input, for messages this
// application does not word itself (gqlparser's and gqlgen's): every double-quoted part and
// every run of characters without a space is cut to EchoLimit characters. Messages that
// quote nothing longer come back unchanged, without allocating.
func LimitEcho(msg string) string {
	if len(msg) <= EchoLimit {
		return msg
	}
	var b *strings.Builder // made at the first cut
	last := 0              // msg[:last] is written to b
	for i := 0; i < len(msg); {
		start := i
		var end, contentEnd int
		if msg[i] == '"' {
			// A quoted part: up to the closing quote that no backslash escapes.
			j := i + 1
			for j < len(msg) && msg[j] != '"' {
				if msg[j] == '\\' {
					j++
				}
				j++
			}
			contentEnd = min(j, len(msg))
			end = min(j+1, len(msg))
			start++
		} else if msg[i] == ' ' {
			i++
			continue
		} else {
			j := i
			for j < len(msg) && msg[j] != ' ' && msg[j] != '"' {
				j++
			}
			contentEnd, end = j, j
		}
		if cut, ok := cutAt(msg[start:contentEnd]); ok {
			if b == nil {
				b = &strings.Builder{}
				b.Grow(len(msg))
			}
			b.WriteString(msg[last : start+cut])
			b.WriteString(ellipsis)
			last = contentEnd
		}
		i = end
	}
	if b == nil {
		return msg
	}
	b.WriteString(msg[last:])
	return b.String()
}

// cutAt is where s is cut to keep EchoLimit characters, and whether it is longer than that.
// A cut never splits a backslash escape from what it escapes.
func cutAt(s string) (int, bool) {
	if len(s) <= EchoLimit || utf8.RuneCountInString(s) <= EchoLimit {
		return 0, false
	}
	n := 0
	for i := range s {
		if n == EchoLimit {
			j := i
			for j > 0 && s[j-1] == '\\' {
				j--
			}
			return j, true
		}
		n++
	}
	return 0, false
}
