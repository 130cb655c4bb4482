package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/store"
)

// IdempotencyTTL is how long a recorded response is replayed.
const IdempotencyTTL = 24 * time.Hour

// idempotent runs a POST that carries an Idempotency-Key. A mutation runs in one request
// transaction together with the record of its response, so a crash leaves both or neither; a
// retry within IdempotencyTTL with the same body gets that response again (not run, not
// charged), with another body 422 IDEMPOTENCY_KEY_REUSED, while the first still runs 409.
// Keys belong to the API key that sent them. Anything but a mutation runs as usual: reading
// twice changes nothing.
func (a *API) idempotent(w http.ResponseWriter, r *http.Request, p *auth.Principal, header []string, params *graphql.RawParams) {
	key := header[0]
	if len(header) != 1 || !validIdempotencyKey(key) {
		writeError(w, r, &apperr.Error{Code: apperr.EBADREQUEST, Message: "Idempotency-Key must be one header of 1 to 255 printable ASCII characters"})
		return
	}
	// The decoder's cheap pass (cached by query text) already knows the operation's kind; a
	// query that does not parse is no mutation, and gqlgen answers it as usual.
	if a.shapeOf(r.Context(), params.Query).Operation(params.OperationName) != ast.Mutation {
		a.gql.ServeHTTP(w, r)
		return
	}
	// The request as decoded (encoding/json sorts map keys): the same request sent with other
	// whitespace or key order is the same request.
	canonical, err := json.Marshal(struct {
		Query         string         `json:"query"`
		OperationName string         `json:"operationName"`
		Variables     map[string]any `json:"variables"`
	}{params.Query, params.OperationName, params.Variables})
	if err != nil {
		writeError(w, r, &apperr.Error{Code: apperr.EBADREQUEST, Message: "the request variables cannot be encoded"})
		return
	}
	sum := sha256.Sum256(canonical)
	fingerprint := hex.EncodeToString(sum[:])
	ctx := r.Context()
	st := a.cfg.Store
	now := a.cfg.Limiter.Now()
	rec, err := st.IdempotencyRecord(ctx, p.Key.ID, key, now)
	if err != nil {
		writeError(w, r, asAppError(err))
		return
	}
	if rec != nil {
		replay(w, r, rec, fingerprint)
		return
	}
	// One process answers a concurrent retry at once; LockIdempotencyKey covers other instances.
	slot := p.Key.ID + "\x00" + key
	if _, running := a.inflight.LoadOrStore(slot, struct{}{}); running {
		writeError(w, r, inFlight())
		return
	}
	defer a.inflight.Delete(slot)

	txCtx, tx, err := st.BeginRequest(ctx)
	if err != nil {
		writeError(w, r, asAppError(err))
		return
	}
	defer tx.Rollback()
	if locked, err := st.LockIdempotencyKey(txCtx, p.Key.ID, key); err != nil || !locked {
		if err == nil {
			err = inFlight()
		}
		writeError(w, r, asAppError(err))
		return
	}
	// Another instance may have finished it between the first look and the lock.
	if rec, err = st.IdempotencyRecord(txCtx, p.Key.ID, key, now); err != nil || rec != nil {
		tx.Rollback()
		if err != nil {
			writeError(w, r, asAppError(err))
			return
		}
		replay(w, r, rec, fingerprint)
		return
	}

	buf := &bufferedResponse{header: w.Header()}
	a.gql.ServeHTTP(buf, r.WithContext(txCtx))
	status := buf.status()
	if s := stateFrom(ctx); s != nil {
		status = s.statusOr(status)
	}
	// Only an operation that ran is recorded (its 200 may carry errors such as CONFLICT, which
	// a retry must see again). A refusal (403, 429, 400) ran nothing and a failure (503)
	// is rolled back: a retry may run them afresh.
	if status == http.StatusOK {
		rec = &store.IdempotencyRecord{KeyID: p.Key.ID, Key: key, Fingerprint: fingerprint, Status: status,
			Body: buf.body.String(), CreatedAt: now, ExpiresAt: now.Add(IdempotencyTTL)}
		err = st.SaveIdempotencyRecord(txCtx, rec)
		if err == nil {
			err = tx.Commit()
		}
		if err != nil {
			// Nothing of the request was committed.
			tx.Rollback()
			if apperr.CodeOf(err) == apperr.ECONFLICT {
				err = inFlight()
			}
			writeError(w, r, asAppError(err))
			return
		}
	} else {
		tx.Rollback()
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.body.Bytes())
}

func inFlight() *apperr.Error {
	return &apperr.Error{Code: apperr.EIDEMPOTENCYINFLIGHT, Message: "a request with this Idempotency-Key is still running; retry later"}
}

// replay answers a retry with the recorded response, or 422 when its body differs.
func replay(w http.ResponseWriter, r *http.Request, rec *store.IdempotencyRecord, fingerprint string) {
	if rec.Fingerprint != fingerprint {
		writeError(w, r, &apperr.Error{Code: apperr.EIDEMPOTENCYREUSED,
			Message: "this Idempotency-Key was used with a different request body; use a new key for a new request"})
		return
	}
	w.Header().Set("Content-Type", responseType(r))
	w.Header().Set("Idempotent-Replayed", "true")
	w.WriteHeader(rec.Status)
	_, _ = w.Write([]byte(rec.Body))
}

// validIdempotencyKey: 1–255 printable ASCII characters.
func validIdempotencyKey(k string) bool {
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

// bufferedResponse holds a response until its idempotency record is committed. Headers go
// straight to the real response.
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
