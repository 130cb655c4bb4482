package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sync"

	"github.com/99designs/gqlgen/graphql"
)

// This file writes a *graphql.Response without handing it whole to encoding/json, which
// re-scans the executor's data (a json.RawMessage, tens of kilobytes for a page with nested
// connections) byte by byte through its validating scanner. The bytes are the ones
// json.NewEncoder(w).Encode(resp) wrote before (TestWriteResponseMatchesEncodingJSON): the
// same members in the same order with the same omitempty rules, the data compacted and
// HTML-escaped as encoding/json does with a Marshaler's output, and a trailing newline.

// responseBuffer is the scratch space of one response, pooled: the body is assembled here
// and written with one Write.
type responseBuffer struct {
	body []byte
	// scratch and enc marshal the small members (errors, extensions) with encoding/json
	// without allocating a result slice for each.
	scratch bytes.Buffer
	enc     *json.Encoder
}

// maxPooledResponse bounds the buffers kept for reuse: one huge response must not pin its
// buffer for the life of the process.
const maxPooledResponse = 256 << 10

// initialResponseCap fits the common responses (a dashboard page is ~13 KB) without growing.
const initialResponseCap = 16 << 10

var responseBuffers = sync.Pool{New: func() any {
	b := &responseBuffer{body: make([]byte, 0, initialResponseCap)}
	b.enc = json.NewEncoder(&b.scratch)
	return b
}}

func getResponseBuffer() *responseBuffer { return responseBuffers.Get().(*responseBuffer) }

func putResponseBuffer(b *responseBuffer) {
	if cap(b.body) > maxPooledResponse || b.scratch.Cap() > maxPooledResponse {
		return
	}
	b.body = b.body[:0]
	b.scratch.Reset()
	responseBuffers.Put(b)
}

// writeResponse writes resp as json.NewEncoder(w).Encode(resp) would. Like Encode, it
// writes nothing when a member cannot be marshalled.
func writeResponse(w http.ResponseWriter, resp *graphql.Response) {
	b := getResponseBuffer()
	defer putResponseBuffer(b)
	out, err := b.appendResponse(b.body[:0], resp)
	b.body = out // keep the grown buffer for the pool
	if err != nil {
		return
	}
	_, _ = w.Write(out)
}

// appendResponse appends resp's JSON and a newline to dst: graphql.Response's members in
// their declared order, with their json tags' omitempty.
func (b *responseBuffer) appendResponse(dst []byte, resp *graphql.Response) ([]byte, error) {
	if resp == nil {
		return append(dst, "null\n"...), nil
	}
	var err error
	dst = append(dst, '{')
	if len(resp.Errors) > 0 {
		dst = append(dst, `"errors":`...)
		if dst, err = b.appendMarshalled(dst, resp.Errors); err != nil {
			return dst, err
		}
		dst = append(dst, ',')
	}
	dst = append(dst, `"data":`...)
	if resp.Data == nil {
		dst = append(dst, "null"...)
	} else {
		dst = appendCompactData(dst, resp.Data)
	}
	if resp.Label != "" {
		dst = append(dst, `,"label":`...)
		if dst, err = b.appendMarshalled(dst, resp.Label); err != nil {
			return dst, err
		}
	}
	if len(resp.Path) > 0 {
		dst = append(dst, `,"path":`...)
		if dst, err = b.appendMarshalled(dst, resp.Path); err != nil {
			return dst, err
		}
	}
	if resp.HasNext != nil {
		if *resp.HasNext {
			dst = append(dst, `,"hasNext":true`...)
		} else {
			dst = append(dst, `,"hasNext":false`...)
		}
	}
	if len(resp.Extensions) > 0 {
		dst = append(dst, `,"extensions":`...)
		if dst, err = b.appendMarshalled(dst, resp.Extensions); err != nil {
			return dst, err
		}
	}
	return append(dst, '}', '\n'), nil
}

// appendMarshalled appends v as encoding/json marshals it (HTML-escaped, as an Encoder's
// default is).
func (b *responseBuffer) appendMarshalled(dst []byte, v any) ([]byte, error) {
	b.scratch.Reset()
	if err := b.enc.Encode(v); err != nil {
		return dst, err
	}
	out := b.scratch.Bytes()
	return append(dst, out[:len(out)-1]...), nil // Encode ends with a newline
}

// rewriteBytes are the bytes whose presence may make appendCompactData change the data:
// the escaped ones, whitespace that can only stand between tokens (JSON strings hold tab,
// newline and carriage return escaped) and the backslash, without which every quote opens or
// closes a string.
const rewriteBytes = "<>&\xe2\t\n\r\\"

// needsRewrite reports whether appendCompactData must rewrite src, using the vectorised
// bytes.IndexByte and bytes.Count instead of a loop over every byte: the executor's data is
// compact and, in the usual response, holds none of rewriteBytes, so it is copied as is.
func needsRewrite(src []byte) bool {
	for i := 0; i < len(rewriteBytes); i++ {
		if bytes.IndexByte(src, rewriteBytes[i]) >= 0 {
			return true
		}
	}
	// Spaces remain ("First Last"). Without backslashes, a space is inside a string exactly
	// when an odd number of quotes precede it.
	quotes, from := 0, 0
	for {
		i := bytes.IndexByte(src[from:], ' ')
		if i < 0 {
			return false
		}
		quotes += bytes.Count(src[from:from+i], quote)
		if quotes%2 == 0 {
			return true
		}
		from += i + 1
	}
}

var quote = []byte{'"'}

// dataSpecial marks the bytes appendCompactData looks at; everything else is copied as is.
var dataSpecial = [256]bool{'"': true, '\\': true, '<': true, '>': true, '&': true, 0xE2: true,
	' ': true, '\t': true, '\n': true, '\r': true}

const lowerHex = "0123456789abcdef"

// appendCompactData appends the executor's JSON data as encoding/json writes a
// json.RawMessage: whitespace between tokens dropped, and <, >, & and U+2028/U+2029 inside
// strings escaped as \u003c, \u003e, \u0026, \u2028 and \u2029. The data is valid JSON (the
// executor wrote it), so unlike encoding/json this does not validate it: one pass, one copy.
func appendCompactData(dst, src []byte) []byte {
	if !needsRewrite(src) {
		return append(dst, src...)
	}
	start, inString := 0, false
	for i := 0; i < len(src); i++ {
		c := src[i]
		if !dataSpecial[c] {
			continue
		}
		switch c {
		case '"':
			inString = !inString
		case '\\':
			i++ // the escaped character, a quote or backslash included, is part of the string
		case '<', '>', '&':
			if inString {
				dst = append(dst, src[start:i]...)
				dst = append(dst, '\\', 'u', '0', '0', lowerHex[c>>4], lowerHex[c&0xF])
				start = i + 1
			}
		case 0xE2:
			if inString && i+2 < len(src) && src[i+1] == 0x80 && src[i+2]&^1 == 0xA8 {
				dst = append(dst, src[start:i]...)
				dst = append(dst, '\\', 'u', '2', '0', '2', lowerHex[src[i+2]&0xF])
				i += 2
				start = i + 1
			}
		default: // whitespace
			if !inString {
				dst = append(dst, src[start:i]...)
				start = i + 1
			}
		}
	}
	return append(dst, src[start:]...)
}
