// Package httpapi is the HTTP surface: /graphql with its middleware (authentication, body
// limit, status mapping, metrics), GraphiQL, health, readiness, metrics and the SDL.
//
// It is transport only: it is handed the executable schema (built by internal/app, the
// composition root) and the services a request passes through before and after it runs
// (authentication, the rate limiter, the usage recorder), and builds none of them.
package httpapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vektah/gqlparser/v2/ast"
	"go.opentelemetry.io/otel/trace"

	"github.com/wbk/crm/internal/access"
	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/apq"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/cost"
	"github.com/wbk/crm/internal/idempotency"
	"github.com/wbk/crm/internal/playground"
	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/usage"
	"github.com/wbk/crm/models"
)

// DefaultMaxBodyBytes is the largest request body /graphql accepts.
const DefaultMaxBodyBytes = 1 << 20

// DefaultRequestTimeout is the deadline of a /graphql request when none is configured.
const DefaultRequestTimeout = 10 * time.Second

// Config hands the handler what it serves and the services it calls. All but Log,
// MaxBodyBytes, Registry, PerOperation, RequestTimeout, WebsocketInitTimeout, CORSOrigins,
// APQCache and Direct are required.
type Config struct {
	// Schema is what /graphql executes.
	Schema graphql.ExecutableSchema
	// PerOperation, when set, prepares the context of every operation, whatever the
	// transport (the dataloaders).
	PerOperation func(context.Context) context.Context
	Store        *store.Store // readiness
	Auth         *auth.Authenticator
	Limiter      *ratelimit.Limiter
	Usage        *usage.Recorder
	Log          *slog.Logger
	SDL          string // served at /schema.graphql
	MaxBodyBytes int64
	Registry     *prometheus.Registry // nil: a fresh one
	// MetricsElsewhere keeps /metrics off the public mux: the server serves MetricsHandler on
	// a listener of its own (METRICS_ADDR), which need not be reachable from outside.
	MetricsElsewhere bool
	// RequestTimeout bounds every /graphql request (REQUEST_TIMEOUT); an operation still
	// running then answers 503 TIMEOUT and its transaction is rolled back. 0 is
	// DefaultRequestTimeout.
	RequestTimeout time.Duration
	// WebsocketInitTimeout closes (4408) a websocket without connection_init; 0 is
	// DefaultWebsocketInitTimeout. Tests shorten it.
	WebsocketInitTimeout time.Duration
	// CORSOrigins are the origins browsers may call from; empty or "*" is any origin.
	CORSOrigins []string
	// QuietRequests turns off the INFO line per request (REQUEST_LOG=off); metrics stay.
	QuietRequests bool
	// APQCache keeps automatic persisted queries by hash; nil: an in-process LRU of
	// APQCacheBytes (0: apq.DefaultCacheBytes).
	APQCache      graphql.Cache[string]
	APQCacheBytes int64
	// Direct, when set, answers query operations without gqlgen's per-field execution
	// (gqlfast: a response and root-field interceptor); it runs after every gate, innermost.
	Direct graphql.HandlerExtension
	// Tracer, when set, gives every GraphQL operation a span (tracing.go); nil: tracing is off.
	Tracer trace.Tracer
	// Idempotency runs a POSTed mutation with an Idempotency-Key at most once.
	Idempotency *idempotency.Middleware
}

// API is the application's HTTP handler.
type API struct {
	cfg     Config
	shapes  *lru.LRU[cost.Shape] // the cheap pass's verdicts by query text
	gql     *handler.Server      // the executor, innermost stage of the pipeline
	graphql http.Handler         // /graphql: the pipeline (pipeline.go)
	mux     *http.ServeMux
	root    http.Handler // mux wrapped in the protocol middleware
	metrics *metrics
	// httpSeries are the per-route request metrics' children (requestlog.go).
	httpSeries series[httpLabels, httpSeries]
	// beforeWrite is rateLimitHeaders as a func value made once, not per request.
	beforeWrite func(http.Header, *requestState)
	// mounted are the handlers beside /graphql that say which methods each route answers.
	mounted []mounted
}

// routeMethods is a mounted handler that knows its routes' methods (the REST API).
type routeMethods interface {
	Methods(escapedPath string) []string
}

type mounted struct {
	prefix  string
	methods routeMethods
}

// queryCacheBytes bounds the parsed documents kept; a parsed document is estimated at
// parsedDocumentBytes per byte of its text (its syntax tree of fields, arguments and
// positions is far larger than the text).
const (
	queryCacheBytes     = 32 << 20
	parsedDocumentBytes = 32
)

// New builds the handler.
func New(cfg Config) *API {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	cfg.Log = slog.New(requestIDLog{cfg.Log.Handler()})
	if cfg.APQCache == nil {
		cfg.APQCache = apq.NewLocal(cfg.APQCacheBytes)
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
		cfg.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.WebsocketInitTimeout == 0 {
		cfg.WebsocketInitTimeout = DefaultWebsocketInitTimeout
	}
	a := &API{cfg: cfg, mux: http.NewServeMux(), metrics: newMetrics(cfg.Registry), shapes: lru.New[cost.Shape](1000)}
	a.gql = a.newGraphQLServer()
	a.graphql = a.buildPipeline(a.gql)
	a.beforeWrite = a.rateLimitHeaders

	a.mux.Handle("/graphql", a.graphql)
	pg := playground.New()
	a.mux.Handle("GET /{$}", pg)
	a.mux.Handle("GET /playground/", pg)
	a.mux.Handle("GET /favicon.ico", pg)
	a.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	a.mux.HandleFunc("GET /readyz", a.ready)
	if !cfg.MetricsElsewhere {
		a.mux.Handle("GET /metrics", a.MetricsHandler())
	}
	a.mux.Handle("GET /schema.graphql", schemaHandler(servedSDL(cfg.SDL, cfg.Schema.Schema())))
	a.httpSeries.create = func(l httpLabels) httpSeries {
		return httpSeries{requests: a.metrics.httpRequests.WithLabelValues(l.route, l.method, strconv.Itoa(l.status)),
			duration: a.metrics.httpDuration.WithLabelValues(l.route, l.method)}
	}
	a.root = a.protocol(a.observeRequests(a.mux))
	return a
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.root.ServeHTTP(w, r) }

// GraphQL is the /graphql handler (the pipeline) without the protocol middleware, for
// transports that translate to GraphQL and are mounted beside it (the REST API's /v1).
func (a *API) GraphQL() http.Handler { return a.graphql }

// Mount serves h at pattern beside /graphql, behind the same protocol middleware (request
// ids, CORS, cache headers, gzip). The composition root mounts /v1 with it; call it before
// serving. A handler with a Methods(escapedPath) method tells CORS preflights the methods
// of each of its routes.
func (a *API) Mount(pattern string, h http.Handler) {
	if m, ok := h.(routeMethods); ok {
		a.mounted = append(a.mounted, mounted{prefix: strings.TrimSuffix(pattern, "/") + "/", methods: m})
	}
	a.mux.Handle(pattern, h)
}

// Codes is how an application error code reaches callers, from the one table (errors.go):
// its GraphQL code and the HTTP status of a request it stops. Transports mounted beside
// /graphql (the REST API) answer their own refusals with it.
func (a *API) Codes(code apperr.Code) (string, int) {
	tc := transportCodeOf(code)
	return tc.graphql, tc.status
}

// CountLimitStoreFallback counts a rate-limit operation served from process memory because
// Redis did not answer (the rate-limit store's OnFallback).
func (a *API) CountLimitStoreFallback() { a.metrics.storeFallbacks.Inc() }

// MetricsHandler serves the registry in Prometheus's text format: on the public listener at
// /metrics, or on a listener of its own (METRICS_ADDR) when Config.MetricsElsewhere is set.
func (a *API) MetricsHandler() http.Handler {
	return promhttp.HandlerFor(a.cfg.Registry, promhttp.HandlerOpts{})
}

func (a *API) newGraphQLServer() *handler.Server {
	schema := a.cfg.Schema
	srv := handler.New(schema)
	srv.AddTransport(websocketTransport{transport.Websocket{
		KeepAlivePingInterval: 15 * time.Second,
		Implementation: initGuard{timeout: a.cfg.WebsocketInitTimeout,
			WebsocketImplementation: transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{
				// Keys travel in connection_init, never in cookies, so any origin may connect.
				InsecureSkipVerify: true,
			}}},
		InitFunc: a.websocketInit,
	}})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(sseTransport()) // the requests chooseStream gave a stream
	// GET and POST: the request decoder (decode.go) has read and checked the parameters.
	srv.AddTransport(graphQLTransport{})
	srv.AddTransport(unrouted{})
	// Parsed documents by text, bounded in bytes like APQ's: a few huge documents must not
	// pin hundreds of megabytes, as a count of entries would let them.
	srv.SetQueryCache(apq.NewSized(queryCacheBytes, func(query string, _ *ast.QueryDocument) int64 {
		return parsedDocumentBytes*int64(len(query)) + 2048
	}))
	// Validation is quadratic in repeated fields; bounding the tokens bounds its work long
	// before the body limit would (the largest sensible operation is a few thousand tokens).
	srv.SetParserTokenLimit(cost.MaxTokens)
	// The extensions — the gates, the charge, the read path — are the operation stages of the
	// pipeline (pipeline.go), registered in its order.
	srv.SetErrorPresenter(presenter(a.cfg.Log, schema.Schema()))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		a.cfg.Log.ErrorContext(ctx, "panic while resolving", "panic", v)
		return &apperr.Error{Code: apperr.EINTERNAL, Message: "internal error"}
	})
	return srv
}

// websocketInit authenticates a websocket connection by its connection_init payload: a
// missing, malformed, unknown, revoked or expired key closes it with 4401; a key without
// LEXI closes it with 4403.
//
// The websocket transport exists for subscriptions, and every Subscription field needs LEXI
// today (lexiTaskUpdated is the only one), so a key without LEXI could never run anything on
// the connection: refusing it at connection_init answers the client once, with a close code,
// instead of with an error for each subscribe. A future subscription field needing another
// permission would change this check to "holds at least one subscription permission"; each
// operation is checked against the key by the permission gate regardless.
func (a *API) websocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	header, _ := payload["Authorization"].(string)
	if header == "" {
		header = payload.Authorization()
	}
	p, err := a.cfg.Auth.Authenticate(ctx, header)
	if err != nil {
		ctx = transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, socketCloseCode(err)), closeReason(err))
		return ctx, nil, err
	}
	if err := access.Require(auth.WithPrincipal(ctx, p), models.PermissionLexi); err != nil {
		ctx = transport.AppendCloseReason(transport.WithWebsocketCloseCode(ctx, 4403), closeReason(err))
		return ctx, nil, err
	}
	ctx = auth.WithPrincipal(ctx, p)
	return ctx, nil, nil
}

// socketCloseCode is the close code of a websocket whose key check failed with err: 4401,
// or 4503 when the database did not answer.
func socketCloseCode(err error) int {
	if apperr.CodeOf(err) == apperr.EUNAVAILABLE {
		return 4503
	}
	return 4401
}

// closeReason is the websocket close frame's reason for a refused connection_init: the
// GraphQL code and, for a 401, its reason ("UNAUTHENTICATED: EXPIRED_KEY").
// A close reason is at most 123 bytes, so the message stays out of it.
func closeReason(err error) string {
	e := asAppError(err)
	tc := transportCodeOf(e.Code)
	if e.Reason != "" {
		return tc.graphql + ": " + e.Reason
	}
	if len(e.Missing) > 0 {
		return tc.graphql + ": missing " + strings.Join(e.Missing, ", ")
	}
	return tc.graphql
}

func (a *API) ready(w http.ResponseWriter, r *http.Request) {
	if err := a.cfg.Store.Ping(r.Context()); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "down"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

func tooLarge(limit int64) *apperr.Error {
	return &apperr.Error{Code: apperr.ETOOLARGE, Message: "the request body is larger than " + strconv.FormatInt(limit, 10) + " bytes"}
}

func asAppError(err error) *apperr.Error {
	if e := apperr.As(err); e != nil {
		return e
	}
	if errors.Is(err, context.Canceled) {
		return clientGone()
	}
	return &apperr.Error{Code: apperr.EINTERNAL, Message: "internal error"}
}
