// Package httpapi is the HTTP surface: /graphql with its middleware (authentication, body
// limit, status mapping, metrics), GraphiQL, health, readiness, metrics and the SDL.
package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	coderws "github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/graph"
	"github.com/wbk/crm/internal/access"
	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/loaders"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/resolvers"
)

// DefaultMaxBodyBytes is the largest request body /graphql accepts.
const DefaultMaxBodyBytes = 1 << 20

// Config wires the handler to the application's services.
type Config struct {
	Store        *store.Store
	Auth         *auth.Authenticator
	Log          *slog.Logger
	SDL          string // served at /schema.graphql
	MaxBodyBytes int64
	Registry     *prometheus.Registry // nil: a fresh one
}

// API is the application's HTTP handler.
type API struct {
	cfg     Config
	gql     *handler.Server
	mux     *http.ServeMux
	metrics *metrics
}

// New builds the handler.
func New(cfg Config) *API {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
		cfg.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	a := &API{cfg: cfg, mux: http.NewServeMux(), metrics: newMetrics(cfg.Registry)}
	a.gql = a.newGraphQLServer()

	a.mux.Handle("/graphql", a.graphqlHandler())
	a.mux.Handle("GET /{$}", playground.Handler("CRM GraphQL API", "/graphql",
		playground.WithGraphiqlUiHeaders(map[string]string{"Authorization": "Bearer wbk_…"})))
	a.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	a.mux.HandleFunc("GET /readyz", a.ready)
	a.mux.Handle("GET /metrics", promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{}))
	a.mux.HandleFunc("GET /schema.graphql", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, cfg.SDL)
	})
	return a
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) { a.mux.ServeHTTP(w, r) }

func (a *API) newGraphQLServer() *handler.Server {
	schema := graph.NewExecutableSchema(graph.Config{
		Resolvers:  &resolvers.Resolver{Store: a.cfg.Store},
		Directives: graph.DirectiveRoot{HasPermission: access.Directive},
	})
	srv := handler.New(schema)
	srv.AddTransport(transport.Websocket{
		KeepAlivePingInterval: 15 * time.Second,
		Implementation: transport.CoderWebsocketImplementation{AcceptOptions: coderws.AcceptOptions{
			// Keys travel in connection_init, never in cookies, so any origin may connect.
			InsecureSkipVerify: true,
		}},
		InitFunc: a.websocketInit,
	})
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.AddTransport(transport.GRAPHQL{})
	srv.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	srv.Use(extension.Introspection{})
	srv.Use(operationRecorder{})
	srv.Use(access.OperationGate{})
	srv.SetErrorPresenter(presenter(a.cfg.Log))
	srv.SetRecoverFunc(func(ctx context.Context, v any) error {
		a.cfg.Log.ErrorContext(ctx, "panic while resolving", "panic", v)
		return &apperr.Error{Code: apperr.EINTERNAL, Message: "internal error"}
	})
	return srv
}

// websocketInit authenticates a websocket connection by its connection_init payload.
func (a *API) websocketInit(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
	header, _ := payload["Authorization"].(string)
	if header == "" {
		header = payload.Authorization()
	}
	p, err := a.cfg.Auth.Authenticate(ctx, header)
	if err != nil {
		code := 4401
		if apperr.CodeOf(err) == apperr.EUNAVAILABLE {
			code = 4503
		}
		return transport.WithWebsocketCloseCode(ctx, code), nil, err
	}
	ctx = auth.WithPrincipal(ctx, p)
	return loaders.With(ctx, loaders.New(a.cfg.Store)), nil, nil
}

func (a *API) graphqlHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setCORS(w.Header())
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if r.Header.Get("Upgrade") != "" {
			// A subscription outlives the server's read and write timeouts, which are meant
			// for ordinary requests; the websocket transport keeps the connection alive with
			// pings instead.
			rc := http.NewResponseController(w)
			_ = rc.SetReadDeadline(time.Time{})
			_ = rc.SetWriteDeadline(time.Time{})
			a.gql.ServeHTTP(w, r)
			return
		}
		start := time.Now()
		state := &requestState{}
		sw := &statusWriter{ResponseWriter: w, state: state}
		a.serveGraphQL(sw, r.WithContext(withState(r.Context(), state)))
		_, operation := state.get()
		a.metrics.observe(operation, sw.status(), time.Since(start))
		level := slog.LevelDebug
		if sw.status() >= 500 {
			level = slog.LevelWarn
		}
		a.cfg.Log.Log(r.Context(), level, "graphql request", "method", r.Method, "status", sw.status(),
			"operation", operation, "key", state.getKeyPrefix(), "duration", time.Since(start))
	})
}

func (a *API) serveGraphQL(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > a.cfg.MaxBodyBytes {
		writeError(w, tooLarge(a.cfg.MaxBodyBytes))
		return
	}
	p, err := a.cfg.Auth.Authenticate(r.Context(), r.Header.Get("Authorization"))
	if err != nil {
		writeError(w, asAppError(err))
		return
	}
	if s := stateFrom(r.Context()); s != nil {
		s.setKeyPrefix(p.Key.Prefix)
	}
	ctx := auth.WithPrincipal(r.Context(), p)
	if r.Method == http.MethodPost {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, a.cfg.MaxBodyBytes))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			writeError(w, tooLarge(a.cfg.MaxBodyBytes))
			return
		case err != nil:
			writeError(w, &apperr.Error{Code: apperr.EINVALID, Message: "could not read the request body"})
			return
		case isJSON(r) && !json.Valid(body):
			writeJSON(w, http.StatusBadRequest, map[string]any{"errors": []map[string]any{{
				"message": "the request body is not valid JSON", "extensions": map[string]any{"code": "BAD_REQUEST"}}}})
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	ctx = loaders.With(ctx, loaders.New(a.cfg.Store))
	a.gql.ServeHTTP(w, r.WithContext(ctx))
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
	return &apperr.Error{Code: apperr.EINTERNAL, Message: "internal error"}
}

func isJSON(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return len(ct) >= 16 && ct[:16] == "application/json"
}

func setCORS(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept")
	h.Set("Access-Control-Expose-Headers", "X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Used, X-RateLimit-Reset, "+
		"X-RateLimit-Minute-Limit, X-RateLimit-Minute-Remaining, X-RateLimit-Minute-Reset, X-RateLimit-Cost, "+
		"RateLimit, RateLimit-Policy, Retry-After")
	h.Set("Access-Control-Max-Age", "600")
}
