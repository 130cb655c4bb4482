// Package store is the data layer: GORM on PostgreSQL or the embedded SQLite database,
// versioned migrations, tenant isolation (tenant.go) and one method per use case. Writes run
// in a transaction; reads are single statements. Errors leave here as *apperr.Error.
package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/glebarez/sqlite"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/driver/postgres"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wbk/crm/internal/apperr"
)

// DefaultSQLitePath is where the embedded database lives when DATABASE_URL is unset.
const DefaultSQLitePath = "data/crm.db"

// Store is the application's access to its database.
type Store struct {
	db      *gorm.DB
	dialect Dialect
	log     *slog.Logger
	// webhooksQueued wakes the webhook worker after a commit that queued deliveries.
	webhooksQueued atomic.Pointer[func()]
}

// Options tune Open.
type Options struct {
	// URL is a postgres:// URL; empty means the embedded SQLite database at SQLitePath.
	URL        string
	SQLitePath string
	Logger     *slog.Logger
	// SQLLogger, when set, sees every statement (tests count statements with it).
	SQLLogger logger.Interface
	// StatementTimeout, when set, is PostgreSQL's statement_timeout on every connection: the
	// server itself gives up on a statement that outlives the request that sent it.
	StatementTimeout time.Duration
	// ConnectTimeout bounds opening one PostgreSQL connection, its startup handshake
	// included, unless the URL sets connect_timeout; 0 is DefaultConnectTimeout. Without it a
	// database that accepts connections but does not answer (frozen, half-failed over) would
	// hang the server's start and every request that needs a new pooled connection.
	ConnectTimeout time.Duration
}

// DefaultConnectTimeout is Options.ConnectTimeout's default.
const DefaultConnectTimeout = 10 * time.Second

// Open connects to the database. It does not migrate: call Migrate.
func Open(opts Options) (*Store, error) {
	log := opts.Logger
	if log == nil {
		log = slog.Default()
	}
	cfg := &gorm.Config{
		SkipDefaultTransaction: true, // writes open their own transactions
		PrepareStmt:            true,
		TranslateError:         true,
		NowFunc:                Now,
		Logger:                 logger.Discard,
	}
	if opts.SQLLogger != nil {
		cfg.Logger = opts.SQLLogger
	}
	var (
		dialector gorm.Dialector
		dialect   Dialect
	)
	switch {
	case strings.HasPrefix(opts.URL, "postgres://"), strings.HasPrefix(opts.URL, "postgresql://"):
		pgCfg, err := pgx.ParseConfig(withStatementTimeout(opts.URL, opts.StatementTimeout))
		if err != nil {
			return nil, fmt.Errorf("DATABASE_URL: %w", err)
		}
		// pgx's default, kept on purpose: each connection prepares a statement once and then
		// runs it by name. Measured on the dashboard's reads (BenchmarkStoreDashboard) against
		// describe-only caching, unprepared execution and the simple protocol, it is the
		// fastest and allocates least; database/sql's statements (GORM's PrepareStmt) and the
		// native reads (pgxread.go) both use it.
		pgCfg.DefaultQueryExecMode = pgx.QueryExecModeCacheStatement
		// Every statement is planned for its parameters. A cached statement otherwise switches
		// to a generic plan after five executions, costed for the average workspace: one
		// tenant's millions of rows then decide how a small tenant's request is read (a
		// backward walk of a whole index where its own rows are a few hundred), and the
		// reverse. Planning each execution costs less than a round trip; the statement keeps
		// its parse and its description. The URL's plan_cache_mode wins.
		if _, set := pgCfg.RuntimeParams["plan_cache_mode"]; !set {
			pgCfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
		}
		// No JIT compilation: every statement here reads a page, and a big tenant's row
		// estimates push a statement's cost past jit_above_cost, where compiling it would take
		// tens of milliseconds longer than running it. The URL's jit wins.
		if _, set := pgCfg.RuntimeParams["jit"]; !set {
			pgCfg.RuntimeParams["jit"] = "off"
		}
		if pgCfg.ConnectTimeout == 0 { // the URL's connect_timeout wins
			pgCfg.ConnectTimeout = cmp.Or(opts.ConnectTimeout, DefaultConnectTimeout)
		}
		pgCfg.BuildContextWatcherHandler = func(c *pgconn.PgConn) ctxwatch.Handler {
			return &cancelKeepsConn{
				cancel:   &pgconn.CancelRequestContextWatcherHandler{Conn: c, DeadlineDelay: 2 * time.Second},
				deadline: &pgconn.DeadlineContextWatcherHandler{Conn: c.Conn()},
			}
		}
		dialector, dialect = postgres.New(postgres.Config{Conn: stdlib.OpenDB(*pgCfg)}), Postgres
	case opts.URL == "":
		path := opts.SQLitePath
		if path == "" {
			path = DefaultSQLitePath
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("create database folder: %w", err)
		}
		dsn := "file:" + path + "?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)"
		dialector, dialect = sqlite.Open(dsn), SQLite
	default:
		return nil, errNotPostgresURL
	}
	db, err := gorm.Open(dialector, cfg)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", dialect, err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if dialect == SQLite {
		// SQLite allows one writer; a single connection turns lock contention into queueing
		// instead of SQLITE_BUSY errors in the middle of a transaction.
		sqlDB.SetMaxOpenConns(1)
	} else {
		sqlDB.SetMaxOpenConns(20)
		sqlDB.SetMaxIdleConns(20) // as registerReadRetry restores it
		sqlDB.SetConnMaxIdleTime(5 * time.Minute)
	}
	if err := registerTenantCallbacks(db); err != nil {
		return nil, err
	}
	maxIdle := 20
	if dialect == SQLite {
		maxIdle = 1
	}
	dropIdle := dropIdleConnections(sqlDB, maxIdle)
	if err := registerReadRetry(db, dropIdle); err != nil {
		return nil, err
	}
	if dialect == Postgres {
		if err := db.Use(&nativeReads{pool: sqlDB, dropIdle: dropIdle}); err != nil {
			return nil, err
		}
	}
	if err := registerRequestTxCallbacks(db); err != nil {
		return nil, err
	}
	return &Store{db: db, dialect: dialect, log: log}, nil
}

// Now is the store's clock: UTC with the microsecond precision both databases keep, so that a
// value read back equals the value written.
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Dialect names the database behind a store.
type Dialect string

// The databases a store runs on.
const (
	Postgres Dialect = "postgres"
	SQLite   Dialect = "sqlite" // the embedded database
)

// Dialect is the database behind the store.
func (s *Store) Dialect() Dialect { return s.dialect }

// DB exposes the underlying handle for tests and the admin CLI; it is still tenant-guarded.
func (s *Store) DB() *gorm.DB { return s.db }

// Close closes the connection pool.
func (s *Store) Close() error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	return sqlDB.Close()
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	sqlDB, err := s.db.DB()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return sqlDB.PingContext(ctx)
}

// write runs fn in one transaction and translates its error. Inside a request transaction
// (BeginRequest) it is a savepoint of it: it commits with the request or not at all.
func (s *Store) write(ctx context.Context, fn func(tx *gorm.DB) error) error {
	mark := &outboxMark{}
	ctx = context.WithValue(ctx, outboxKey{}, mark)
	if err := s.translate(s.handle(ctx).Transaction(fn)); err != nil {
		return err
	}
	s.announceQueued(ctx, mark)
	return nil
}

// read returns a handle for single-statement reads; inside a request transaction they read
// through it (they see its writes, and on SQLite there is no other connection to read with).
func (s *Store) read(ctx context.Context) *gorm.DB { return s.handle(ctx) }

func (s *Store) handle(ctx context.Context) *gorm.DB {
	if rt := requestTxFrom(ctx); rt != nil && rt.store == s {
		return rt.tx.WithContext(ctx)
	}
	return s.db.WithContext(ctx)
}

// translate turns database errors into application errors (dberr.go classifies them).
// Messages of unexpected errors are logged here and never shown to callers.
func (s *Store) translate(err error) error {
	if err == nil {
		return nil
	}
	if e := apperr.As(err); e != nil {
		return e
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	if isCanceledByClient(err) {
		return fmt.Errorf("%w: %w", context.Canceled, err)
	}
	if e := classify(err); e != nil {
		if e.Code == apperr.EUNAVAILABLE || e.Code == apperr.ETIMEOUT {
			s.log.Warn("database unavailable", "err", err, "code", string(e.Code))
		}
		return e
	}
	s.log.Error("database error", "err", err)
	return &apperr.Error{Code: apperr.EINTERNAL, Message: "internal error"}
}

// cancelKeepsConn is what a PostgreSQL connection does when the context of its statement
// ends. Canceled (the client went away): the statement is canceled in the server and the
// connection is kept. pgx's default, a read deadline, closes the connection instead: a burst
// of clients leaving at once (a load generator stopping) left the pool full of broken
// connections, and the next requests failed with 503 "bad connection". Past its deadline: the
// read is interrupted at once, as by default; the deadline also backs up a cancel that the
// server does not answer.
type cancelKeepsConn struct {
	cancel   *pgconn.CancelRequestContextWatcherHandler
	deadline *pgconn.DeadlineContextWatcherHandler
	used     ctxwatch.Handler // set by HandleCancel before HandleUnwatchAfterCancel runs
}

func (h *cancelKeepsConn) HandleCancel(ctx context.Context) {
	h.used = h.cancel
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		h.used = h.deadline
	}
	h.used.HandleCancel(ctx)
}

func (h *cancelKeepsConn) HandleUnwatchAfterCancel() { h.used.HandleUnwatchAfterCancel() }

// isCanceledByClient reports a statement canceled in the server at our request: by
// cancelKeepsConn, because the client went away.
func isCanceledByClient(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "57014" && strings.Contains(pgErr.Message, "user request")
}

// findByID reads one row by id; an id the caller's workspace does not have is ENOTFOUND,
// worded the same whether it never existed or belongs to another workspace.
func findByID[T any](db *gorm.DB, what, id string) (*T, error) {
	var row T
	err := db.Where("id = ?", id).Take(&row).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.NotFound(what, id)
	}
	if err != nil {
		return nil, err
	}
	return &row, nil
}
