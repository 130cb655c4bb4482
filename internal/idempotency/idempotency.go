// Package idempotency runs a POSTed mutation that carries an Idempotency-Key at most once
// (docs/api.md, Idempotency). It is a middleware of the HTTP pipeline over a small interface
// the store implements: the store keeps the records and runs the operation in one
// transaction with the record of its response; this package decides when to replay, refuse
// or run.
//
// A retry within TTL with the same request gets the first response again (not run, not
// charged); with another request, 422 IDEMPOTENCY_KEY_REUSED; while the first still runs, 409.
// Keys belong to the API key that sent them. Anything but a mutation runs as usual: reading
// twice changes nothing.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
)

// Header is the request header that makes a mutation idempotent.
const Header = "Idempotency-Key"

// TTL is how long a recorded response is replayed.
const TTL = 24 * time.Hour

// Store keeps the records of first responses; *store.Store implements it.
type Store interface {
	// IdempotencyRecord returns the live record of API key keyID under key, or nil.
	IdempotencyRecord(ctx context.Context, keyID, key string, now time.Time) (*store.IdempotencyRecord, error)
	// RunIdempotent returns the live record of the key, or runs run in one transaction with
	// the record it returns (nil: nothing is kept). A key held by a running request is
	// EIDEMPOTENCYINFLIGHT.
	RunIdempotent(ctx context.Context, keyID, key string, now time.Time,
		run func(ctx context.Context) *store.IdempotencyRecord) (*store.IdempotencyRecord, error)
}

// Request is what the middleware needs to know of a request the transport has decoded.
type Request struct {
	// KeyID is the API key that sent it: Idempotency-Keys belong to it.
	KeyID string
	// Mutation: only a mutation is run at most once.
	Mutation bool
	// The GraphQL request as decoded; the same request sent with other whitespace or key
	// order is the same request.
	Query         string
	OperationName string
	Variables     map[string]any
}

// Transport is what the middleware needs of the HTTP transport it runs in.
type Transport interface {
	// Describe tells what the middleware needs of r; ok is false for a request it must leave
	// alone (one the transport did not decode, or sent without a key).
	Describe(r *http.Request) (req Request, ok bool)
	// Fail answers r with err, in the negotiated media type.
	Fail(w http.ResponseWriter, r *http.Request, err error)
	// Status is the status the response to r finally has, given the one its handler wrote
	// (errors may set it after the body's first bytes were chosen).
	Status(r *http.Request, written int) int
	// ContentType is the media type of the response to r.
	ContentType(r *http.Request) string
}

// Middleware makes idempotent the POSTs that carry an Idempotency-Key.
type Middleware struct {
	store Store
	now   func() time.Time
	// inflight holds the keys whose first request runs in this process: a concurrent retry is
	// answered at once, without waiting for the store's lock.
	inflight sync.Map
}

// New returns the middleware over st; now is the clock of the records' expiry (nil:
// time.Now).
func New(st Store, now func() time.Time) *Middleware {
	if now == nil {
		now = time.Now
	}
	return &Middleware{store: st, now: now}
}

// Wrap runs next at most once per key for the requests that carry one; t is the transport
// the middleware runs in.
func (m *Middleware) Wrap(t Transport, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header, ok := r.Header[Header]
		if !ok || r.Method != http.MethodPost {
			next.ServeHTTP(w, r)
			return
		}
		m.serve(t, w, r, header, next)
	})
}

func (m *Middleware) serve(t Transport, w http.ResponseWriter, r *http.Request, header []string, next http.Handler) {
	key := header[0]
	if len(header) != 1 || !validKey(key) {
		t.Fail(w, r, &apperr.Error{Code: apperr.EBADREQUEST,
			Message: "Idempotency-Key must be one header of 1 to 255 printable ASCII characters"})
		return
	}
	req, ok := t.Describe(r)
	if !ok || !req.Mutation {
		next.ServeHTTP(w, r)
		return
	}
	fingerprint, err := req.fingerprint()
	if err != nil {
		t.Fail(w, r, &apperr.Error{Code: apperr.EBADREQUEST, Message: "the request variables cannot be encoded"})
		return
	}
	// A retry while the first request runs in this process is refused at once, without
	// waiting for the database (on SQLite, for the first request's transaction to end).
	slot := req.KeyID + "\x00" + key
	if _, running := m.inflight.LoadOrStore(slot, struct{}{}); running {
		t.Fail(w, r, inFlight())
		return
	}
	defer m.inflight.Delete(slot)
	ctx, now := r.Context(), m.now()
	rec, err := m.store.IdempotencyRecord(ctx, req.KeyID, key, now)
	if err != nil {
		t.Fail(w, r, err)
		return
	}
	if rec != nil {
		m.replay(t, w, r, rec, fingerprint)
		return
	}

	buf := &bufferedResponse{header: w.Header()}
	status := 0
	rec, err = m.store.RunIdempotent(ctx, req.KeyID, key, now, func(txCtx context.Context) *store.IdempotencyRecord {
		next.ServeHTTP(buf, r.WithContext(txCtx))
		status = t.Status(r, buf.status())
		// Only an operation that ran is recorded (its 200 may carry errors such as CONFLICT,
		// which a retry must see again). A refusal (403, 429, 400) ran nothing and a failure
		// (503) is rolled back: a retry may run them afresh.
		if status != http.StatusOK {
			return nil
		}
		return &store.IdempotencyRecord{KeyID: req.KeyID, Key: key, Fingerprint: fingerprint, Status: status,
			Body: buf.body.String(), CreatedAt: now, ExpiresAt: now.Add(TTL)}
	})
	switch {
	case err != nil: // nothing of the request was committed
		t.Fail(w, r, err)
	case rec != nil: // another instance finished it between the first look and the lock
		m.replay(t, w, r, rec, fingerprint)
	default:
		w.WriteHeader(status)
		_, _ = w.Write(buf.body.Bytes())
	}
}

// fingerprint is the SHA-256 of the request as decoded (encoding/json sorts map keys).
func (q Request) fingerprint() (string, error) {
	canonical, err := json.Marshal(struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}{q.Query, q.OperationName, q.Variables})
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:]), nil
}

func inFlight() *apperr.Error {
	return &apperr.Error{Code: apperr.EIDEMPOTENCYINFLIGHT, Message: "a request with this Idempotency-Key is still running; retry later"}
}

// replay answers a retry with the recorded response, or 422 when its request differs.
func (m *Middleware) replay(t Transport, w http.ResponseWriter, r *http.Request, rec *store.IdempotencyRecord, fingerprint string) {
	if rec.Fingerprint != fingerprint {
		t.Fail(w, r, &apperr.Error{Code: apperr.EIDEMPOTENCYREUSED,
			Message: "this Idempotency-Key was used with a different request body; use a new key for a new request"})
		return
	}
	w.Header().Set("Content-Type", t.ContentType(r))
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(rec.Status)
	_, _ = w.Write([]byte(rec.Body))
}

// validKey: 1–255 printable ASCII characters.
func validKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// bufferedResponse holds a response until its record is committed. Headers go straight to
// the real response.
type bufferedResponse struct {
	header http.Header
	code   int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) WriteHeader(code int) {
	if b.code == 0 {
		b.code = code
	}
}
func (b *bufferedResponse) Write(p []byte) (int, error) { return b.body.Write(p) }
func (b *bufferedResponse) status() int {
	if b.code == 0 {
		return http.StatusOK
	}
	return b.code
}
