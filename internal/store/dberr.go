package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/wbk/crm/internal/apperr"
)

// This file is the one classification of database errors. A caller sees a code it can act
// on: a dependency fault (503, retry later), a deadline (503 TIMEOUT), a row deleted by a
// concurrent request (NOT_FOUND), a uniqueness conflict (CONFLICT) or bad text
// (BAD_USER_INPUT). Only what is left is internal, and its text is logged, never shown.

// errUnavailable is what a caller sees when the database cannot answer now.
func errUnavailable() *apperr.Error {
	return &apperr.Error{Code: apperr.EUNAVAILABLE, Message: "the database is unavailable, try again shortly"}
}

func errTimeout() *apperr.Error {
	return &apperr.Error{Code: apperr.ETIMEOUT, Message: "the request did not finish before its deadline; nothing was changed"}
}

// referenceFields names the argument that points at the row a foreign key refers to, by the
// referencing table and column: when a concurrent request deletes that row between our
// check and our insert, the insert fails on the key, and the argument is what was not found.
var referenceFields = map[[2]string]struct{ field, what string }{
	{"list_memberships", "contact_id"}: {"contactIds", "contact"},
	{"list_memberships", "list_id"}:    {"listId", "list"},
	{"deals", "contact_id"}:            {"input.contactId", "contact"},
	{"campaigns", "list_id"}:           {"input.listId", "list"},
}

// classify turns a database error into an application error, or returns nil when the error
// is unexpected (a bug: the caller logs it and answers INTERNAL_SERVER_ERROR).
func classify(err error) *apperr.Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return errTimeout()
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return classifyPostgres(pgErr)
	}
	switch {
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return apperr.Conflict("a record with the same unique value already exists")
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		return &apperr.Error{Code: apperr.ENOTFOUND, Message: "a record this one refers to does not exist (it may have just been deleted)"}
	case isConnectionFault(err):
		return errUnavailable()
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "UNIQUE constraint failed"):
		return apperr.Conflict("a record with the same unique value already exists")
	case strings.Contains(msg, "FOREIGN KEY constraint failed"):
		return &apperr.Error{Code: apperr.ENOTFOUND, Message: "a record this one refers to does not exist (it may have just been deleted)"}
	case strings.Contains(msg, "database is locked"), strings.Contains(msg, "SQLITE_BUSY"):
		return errUnavailable()
	}
	return nil
}

func classifyPostgres(e *pgconn.PgError) *apperr.Error {
	switch {
	case e.Code == "23505": // unique_violation
		return apperr.Conflict("a record with the same unique value already exists")
	case e.Code == "23503": // foreign_key_violation
		ref, ok := referenceFields[[2]string{e.TableName, fkColumn(e)}]
		if !ok {
			return &apperr.Error{Code: apperr.ENOTFOUND, Message: "a record this one refers to does not exist (it may have just been deleted)"}
		}
		return &apperr.Error{Code: apperr.ENOTFOUND, Field: ref.field, Message: ref.what + " not found (it may have just been deleted)"}
	case e.Code == "22021", e.Code == "22P05": // character_not_in_repertoire (NUL), untranslatable_character
		return &apperr.Error{Code: apperr.EINVALID, Message: "text must be valid UTF-8 without NUL characters"}
	case e.Code == "57014": // query_canceled: the statement timeout
		return errTimeout()
	case e.Code == "57P01", e.Code == "57P02", e.Code == "57P03", // admin/crash shutdown, cannot connect now
		strings.HasPrefix(e.Code, "08"),      // connection exceptions
		e.Code == "53300",                    // too_many_connections
		e.Code == "40001", e.Code == "40P01", // serialization failure, deadlock: retry
		e.Code == "55P03", e.Code == "55006", // lock not available, object in use
		e.Code == "25006" || e.Code == "25P04": // read-only transaction during failover, idle timeout
		return errUnavailable()
	}
	return nil
}

// fkColumn is the referencing column of a foreign-key violation: PostgreSQL names it in the
// constraint (<table>_<column>_fkey by default).
func fkColumn(e *pgconn.PgError) string {
	if e.ColumnName != "" {
		return e.ColumnName
	}
	return strings.TrimSuffix(strings.TrimPrefix(e.ConstraintName, e.TableName+"_"), "_fkey")
}

// isConnectionFault reports errors of the connection rather than of the statement: the pool
// closed, a connection reset or refused, a server that went away mid-reply.
func isConnectionFault(err error) bool {
	var netErr net.Error
	var connErr *pgconn.ConnectError
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) ||
		errors.As(err, &netErr) || errors.As(err, &connErr) || pgconn.SafeToRetry(err) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"database is closed", "connection refused", "conn closed", "connection reset",
		"broken pipe", "closed pool", "failed to connect", "unexpected EOF"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

// withStatementTimeout adds statement_timeout (milliseconds) to a postgres:// URL as a run-time
// parameter of every connection, unless the URL sets one already.
func withStatementTimeout(rawURL string, d time.Duration) string {
	if d <= 0 {
		return rawURL
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return rawURL // Open reports the bad URL
	}
	q := u.Query()
	if q.Get("statement_timeout") == "" {
		q.Set("statement_timeout", strconv.FormatInt(d.Milliseconds(), 10))
		u.RawQuery = q.Encode()
	}
	return u.String()
}

// registerReadRetry retries a single-statement read once when it failed on a broken pooled
// connection: after a PostgreSQL restart or failover every idle connection of the pool is
// dead, and without the retry the first request on each would fail although the database
// answers again. Only SELECTs outside a transaction are retried (nothing was written, and
// no transaction state is lost); a write or a second failure is answered 503.
//
// When one connection turns out broken, the idle others are most likely broken too (they
// were all ended together), so the pool's idle connections are dropped first: the retry,
// and the requests after it, get fresh connections instead of each failing on a dead one.
func registerReadRetry(db *gorm.DB, dropIdle func()) error {
	cb := db.Callback()
	return errors.Join(
		cb.Query().After("gorm:query").Register("store:retry_read", func(db *gorm.DB) { retryQuery(db, dropIdle) }),
		cb.Row().After("gorm:row").Register("store:retry_rows", func(db *gorm.DB) { retryRows(db, dropIdle) }),
	)
}

// dropIdleConnections closes the pool's idle connections and restores its idle limit.
func dropIdleConnections(sqlDB *sql.DB, maxIdle int) func() {
	var mu sync.Mutex
	return func() {
		mu.Lock()
		defer mu.Unlock()
		sqlDB.SetMaxIdleConns(0)
		sqlDB.SetMaxIdleConns(maxIdle)
	}
}

func retryable(db *gorm.DB) bool {
	stmt := db.Statement
	if db.Error == nil || db.DryRun || stmt.SQL.Len() == 0 || !isBrokenConnection(db.Error) {
		return false
	}
	if _, inTx := stmt.ConnPool.(gorm.TxCommitter); inTx {
		return false
	}
	sql := strings.TrimSpace(stmt.SQL.String())
	return len(sql) > 6 && strings.EqualFold(sql[:6], "SELECT")
}

func retryQuery(db *gorm.DB, dropIdle func()) {
	if !retryable(db) || db.RowsAffected > 0 {
		return
	}
	dropIdle()
	stmt := db.Statement
	db.Error = nil
	rows, err := stmt.ConnPool.QueryContext(stmt.Context, stmt.SQL.String(), stmt.Vars...)
	if err != nil {
		_ = db.AddError(err)
		return
	}
	defer func() { _ = db.AddError(rows.Close()) }()
	gorm.Scan(rows, db, 0)
}

func retryRows(db *gorm.DB, dropIdle func()) {
	// Row() (one row, errors deferred to Scan) is not retried; Rows() reports the error here.
	if !retryable(db) {
		return
	}
	dropIdle()
	stmt := db.Statement
	db.Error = nil
	stmt.Dest, db.Error = stmt.ConnPool.QueryContext(stmt.Context, stmt.SQL.String(), stmt.Vars...)
}

// isBrokenConnection reports a failure of the connection itself (not of the statement):
// the server ended it (57P01 admin shutdown, 57P02 crash shutdown, 08xxx) or it is gone.
func isBrokenConnection(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "57P01" || pgErr.Code == "57P02" || strings.HasPrefix(pgErr.Code, "08")
	}
	return isConnectionFault(err)
}
