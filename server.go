// Command crm is the CRM GraphQL API server and its admin CLI (crm --help lists the commands
// and the environment; crm --version prints the build).
//
//	crm [serve]                      start the server (the default)
//	crm workspace create|list        manage tenants
//	crm key create|list|revoke|rotate manage API keys
//	crm prospects import FILE.csv    load the shared prospect catalog
//
// Every command reads DATABASE_URL (unset: the embedded SQLite database in ./data/) and
// applies pending migrations first.
package main

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/99designs/gqlgen/graphql"

	"github.com/wbk/crm/internal/app"
	"github.com/wbk/crm/internal/apq"
	"github.com/wbk/crm/internal/lexi"
	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/store"
)

//go:embed schema.graphqls
var sdl string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}

// config is the server's environment.
type config struct {
	Addr        string
	DatabaseURL string
	SQLitePath  string
	RedisURL    string
	Plans       ratelimit.Plans
	LogLevel    slog.Level
	// RequestTimeout (REQUEST_TIMEOUT, a Go duration or whole seconds; default 10s) bounds
	// every request and every database statement.
	RequestTimeout time.Duration
	PprofAddr      string   // set: Go's profiles on a listener of their own (off by default)
	MetricsAddr    string   // set: /metrics on a listener of its own instead of the public one
	CORSOrigins    []string // CORS_ORIGINS, comma-separated; empty is any origin
	QuietRequests  bool     // REQUEST_LOG=off: no INFO line per request
	// WebhookAllowPrivate (WEBHOOK_ALLOW_PRIVATE=true) lets webhooks use http:// and reach
	// loopback and private addresses: local development and tests only.
	WebhookAllowPrivate bool
	// APQCacheBytes (APQ_CACHE_BYTES; default 32 MiB) bounds the persisted documents kept in
	// memory.
	APQCacheBytes int64
}

func loadConfig(getenv func(string) string) (config, error) {
	cfg := config{Addr: getenv("ADDR"), DatabaseURL: getenv("DATABASE_URL"), SQLitePath: store.DefaultSQLitePath,
		RedisURL: getenv("REDIS_URL"), PprofAddr: getenv("PPROF_ADDR"), MetricsAddr: getenv("METRICS_ADDR"),
		CORSOrigins: strings.Split(getenv("CORS_ORIGINS"), ","), WebhookAllowPrivate: getenv("WEBHOOK_ALLOW_PRIVATE") == "true"}
	switch v := strings.ToLower(getenv("REQUEST_LOG")); v {
	case "", "on", "true", "1":
	case "off", "false", "0":
		cfg.QuietRequests = true
	default:
		return cfg, fmt.Errorf("REQUEST_LOG must be on or off, got %q", v)
	}
	plans, err := ratelimit.ParsePlans(getenv("PLAN_LIMITS"))
	if err != nil {
		return cfg, err
	}
	cfg.Plans = plans
	if cfg.Addr == "" {
		// The zero-setup start prints a full-permission key: it listens on this machine only
		// unless ADDR says otherwise.
		cfg.Addr = ":8080"
		if cfg.DatabaseURL == "" {
			cfg.Addr = "127.0.0.1:8080"
		}
	}
	if cfg.RequestTimeout, err = parseRequestTimeout(getenv("REQUEST_TIMEOUT")); err != nil {
		return cfg, err
	}
	if v := getenv("APQ_CACHE_BYTES"); v != "" {
		if cfg.APQCacheBytes, err = strconv.ParseInt(v, 10, 64); err != nil || cfg.APQCacheBytes <= 0 {
			return cfg, fmt.Errorf("APQ_CACHE_BYTES: want a positive number of bytes, got %q", v)
		}
	}
	if lvl := getenv("LOG_LEVEL"); lvl != "" {
		if err := cfg.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			return cfg, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, got %q", lvl)
		}
	}
	return cfg, nil
}

// run executes one command and returns the process exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if helpOrVersion(args, stdout) {
		return 0
	}
	cfg, err := loadConfig(getenv)
	if err != nil {
		fmt.Fprintln(stderr, "error:", err)
		return 2
	}
	log := slog.New(slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	installDependencyLoggers(log)
	cli := &cli{cfg: cfg, log: log, stdout: stdout, stderr: stderr, getenv: getenv}
	if len(args) == 0 || args[0] == "serve" {
		if err := cli.serve(ctx); err != nil {
			log.Error("server stopped", "err", err)
			return 1
		}
		return 0
	}
	return cli.dispatch(ctx, args)
}

func (c *cli) openStore(ctx context.Context) (*store.Store, error) {
	st, err := store.Open(store.Options{URL: c.cfg.DatabaseURL, SQLitePath: c.cfg.SQLitePath, Logger: c.log,
		StatementTimeout: c.cfg.RequestTimeout})
	if err != nil {
		return nil, err
	}
	if err := st.Migrate(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	return st, nil
}

func (c *cli) serve(ctx context.Context) error {
	// Migrations and the demo seed finish even if a signal arrives meanwhile: they are short,
	// and a half-seeded demo would never be completed (it is made only on an empty database).
	setup := context.WithoutCancel(ctx)
	// The port first: one that is taken is reported before anything is seeded or printed.
	ln, err := net.Listen("tcp", c.cfg.Addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s (set ADDR to another address): %w", c.cfg.Addr, err)
	}
	defer ln.Close() // after a failed start; Serve closes it otherwise
	st, err := c.openStoreWhenReachable(ctx, ln)
	if err != nil {
		return err
	}
	defer st.Close()
	if st.Dialect() == store.SQLite {
		if err := c.welcome(setup, st, ln.Addr()); err != nil {
			return fmt.Errorf("demo workspace: %w", err)
		}
	}
	tracing, stopTracing, err := c.startTracing(setup, st)
	if err != nil {
		return err
	}
	defer stopTracing()
	limitStore := ratelimit.NewMemory()
	if c.cfg.RedisURL != "" {
		if limitStore, err = ratelimit.NewRedis(setup, c.cfg.RedisURL, "", c.log); err != nil {
			return fmt.Errorf("REDIS_URL: %w", err)
		}
	}
	// Automatic persisted queries are shared by every instance through Redis when there is one.
	var apqCache graphql.Cache[string]
	if c.cfg.RedisURL != "" {
		shared, err := apq.NewRedis(c.cfg.RedisURL, "", c.cfg.APQCacheBytes, c.log)
		if err != nil {
			return fmt.Errorf("REDIS_URL: %w", err)
		}
		defer shared.Close()
		apqCache = shared
	}
	var assistant lexi.Assistant // nil: the built-in assistant
	provider, ok, err := lexi.ProviderFromEnv(c.getenv, st)
	if err != nil {
		return err
	}
	if ok {
		provider.Log = c.log
		assistant = provider // assigned only when set: a nil *Provider is not a nil Assistant
		c.log.Info("lexi: provider mode", "provider", provider)
	}
	application := app.New(app.Config{Store: st, Log: c.log, SDL: sdl, Limits: limitStore, Plans: c.cfg.Plans,
		Assistant: assistant, CORSOrigins: c.cfg.CORSOrigins, APQCache: apqCache, APQCacheBytes: c.cfg.APQCacheBytes,
		RequestTimeout: c.cfg.RequestTimeout, QuietRequests: c.cfg.QuietRequests,
		MetricsElsewhere: c.cfg.MetricsAddr != "", WebhookAllowPrivate: c.cfg.WebhookAllowPrivate, Tracing: tracing})
	recorder, broker := application.Usage, application.Events
	// Live Lexi updates: in process on the embedded database; on PostgreSQL every instance
	// also announces its changes with pg_notify and hears the others' on a LISTEN connection.
	if st.Dialect() == store.Postgres {
		listener := broker.StartListener(c.cfg.DatabaseURL)
		defer listener.Stop()
	}

	srv := &http.Server{
		Addr:              c.cfg.Addr,
		Handler:           traced(tracing, application.Handler),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(c.log.Handler(), slog.LevelWarn),
	}
	// Subscriptions live on hijacked websocket connections, which Shutdown does not drain:
	// completing them lets their clients know to reconnect elsewhere.
	srv.RegisterOnShutdown(broker.Close)
	if c.cfg.PprofAddr != "" {
		// Profiles are a diagnostic aid: an address that cannot be bound (taken by another
		// profiler already in the process, say) is reported, and the API serves regardless.
		if _, stopPprof, err := startPprof(c.cfg.PprofAddr, c.log); err != nil {
			c.log.Warn("PPROF_ADDR: profiles not served", "err", err)
		} else {
			defer stopPprof()
		}
	}
	if c.cfg.MetricsAddr != "" {
		_, stopMetrics, err := serveSide("metrics", c.cfg.MetricsAddr, application.Handler.MetricsHandler(), c.log)
		if err != nil {
			return fmt.Errorf("METRICS_ADDR: %w", err)
		}
		defer stopMetrics()
	}
	// The usage recorder writes usage counts and lastUsedAt in batches, never on a request's
	// path; cancelling it flushes once more, after the last request has drained.
	background, stopBackground := context.WithCancel(context.WithoutCancel(ctx))
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		recorder.Run(background, 5*time.Second)
	}()
	go sweepIdempotencyRecords(background, st, c.log)
	// Webhook deliveries: every instance runs a worker; they share the queue in the database.
	go application.Webhooks.Run(background)
	c.log.Info("listening", "addr", ln.Addr().String(), "database", st.Dialect(), "shared_rate_limits", limitStore.Shared())

	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	select {
	case err := <-serveErr:
		stopBackground()
		<-flushed
		return err
	case <-ctx.Done():
	}
	c.log.Info("shutting down: draining in-flight requests")
	drain, cancel := context.WithTimeout(context.Background(), 25*time.Second)
	defer cancel()
	err = srv.Shutdown(drain)
	stopBackground() // flushes pending usage and lastUsedAt once more
	<-flushed
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

// sweepIdempotencyRecords deletes expired Idempotency-Key records every few minutes, in
// batches, so that requests never write more than their own record. Several instances
// sweeping at once delete disjoint or already-deleted rows: harmless.
func sweepIdempotencyRecords(ctx context.Context, st *store.Store, log *slog.Logger) {
	tick := time.NewTicker(5 * time.Minute)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		for {
			n, err := st.DeleteExpiredIdempotencyRecords(ctx, time.Now().UTC(), 1000)
			if err != nil {
				log.Warn("idempotency sweep failed; retried at the next tick", "err", err)
				break
			}
			if n < 1000 {
				break
			}
		}
	}
}
