package httpapi

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/vektah/gqlparser/v2/gqlerror"
)

// This file is the HTTP hygiene every response gets, whatever the route (docs/protocol.md):
// request ids, CORS, cache headers for authenticated responses and gzip. It wraps the mux.

// RequestIDHeader carries a request's id in both directions.
const RequestIDHeader = "X-Request-Id"

// corsExposed are the response headers a browser script may read: the rate-limit headers,
// Retry-After on 429/503, WWW-Authenticate on 401, the request id and Idempotent-Replayed (a
// retried mutation answered from its first response).
const corsExposed = "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Reset, " +
	"X-RateLimit-Minute-Limit, X-RateLimit-Minute-Remaining, X-RateLimit-Minute-Reset, X-RateLimit-Cost, " +
	"RateLimit, RateLimit-Policy, Retry-After, WWW-Authenticate, X-Request-Id, Idempotent-Replayed"

// corsAllowedHeaders are the request headers a preflight allows when it names none it
// needs (or names them unreadably): those this API reads.
const corsAllowedHeaders = "Authorization, Content-Type, Accept, Idempotency-Key, X-Request-Id, " +
	"apollographql-client-name, apollographql-client-version"

// preflightMethods is what a preflight allows for the route it asks about: each /v1 route's own
// methods (PATCH and DELETE included), /graphql's GET and POST elsewhere.
func (a *API) preflightMethods(r *http.Request) string {
	for _, m := range a.mounted {
		if strings.HasPrefix(r.URL.Path, m.prefix) {
			if methods := m.methods.Methods(r.URL.EscapedPath()); methods != nil {
				return strings.Join(methods, ", ")
			}
		}
	}
	return allowedMethods
}

// Header values that most responses carry share one slice each instead of allocating their
// own: Header.Add appends to a full slice by copying it, Header.Set replaces the slice, and
// nothing here or in net/http changes a value in place, so a shared slice is never written.
// Keys are assigned in canonical form, as Header.Set stores them.
var (
	anyOriginValue      = []string{"*"}
	exposedHeadersValue = []string{corsExposed}
	privateNoStoreValue = []string{"private, no-store"}
	gzipEncodingValue   = []string{"gzip"}
	graphQLResponseType = []string{mediaGraphQLResponse}
	jsonResponseType    = []string{mediaJSON}

	varyAuthorization               = []string{"Authorization"}
	varyAcceptEncoding              = []string{"Accept-Encoding"}
	varyAuthorizationAcceptEncoding = []string{"Authorization", "Accept-Encoding"}
)

// addVary adds values to the Vary header, as Header.Add would one by one.
func addVary(h http.Header, values []string) {
	if cur := h["Vary"]; len(cur) > 0 {
		h["Vary"] = append(cur, values...)
		return
	}
	h["Vary"] = values
}

type requestIDKey struct{}

// RequestIDFrom is the id of the request ctx belongs to, or "".
func RequestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// saneRequestID accepts a client's id if it is short and made of characters that are safe in
// a header and a log line; anything else is replaced by a fresh id.
func saneRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == ':') {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go ≥ 1.24)
	var id [32]byte
	hex.Encode(id[:], b[:])
	return string(id[:])
}

// cors is the CORS policy: "*" (any origin) or a list of exact origins.
type cors struct {
	any     bool
	origins map[string]bool
}

// newCORS reads CORS_ORIGINS' value: comma-separated origins; empty or "*" means any origin.
// Keys travel in the Authorization header, never in cookies, so credentials are never allowed
// and "*" is safe.
func newCORS(origins []string) cors {
	c := cors{origins: map[string]bool{}}
	for _, o := range origins {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		switch o {
		case "":
		case "*":
			c.any = true
		default:
			c.origins[o] = true
		}
	}
	if len(c.origins) == 0 {
		c.any = true
	}
	return c
}

// allow sets Access-Control-Allow-Origin for origin and reports whether it is allowed.
func (c cors) allow(h http.Header, origin string) bool {
	if c.any {
		h["Access-Control-Allow-Origin"] = anyOriginValue
		return true
	}
	h.Add("Vary", "Origin")
	if origin == "" || !c.origins[origin] {
		return false
	}
	h.Set("Access-Control-Allow-Origin", origin)
	return true
}

// requestedHeaders keeps Access-Control-Request-Headers if it is a plain list of header names
// (RFC 9110 tokens); the preflight then allows exactly what the client asked for.
func requestedHeaders(v string) string {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~, ", c) >= 0) {
			return ""
		}
	}
	return v
}

// protocol wraps the mux with what every response needs.
func (a *API) protocol(next http.Handler) http.Handler {
	policy := newCORS(a.cfg.CORSOrigins)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		id := r.Header.Get(RequestIDHeader)
		if !saneRequestID(id) {
			id = newRequestID()
		}
		h.Set(RequestIDHeader, id)
		r = r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id))

		origin := r.Header.Get("Origin")
		allowed := policy.allow(h, origin)
		if r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != "" {
			// A preflight: answered here for every path, before authentication (browsers
			// never send credentials with a preflight).
			h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
			if allowed {
				h.Set("Access-Control-Allow-Methods", a.preflightMethods(r))
				if rh := requestedHeaders(r.Header.Get("Access-Control-Request-Headers")); rh != "" {
					h.Set("Access-Control-Allow-Headers", rh)
				} else {
					h.Set("Access-Control-Allow-Headers", corsAllowedHeaders)
				}
				h.Set("Access-Control-Max-Age", "600")
			}
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			h["Access-Control-Expose-Headers"] = exposedHeadersValue
		}

		_, authenticated := r.Header["Authorization"]
		if isWebsocket(r) {
			// A websocket: the connection is hijacked, nothing below applies.
			next.ServeHTTP(w, r)
			return
		}
		rw := newResponseWriter(w, acceptsGzip(r) && r.Method != http.MethodHead, authenticated)
		defer rw.finish()
		next.ServeHTTP(rw, r)
	})
}

// schemaHandler serves the SDL with an ETag, answering If-None-Match with 304.
func schemaHandler(sdl string) http.Handler {
	sum := sha256.Sum256([]byte(sdl))
	etag := `"` + hex.EncodeToString(sum[:16]) + `"`
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("ETag", etag)
		// Public and revalidated on every use: the SDL needs no key and changes with a deploy.
		w.Header().Set("Cache-Control", "public, no-cache")
		http.ServeContent(w, r, "", time.Time{}, strings.NewReader(sdl))
	})
}

// withRequestID adds the request's id to an error's extensions, on a copy: gqlgen may hand
// the presenter an error value it keeps.
func withRequestID(ctx context.Context, e *gqlerror.Error) *gqlerror.Error {
	id := RequestIDFrom(ctx)
	if id == "" {
		return e
	}
	c := *e
	c.Extensions = make(map[string]any, len(e.Extensions)+1)
	for k, v := range e.Extensions {
		c.Extensions[k] = v
	}
	c.Extensions["requestId"] = id
	return &c
}

// requestIDLog adds the request id of a log call's context to the record, so every log line
// written while serving a request names it.
type requestIDLog struct{ slog.Handler }

func (h requestIDLog) Handle(ctx context.Context, rec slog.Record) error {
	if id := RequestIDFrom(ctx); id != "" {
		rec.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, rec)
}

func (h requestIDLog) WithAttrs(attrs []slog.Attr) slog.Handler {
	return requestIDLog{h.Handler.WithAttrs(attrs)}
}

func (h requestIDLog) WithGroup(name string) slog.Handler {
	return requestIDLog{h.Handler.WithGroup(name)}
}
