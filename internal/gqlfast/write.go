package gqlfast

import (
	"io"
	"strconv"
	"sync"
	"time"
)

// Writer is one root field's answer: JSON written exactly as the generated executor writes it
// (gqlgen's string escaping, no spaces, fields in response order). It is handed to gqlgen as
// the field's Marshaler, and to marshalers of other scalars as their io.Writer.
type Writer struct {
	b []byte
}

var writers = sync.Pool{New: func() any { return &Writer{b: make([]byte, 0, 16<<10)} }}

func newWriter() *Writer { return writers.Get().(*Writer) }

// release returns the buffer for the next answer; a very large one is left to the GC.
func (w *Writer) release() {
	if cap(w.b) > 1<<20 {
		return
	}
	w.b = w.b[:0]
	writers.Put(w)
}

// MarshalGQL writes the answer once; the buffer then goes back to the pool.
func (w *Writer) MarshalGQL(out io.Writer) {
	_, _ = out.Write(w.b)
	w.release()
}

// Write appends p: the marshalers of scalars without a native writer write here.
func (w *Writer) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// WriteString appends s as io.StringWriter.
func (w *Writer) WriteString(s string) (int, error) {
	w.b = append(w.b, s...)
	return len(s), nil
}

func (w *Writer) raw(s string) { w.b = append(w.b, s...) }
func (w *Writer) byte(c byte)  { w.b = append(w.b, c) }

// Null writes null.
func (w *Writer) Null() { w.b = append(w.b, "null"...) }

// String writes s as gqlgen's String and ID marshalers do.
func (w *Writer) String(s string) {
	w.b = append(w.b, '"')
	w.b = appendEscaped(w.b, s)
	w.b = append(w.b, '"')
}

// OptString writes a nullable String.
func (w *Writer) OptString(s *string) {
	if s == nil {
		w.Null()
		return
	}
	w.String(*s)
}

// Strings writes a list of strings.
func (w *Writer) Strings(l []string) {
	w.b = append(w.b, '[')
	for i, s := range l {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.String(s)
	}
	w.b = append(w.b, ']')
}

// Quote writes s as strconv.Quote does: the marshaler of the enums gqlgen generates.
func (w *Writer) Quote(s string) { w.b = strconv.AppendQuote(w.b, s) }

// Int writes an Int.
func (w *Writer) Int(n int64) { w.b = strconv.AppendInt(w.b, n, 10) }

// Bool writes a Boolean.
func (w *Writer) Bool(v bool) { w.b = strconv.AppendBool(w.b, v) }

// Time writes a time.Time as RFC 3339 with nanoseconds in UTC, quoted: the Time scalar's
// marshaler (models.MarshalTime). The text is printable ASCII, so quoting is two quotes.
func (w *Writer) Time(t time.Time) {
	w.b = append(w.b, '"')
	w.b = t.UTC().AppendFormat(w.b, time.RFC3339Nano)
	w.b = append(w.b, '"')
}

const hexDigits = "0123456789ABCDEF"

// appendEscaped escapes s as gqlgen's string marshaler does: control characters, backslash
// and double quote; everything else, invalid UTF-8 included, is copied as it is. Only ASCII
// bytes are escaped, so walking bytes instead of runes gives the same result.
func appendEscaped(b []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '\\' && c != '"' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '\t':
			b = append(b, `\t`...)
		case '\r':
			b = append(b, `\r`...)
		case '\n':
			b = append(b, `\n`...)
		case '\\':
			b = append(b, `\\`...)
		case '"':
			b = append(b, `\"`...)
		default:
			b = append(b, `\u00`...)
			b = append(b, hexDigits[c>>4], hexDigits[c&0xf])
		}
		start = i + 1
	}
	return append(b, s[start:]...)
}
