package httpapi

import (
	"compress/gzip"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// gzipMinBytes is the smallest body worth compressing: below about 1 KB the gzip header and
// the CPU cost outweigh the bytes saved.
const gzipMinBytes = 1024

// BestSpeed: level 1 already shrinks a 13 KB dashboard response to 3.3 KB (level 6: 3.0 KB)
// for the least CPU per request.
var gzipPool = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// smallBodies hold the start of a response until it reaches gzipMinBytes (or ends, which
// is where most error responses stay): one buffer per request would be an allocation each.
var smallBodies = sync.Pool{New: func() any {
	b := make([]byte, 0, gzipMinBytes)
	return &b
}}

// acceptsGzip reads Accept-Encoding: gzip (or *) with a non-zero quality.
func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		name = strings.TrimSpace(name)
		if !strings.EqualFold(name, "gzip") && name != "*" {
			continue
		}
		q := strings.TrimSpace(params)
		if v, ok := strings.CutPrefix(q, "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil && f == 0 {
				return false
			}
		}
		return true
	}
	return false
}

// responseWriter holds back the status line until it knows whether the body is compressed:
// it buffers up to gzipMinBytes, then compresses if the client accepts gzip and the content
// type is not a stream; a Flush (a stream's event) or the end of a short body sends it as is.
// It also marks responses to authenticated requests as private and uncacheable, whatever the
// handler set, because they depend on the key.
type responseWriter struct {
	w             http.ResponseWriter
	gzipOK        bool
	authenticated bool

	status  int
	held    *[]byte // the body so far while undecided, from smallBodies; nil when empty
	decided bool    // the status line is sent; zw != nil means the body is compressed
	zw      *gzip.Writer
}

func newResponseWriter(w http.ResponseWriter, gzipOK, authenticated bool) *responseWriter {
	return &responseWriter{w: w, gzipOK: gzipOK, authenticated: authenticated}
}

func (rw *responseWriter) Header() http.Header { return rw.w.Header() }

func (rw *responseWriter) WriteHeader(code int) {
	if rw.decided || rw.status != 0 || code < 200 {
		return
	}
	rw.status = code
	if code == http.StatusNoContent || code == http.StatusNotModified {
		rw.decide(false)
	}
}

func (rw *responseWriter) Write(p []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	if rw.decided {
		if rw.zw != nil {
			return rw.zw.Write(p)
		}
		return rw.w.Write(p)
	}
	if rw.heldLen()+len(p) < gzipMinBytes {
		if rw.held == nil {
			rw.held = smallBodies.Get().(*[]byte)
		}
		*rw.held = append(*rw.held, p...)
		return len(p), nil
	}
	// Enough to decide: what is held goes first, then p as it is, without copying a large
	// body into the holding buffer.
	rw.decide(rw.gzipOK && rw.compressibleType())
	if err := rw.flushBuffer(); err != nil {
		return 0, err
	}
	if rw.zw != nil {
		return rw.zw.Write(p)
	}
	return rw.w.Write(p)
}

// Flush sends what is buffered: a streaming handler (SSE) wants its event on the wire now.
func (rw *responseWriter) Flush() {
	rw.sendUndecided()
	if rw.zw != nil {
		_ = rw.zw.Flush()
	}
	_ = http.NewResponseController(rw.w).Flush()
}

// Unwrap lets http.ResponseController reach the connection (deadlines, hijacking).
func (rw *responseWriter) Unwrap() http.ResponseWriter { return rw.w }

// compressibleType: a stream must reach the client event by event, and fonts, images (other
// than SVG) and already encoded bodies are compressed already.
func (rw *responseWriter) compressibleType() bool {
	h := rw.w.Header()
	ct := h.Get("Content-Type")
	switch {
	case h.Get("Content-Encoding") != "", rw.status == http.StatusPartialContent:
		return false
	case strings.HasPrefix(ct, "text/event-stream"):
		return false
	case strings.HasPrefix(ct, "font/"), strings.HasPrefix(ct, "image/") && !strings.HasPrefix(ct, "image/svg"):
		return false
	}
	return true
}

func (rw *responseWriter) decide(compress bool) {
	rw.decided = true
	h := rw.w.Header()
	compressible := rw.compressibleType()
	switch {
	case rw.authenticated && compressible:
		h["Cache-Control"] = privateNoStoreValue
		addVary(h, varyAuthorizationAcceptEncoding)
	case rw.authenticated:
		h["Cache-Control"] = privateNoStoreValue
		addVary(h, varyAuthorization)
	case compressible:
		addVary(h, varyAcceptEncoding)
	}
	if compress {
		h.Del("Content-Length")
		h["Content-Encoding"] = gzipEncodingValue
		rw.zw = gzipPool.Get().(*gzip.Writer)
		rw.zw.Reset(rw.w)
	}
	rw.w.WriteHeader(rw.status)
}

// sendUndecided sends, uncompressed, a response still under gzipMinBytes when the handler
// flushes or returns: too small to be worth compressing, and a flush must not wait for more.
func (rw *responseWriter) sendUndecided() {
	if rw.decided {
		return
	}
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	rw.decide(false)
	_ = rw.flushBuffer()
}

func (rw *responseWriter) heldLen() int {
	if rw.held == nil {
		return 0
	}
	return len(*rw.held)
}

func (rw *responseWriter) flushBuffer() error {
	if rw.held == nil {
		return nil
	}
	b := *rw.held
	var err error
	if rw.zw != nil {
		_, err = rw.zw.Write(b)
	} else {
		_, err = rw.w.Write(b)
	}
	// Both writers are done with b when Write returns (io.Writer's contract).
	*rw.held = b[:0]
	smallBodies.Put(rw.held)
	rw.held = nil
	return err
}

// finish ends the response after the handler returned.
func (rw *responseWriter) finish() {
	rw.sendUndecided()
	if rw.zw != nil {
		_ = rw.zw.Close()
		rw.zw.Reset(io.Discard)
		gzipPool.Put(rw.zw)
		rw.zw = nil
	}
}
