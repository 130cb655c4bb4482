// Package app is the composition root: the one place that builds the application's services
// (authentication, rate limiter, usage recorder, idempotency, Lexi, live events, webhooks),
// the resolvers and the executable schema, hands the schema to the HTTP transport and mounts
// the REST API (/v1) beside it. The server (server.go) and
// the HTTP tests (internal/testenv) both build the application here, so what the tests run is
// what the server runs.
//
// It is also the only package under internal/ that imports the resolvers and builds the
// executable schema: the layers below it (store, ratelimit, usage, events, lexi, httpapi)
// know nothing of them; cost reads the generated schema's complexity type for its prices.
package app

import (
	"context"
	"log/slog"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.opentelemetry.io/otel/trace"

	"github.com/wbk/crm/graph"
	"github.com/wbk/crm/internal/access"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/cost"
	"github.com/wbk/crm/internal/events"
	"github.com/wbk/crm/internal/gqlfast"
	"github.com/wbk/crm/internal/httpapi"
	"github.com/wbk/crm/internal/idempotency"
	"github.com/wbk/crm/internal/lexi"
	"github.com/wbk/crm/internal/loaders"
	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/rest"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/usage"
	"github.com/wbk/crm/internal/webhooks"
	"github.com/wbk/crm/resolvers"
)

// Config is what the application is built from: the opened store and the choices the
// environment makes. Only Store is required.
type Config struct {
	Store *store.Store
	Log   *slog.Logger // nil: slog.Default()
	// SDL is the schema text served at /schema.graphql.
	SDL string
	// Limits holds the rate-limit counters (process memory, or Redis shared by every
	// instance); nil: process memory.
	Limits *ratelimit.Failover
	// Plans are the rate limits per plan; nil: ratelimit.DefaultPlans().
	Plans ratelimit.Plans
	// Assistant answers Lexi chats; nil: the built-in assistant.
	Assistant lexi.Assistant
	// Now is the clock of the rate limiter's day and of usage days; nil: time.Now.
	Now func() time.Time
	// Registry receives the HTTP metrics, the database pool's and the rate-limit store's
	// state; nil: a fresh one with the Go and process collectors.
	Registry *prometheus.Registry
	// MetricsElsewhere keeps /metrics off the public handler (METRICS_ADDR serves it).
	MetricsElsewhere bool
	// MaxBodyBytes bounds a /graphql request body; 0: httpapi.DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// RequestTimeout bounds every request; 0: httpapi.DefaultRequestTimeout.
	RequestTimeout time.Duration
	// WebsocketInitTimeout bounds the wait for connection_init; 0: the default (10 s).
	WebsocketInitTimeout time.Duration
	// CORSOrigins are the origins browsers may call from (CORS_ORIGINS); empty: any origin.
	CORSOrigins []string
	// QuietRequests turns off the INFO line per request (REQUEST_LOG=off).
	QuietRequests bool
	// Tracing, when set, gives every GraphQL operation a span (internal/telemetry wraps the
	// HTTP handler, the database and Redis); nil: tracing is off.
	Tracing trace.TracerProvider
	// APQCache keeps automatic persisted queries; nil: a bounded in-process LRU.
	APQCache graphql.Cache[string]
	// APQCacheBytes bounds the in-process APQ cache when APQCache is nil (0: the default).
	APQCacheBytes int64
	// WebhookAllowPrivate lets webhooks reach http:// and private addresses (WEBHOOK_ALLOW_PRIVATE).
	WebhookAllowPrivate bool
	// GenericExecution leaves every query to gqlgen's generated executor instead of gqlfast
	// (graph/fast.go); the tests compare the two answers.
	GenericExecution bool
	// FastAnswered, when set, is told the name of every root field gqlfast answers (tests).
	FastAnswered func(field string)
}

// App is the built application: its HTTP handler and the services the server runs beside it
// (the usage recorder's flush loop, the events listener) and tests look into.
type App struct {
	Handler *httpapi.API
	Store   *store.Store
	Auth    *auth.Authenticator
	Limiter *ratelimit.Limiter
	Usage   *usage.Recorder
	// Events carries Lexi task changes to lexiTaskUpdated subscribers: the Lexi service
	// notifies it and the subscription resolver subscribes to it. In process; on PostgreSQL
	// the server also starts its listener (Events.StartListener) to hear other instances.
	Events *events.Broker
	// Webhooks delivers webhook events; the server runs it (Webhooks.Run) in every instance.
	Webhooks *webhooks.Worker
}

// New builds the application on cfg.Store.
func New(cfg Config) *App {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Limits == nil {
		cfg.Limits = ratelimit.NewMemory()
	}
	if cfg.Plans == nil {
		cfg.Plans = ratelimit.DefaultPlans()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
		cfg.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	registerDependencyMetrics(cfg.Registry, cfg.Store, cfg.Limits)
	a := &App{
		Store:   cfg.Store,
		Auth:    auth.NewAuthenticator(cfg.Store, cfg.Log),
		Limiter: ratelimit.New(cfg.Limits, cfg.Plans),
		Usage:   usage.NewRecorder(cfg.Store, cfg.Log),
		Events:  events.New(cfg.Store, cfg.Log),
	}
	if cfg.Now != nil {
		a.Limiter.Now = cfg.Now
		a.Usage.Now = cfg.Now
	}
	clock := cfg.Now
	if clock == nil {
		clock = time.Now
	}
	a.Webhooks = webhooks.NewWorker(webhooks.WorkerConfig{Store: cfg.Store, Log: cfg.Log, AllowPrivate: cfg.WebhookAllowPrivate,
		Now: clock, Metrics: webhooks.NewMetrics(cfg.Registry, cfg.Store, clock)})
	cfg.Store.OnWebhooksQueued(a.Webhooks.Wake)
	root := &resolvers.Resolver{
		Store:      cfg.Store,
		UsageStats: a.Usage,
		Limits:     httpapi.RateLimits{Limiter: a.Limiter},
		Lexi:       lexi.NewService(cfg.Store, cfg.Assistant, a.Events),
		Events:     keyCheckedEvents{events: a.Events, auth: a.Auth},
		Webhooks:   &webhooks.Service{Store: cfg.Store, AllowPrivate: cfg.WebhookAllowPrivate, Now: clock},
	}
	schema := NewExecutableSchema(root)
	var direct graphql.HandlerExtension
	if !cfg.GenericExecution {
		fast := gqlfast.New(graph.FastSchema(schema))
		fast.Answered = cfg.FastAnswered
		direct = fast
	}
	a.Handler = httpapi.New(httpapi.Config{
		Schema: schema,
		// Lookups by id are batched per operation, whatever the transport: a websocket
		// carries many operations over a long time, and what one read must not outlive it.
		PerOperation: func(ctx context.Context) context.Context {
			return loaders.With(ctx, loaders.New())
		},
		Store: cfg.Store, Auth: a.Auth, Limiter: a.Limiter, Usage: a.Usage, Log: cfg.Log, SDL: cfg.SDL,
		MaxBodyBytes: cfg.MaxBodyBytes, Registry: cfg.Registry, MetricsElsewhere: cfg.MetricsElsewhere,
		RequestTimeout: cfg.RequestTimeout, WebsocketInitTimeout: cfg.WebsocketInitTimeout,
		CORSOrigins: cfg.CORSOrigins, APQCache: cfg.APQCache, APQCacheBytes: cfg.APQCacheBytes, Direct: direct,
		QuietRequests: cfg.QuietRequests,
		Idempotency:   idempotency.New(cfg.Store, a.Limiter.Now),
		Tracer:        tracer(cfg.Tracing),
	})
	// /v1 is the REST API: persisted operations sent through the same /graphql pipeline.
	v1, err := rest.New(a.Handler.GraphQL(), schema.Schema(), a.Handler.Codes)
	if err != nil {
		panic(err) // operations.graphql does not match the schema: a build defect, caught by every test
	}
	a.Handler.Mount("/v1/", v1)
	cfg.Limits.OnFallback = a.Handler.CountLimitStoreFallback
	return a
}

// NewExecutableSchema is the GraphQL schema with its resolvers, the permission directive and
// the price of each connection (internal/cost). Pricing never calls a resolver, so tests of
// prices may pass nil.
func NewExecutableSchema(r *resolvers.Resolver) graphql.ExecutableSchema {
	return graph.NewExecutableSchema(graph.Config{
		Resolvers:  r,
		Directives: graph.DirectiveRoot{HasPermission: access.Directive},
		Complexity: cost.Complexity(),
	})
}

// tracer is the application's tracer from tp; nil when tracing is off.
func tracer(tp trace.TracerProvider) trace.Tracer {
	if tp == nil {
		return nil
	}
	return tp.Tracer("github.com/wbk/crm")
}
