package httpapi

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/cost"
	"github.com/wbk/crm/internal/ratelimit"
)

// requestState is what one /graphql request learns while gqlgen runs it: the status its
// errors call for, which root fields it ran and which of them failed (for metrics, usage and
// logs), who made it, and what the rate limiter said. It is the one carrier of the charge:
// the rate-limit gate writes it here, and the headers, extensions.rateLimit, the rateLimit
// field and usage read it from here. An operation on a websocket, which has no HTTP request,
// has one of its own (stateOf). Only its methods touch mu; the values set once and read
// whole (who, the estimate, the rate) are atomic pointers and need no lock.
type requestState struct {
	method string
	stream bool          // answered with an event stream (chooseStream)
	writer *statusWriter // the response's writer, which knows its status

	done bool    // the request was answered: sum is its summary
	sum  summary // under mu

	principal atomic.Pointer[auth.Principal]
	estimate  atomic.Pointer[cost.Estimate]
	rate      atomic.Pointer[ratelimit.Result]

	mu        sync.Mutex
	status    int
	fields    []string    // root field names, in order, without duplicates
	keys      []rootField // the root fields by response key (alias)
	failed    bool
	failedOps map[string]bool // root field names with an error

	// Room for the root fields of the usual operation, which has one or two: the state is
	// allocated anyway, slices of their own would be two more allocations per request.
	fieldsRoom [4]string
	keysRoom   [4]rootField
}

type rootField struct{ key, name string }

type stateKey struct{}

func withState(ctx context.Context, s *requestState) context.Context {
	return context.WithValue(ctx, stateKey{}, s)
}

func stateFrom(ctx context.Context) *requestState {
	s, _ := ctx.Value(stateKey{}).(*requestState)
	return s
}

// opStateKey keeps, in the operation's Stats, the state of an operation that has no HTTP
// request of its own (one on a websocket).
const opStateKey = "crm.state"

// stateOf is the state of operation oc: its HTTP request's, or for an operation on a
// websocket, the state operationRecorder (the first extension to see the operation) made
// for it.
func stateOf(ctx context.Context, oc *graphql.OperationContext) *requestState {
	if s := stateFrom(ctx); s != nil {
		return s
	}
	s, _ := oc.Stats.GetExtension(opStateKey).(*requestState)
	return s
}

// statusOr is the status the request's errors call for, or code when they call for none.
func (s *requestState) statusOr(code int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status != 0 {
		return s.status
	}
	return code
}

// setStatus keeps the first non-200 status: the error that stopped the request.
func (s *requestState) setStatus(code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.status == 0 && code != http.StatusOK {
		s.status = code
	}
}

func (s *requestState) setPrincipal(p *auth.Principal) { s.principal.Store(p) }
func (s *requestState) who() *auth.Principal           { return s.principal.Load() }

// recordError notes an error of the response: under a root field (by its response key), or
// of the whole operation when path is empty.
func (s *requestState) recordError(path []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failed = true
	if s.failedOps == nil {
		s.failedOps = map[string]bool{}
	}
	if len(path) == 0 {
		for _, f := range s.fields {
			s.failedOps[f] = true
		}
		return
	}
	for _, f := range s.keys {
		if f.key == path[0] {
			s.failedOps[f.name] = true
			break
		}
	}
}

func (s *requestState) setRate(r *ratelimit.Result)  { s.rate.Store(r) }
func (s *requestState) getRate() *ratelimit.Result   { return s.rate.Load() }
func (s *requestState) setEstimate(e *cost.Estimate) { s.estimate.Store(e) }

// dryRunPrice is the price of a dry run (rateLimit(dryRun: true)), which charges nothing;
// ok is false for any other operation.
func (s *requestState) dryRunPrice() (price int64, ok bool) {
	if e := s.estimate.Load(); e != nil && e.DryRun {
		return int64(e.Cost), true
	}
	return 0, false
}

// setRootFields notes the operation's root fields (one per response key).
func (s *requestState) setRootFields(fields []*ast.Field) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.keys == nil {
		s.keys, s.fields = s.keysRoom[:0], s.fieldsRoom[:0]
	}
	s.keys = s.keys[:0]
	for _, f := range fields {
		if !slices.ContainsFunc(s.keys, func(k rootField) bool { return k.key == f.Alias }) {
			s.keys = append(s.keys, rootField{key: f.Alias, name: f.Name})
		}
		if !slices.Contains(s.fields, f.Name) {
			s.fields = append(s.fields, f.Name)
		}
	}
}

// summary is the finished request as metrics, usage and logs see it.
type summary struct {
	status    int
	principal *auth.Principal
	operation string // root fields joined by ","
	fields    []string
	failedOps []string
	failed    bool
	charged   int64
}

// finished is the summary of the answered request, computed once for the stages that
// account for it on the way out (usage, metrics, the log).
func (s *requestState) finished() summary {
	status := s.writer.status()
	s.mu.Lock()
	done, sum := s.done, s.sum
	s.mu.Unlock()
	if done {
		return sum
	}
	sum = s.summary(status)
	s.mu.Lock()
	s.done, s.sum = true, sum
	s.mu.Unlock()
	return sum
}

func (s *requestState) summary(status int) summary {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum := summary{status: status, principal: s.principal.Load(), operation: strings.Join(s.fields, ","),
		fields: s.fields, failed: s.failed || status >= 400}
	for _, f := range s.fields {
		if s.failedOps[f] || (status >= 400 && len(s.failedOps) == 0) {
			sum.failedOps = append(sum.failedOps, f)
		}
	}
	if r := s.rate.Load(); r != nil {
		sum.charged = r.Cost
	}
	return sum
}

// operationRecorder notes the operation's root fields ("contacts", "createContact"): bounded
// by the schema, unlike client-chosen operation names, so fit for metric labels.
type operationRecorder struct{}

func (operationRecorder) ExtensionName() string                   { return "OperationRecorder" }
func (operationRecorder) Validate(graphql.ExecutableSchema) error { return nil }
func (operationRecorder) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	s := stateFrom(ctx)
	if s == nil {
		s = &requestState{}
		oc.Stats.SetExtension(opStateKey, s)
	}
	if s.method == http.MethodGet && oc.Operation.Operation != ast.Query {
		// Refused here, before anything is checked or charged: a GET must not change data.
		err := &apperr.Error{Code: apperr.EMETHOD, Message: "GET requests carry queries only: send mutations with POST"}
		return &gqlerror.Error{Message: err.Message, Err: err}
	}
	s.setRootFields(cost.RootFields(oc.Operation.SelectionSet))
	return nil
}

// statusWriter holds back the status line until the body starts, so that an error that
// gqlgen reports after choosing its status (a 403 from the permission gate, say) still sets
// the status docs/errors.md gives it, and so that the rate-limit headers, known only once the
// operation has been priced, still make it into the header.
type statusWriter struct {
	http.ResponseWriter
	state       *requestState
	beforeWrite func(http.Header, *requestState)
	code        int
	wroteHeader bool
}

func (w *statusWriter) WriteHeader(code int) {
	if !w.wroteHeader && w.code == 0 {
		w.code = code
	}
}

func (w *statusWriter) flushHeader() {
	if w.wroteHeader {
		return
	}
	w.wroteHeader = true
	code := w.code
	if code == 0 {
		code = http.StatusOK
	}
	code = w.state.statusOr(code)
	w.code = code
	switch {
	case code == http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
	case code == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "":
		w.Header().Set("Retry-After", retryAfterUnavailable)
	case code == http.StatusMethodNotAllowed:
		w.Header().Set("Allow", allowedMethods)
	}
	if w.beforeWrite != nil {
		w.beforeWrite(w.Header(), w.state)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	w.flushHeader()
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	w.flushHeader()
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
