package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"

	"github.com/wbk/crm/internal/access"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/idempotency"
	"github.com/wbk/crm/internal/reqinfo"
	"github.com/wbk/crm/internal/usage"
)

// This file is the request pipeline of /graphql, written down once: every stage a request
// passes, in the order it passes them, and the chain built from that list. Read pipeline()
// top to bottom to follow a request; each stage's code is named beside it.
//
// A stage has one or both of two hooks:
//   - http wraps the rest of an HTTP request (GET or POST /graphql, a /v1 route, an event
//     stream); the hooks nest in list order, the executor innermost.
//   - operation is a gqlgen extension that runs inside the executor for every operation,
//     whatever its transport — the websocket's operations too, which pass no http hook.
//     They are registered in list order; gqlgen runs them by kind (parameters, then the
//     operation context, then around the operation and its response), each kind in that
//     order.
//
// The order is the point: a request without a key is refused before anything looks at its
// document, a forbidden operation before it is priced or charged, an operation too complex
// to run before it is charged, and nothing runs that was not charged. TestPipelineOrder
// holds it.

// stage is one step of the pipeline.
type stage struct {
	name      string
	http      func(next serve) serve
	operation graphql.HandlerExtension
}

// serve is an http stage's view of a request: ctx is the request's context as the stages so
// far made it. r keeps its own context until the executor is handed the request: one copy
// of the request instead of one per value added.
type serve func(ctx context.Context, w http.ResponseWriter, r *http.Request)

// pipeline is every stage of a /graphql request, in order.
func (a *API) pipeline() []stage {
	return []stage{
		// A plain OPTIONS is answered (CORS preflights were, by the protocol middleware, for
		// every route); a websocket goes straight to the executor: it authenticates once, in
		// connection_init (websocketInit), and each of its operations passes the operation
		// stages below.
		{name: "options and websocket", http: a.optionsAndWebsocket},
		// The request's state (what later stages learn: status, root fields, charge), its
		// status writer and its deadline; on the way out, metrics and the request log.
		{name: "request state", http: a.requestState},
		// Method and media type (decode.go): refused before the body is read.
		{name: "envelope", http: a.envelope},
		// A declared body over the limit: refused before it is read.
		{name: "body limit", http: a.bodyLimit},
		// The API key (auth.Authenticate): every later stage knows who asks.
		{name: "key", http: a.key},
		// On the way out, the call is counted in the key's usage — refused or answered, with
		// its charge and errors — and so is each operation of a websocket. It wraps the
		// stages that may refuse a call, because a refused call is a call.
		{name: "usage", http: a.countUsage, operation: aroundOperations(a.countWebsocketOperation)},
		// The GraphQL parameters are read and checked (decode.go), and the document gets the
		// cheap pass (tokens, fields, depth) before anything parses it.
		{name: "decode", http: a.decode},
		// A POSTed mutation with an Idempotency-Key runs at most once (internal/idempotency).
		{name: "idempotency", http: a.idempotent},

		// The executor (gqlgen) from here; the stages below run for every transport.
		// A span per operation when tracing is on (tracing.go); outermost, so it covers them all.
		{name: "trace", operation: a.traceOperations()},
		{name: "introspection", operation: extension.Introspection{}},
		// Automatic persisted queries: a hash stands for a query sent before (transports.go).
		{name: "persisted queries", operation: persistedQueries{api: a, cache: a.cfg.APQCache}},
		// The cheap pass for documents that came over a websocket (wsshape.go).
		{name: "socket shape", operation: socketShapeGate{api: a}},
		// gqlgen parses and validates the document here, then runs the gates below in order.
		{name: "parse and validate"},
		// The root fields, for metrics and usage; a GET carries queries only (state.go).
		{name: "operation", operation: operationRecorder{}},
		// Text arguments must be UTF-8 without NUL (text.go).
		{name: "text", operation: presented{textGate{}}},
		// @hasPermission, for the whole operation at once (internal/access).
		{name: "permission", operation: presented{access.OperationGate{}}},
		// The operation's price (internal/cost); one too complex to run is refused here.
		{name: "price", operation: presented{priceGate{es: a.cfg.Schema}}},
		// The price is charged to the key's plan; over a window, 429 (limits.go).
		{name: "limit", operation: presented{limitGate{api: a}}},
		// Every response of an authenticated request reports its charge (limits.go).
		{name: "rate-limit report", operation: aroundResponses(a.rateLimitExtension)},
		// Lookups by id are batched per operation (Config.PerOperation, internal/loaders).
		{name: "loaders", operation: a.perOperation()},
		// Query operations answered by gqlfast, without gqlgen's per-field execution
		// (Config.Direct); innermost, inside the rate-limit report.
		{name: "direct reads", operation: a.cfg.Direct},
		// The resolvers.
		{name: "execution"},
	}
}

// buildPipeline registers the operation stages with the executor srv and nests the http
// stages around it, in the order of pipeline().
func (a *API) buildPipeline(srv graphqlServer) http.Handler {
	stages := a.pipeline()
	for _, s := range stages {
		if s.operation != nil {
			srv.Use(s.operation)
		}
	}
	next := serve(func(ctx context.Context, w http.ResponseWriter, r *http.Request) {
		srv.ServeHTTP(w, r.WithContext(ctx))
	})
	for i := len(stages) - 1; i >= 0; i-- {
		if stages[i].http != nil {
			next = stages[i].http(next)
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { next(r.Context(), w, r) })
}

// graphqlServer is the executor as the pipeline uses it (gqlgen's *handler.Server).
type graphqlServer interface {
	http.Handler
	Use(graphql.HandlerExtension)
}

func (a *API) optionsAndWebsocket(next serve) serve {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if isWebsocket(r) {
			if err := checkHandshake(r); err != nil {
				writeError(w, r, err)
				return
			}
			liftDeadlines(w)
			a.gql.ServeHTTP(w, withSocket(r))
			return
		}
		next(ctx, w, r)
	}
}

func (a *API) requestState(next serve) serve {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		// The state and its writer in one allocation: every request has both.
		rs := &struct {
			state requestState
			sw    statusWriter
		}{state: requestState{method: r.Method}}
		state, sw := &rs.state, &rs.sw
		*sw = statusWriter{ResponseWriter: w, state: state, beforeWrite: a.beforeWrite}
		state.writer = sw
		// Every statement runs under the request's context, so the deadline bounds them all;
		// a statement still waiting then fails (TIMEOUT) and its transaction rolls back.
		// An event stream lives as long as its subscription, like a websocket: a request that
		// may become one gets its deadline once the choice is made (decode).
		ctx, cancel := requestContext(withState(ctx, state), a.cfg.RequestTimeout, mayStream(r))
		defer cancel()
		next(ctx, sw, r)
		a.observe(ctx, state.finished(), time.Since(start))
	}
}

// observe accounts for a finished GraphQL request in the GraphQL metrics, and tells the
// request's log line (requestlog.go) what it ran, what it cost and whose key asked.
func (a *API) observe(ctx context.Context, sum summary, took time.Duration) {
	a.metrics.observe(sum.operation, sum.status, took)
	prefix := ""
	if p := sum.principal; p != nil {
		prefix = p.Key.Prefix
		plan := string(p.Workspace.Plan)
		a.metrics.callSeries.get(plan).Inc()
		if sum.failed {
			a.metrics.errorSeries.get(plan).Inc()
		}
	}
	if info := reqinfo.From(ctx); info != nil {
		info.Operation, info.Key, info.Cost = sum.operation, prefix, sum.charged
	}
}

func (a *API) envelope(next serve) serve {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) {
		if err := checkEnvelope(r); err != nil {
			writeError(w, r, err)
			return
		}
		next(ctx, w, r)
	}
}

func (a *API) bodyLimit(next serve) serve {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > a.cfg.MaxBodyBytes {
			writeError(w, r, tooLarge(a.cfg.MaxBodyBytes))
			return
		}
		next(ctx, w, r)
	}
}

func (a *API) key(next serve) serve {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) {
		p, err := a.cfg.Auth.Authenticate(ctx, r.Header.Get("Authorization"))
		if err != nil {
			writeError(w, r, asAppError(err))
			return
		}
		if state := stateFrom(ctx); state != nil {
			state.setPrincipal(p)
		}
		next(auth.WithPrincipal(ctx, p), w, r)
	}
}

// countUsage records the call in its key's usage once it is answered. Recording is in
// memory: the recorder flushes in batches, off the request's path.
func (a *API) countUsage(next serve) serve {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) {
		next(ctx, w, r)
		state, p := stateFrom(ctx), auth.PrincipalFrom(ctx)
		if state == nil || p == nil {
			return
		}
		sum := state.finished()
		a.cfg.Usage.Record(usage.Event{KeyID: p.Key.ID, WorkspaceID: p.Workspace.ID, At: a.cfg.Limiter.Now(),
			Cost: int(sum.charged), Failed: sum.failed, Operations: sum.fields, FailedOperations: sum.failedOps})
	}
}

func (a *API) decode(next serve) serve {
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) {
		params, err := readParams(w, r, a.cfg.MaxBodyBytes)
		stream := false
		if err == nil {
			ctx = withMarkedDocument(ctx, params)
			stream, err = a.checkShape(ctx, r, params)
		}
		if err != nil {
			// Refused before charging, like a 403: the key's windows as they are.
			var ext map[string]any
			if rate := currentRate(ctx, a.cfg.Limiter, stateFrom(ctx)); rate != nil {
				ext = map[string]any{"rateLimit": rateLimitDoc(rate, 0)}
			}
			writeErrorWith(w, r, err, ext)
			return
		}
		switch state := stateFrom(ctx); {
		case stream:
			state.stream = true
			liftDeadlines(w)
		case mayStream(r):
			// The request context was made without a deadline in case this was a stream.
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, a.cfg.RequestTimeout)
			defer cancel()
		}
		next(context.WithValue(ctx, paramsKey{}, params), w, r)
	}
}

// idempotent hands a POST with an Idempotency-Key to the idempotency middleware; every other
// request passes on as it is.
func (a *API) idempotent(next serve) serve {
	wrapped := a.cfg.Idempotency.Wrap(idempotencyTransport{a}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next(r.Context(), w, r)
	}))
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Header[idempotency.Header]; !ok || r.Method != http.MethodPost {
			next(ctx, w, r)
			return
		}
		wrapped.ServeHTTP(w, r.WithContext(ctx))
	}
}

// perOperation prepares each operation's context with Config.PerOperation, or is nil.
func (a *API) perOperation() graphql.HandlerExtension {
	per := a.cfg.PerOperation
	if per == nil {
		return nil
	}
	return aroundOperations(func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
		return next(per(ctx))
	})
}

// aroundOperations and aroundResponses make functions operation stages, as gqlgen's
// AroundOperations and AroundResponses do, so that they take their place in the list.
type aroundOperations func(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler

func (aroundOperations) ExtensionName() string                   { return "AroundOperations" }
func (aroundOperations) Validate(graphql.ExecutableSchema) error { return nil }
func (f aroundOperations) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return f(ctx, next)
}

type aroundResponses func(ctx context.Context, next graphql.ResponseHandler) *graphql.Response

func (aroundResponses) ExtensionName() string                   { return "AroundResponses" }
func (aroundResponses) Validate(graphql.ExecutableSchema) error { return nil }
func (f aroundResponses) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	return f(ctx, next)
}
