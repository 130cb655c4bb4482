package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"

	"github.com/wbk/crm/internal/apperr"
)

// TestClassifyMapsDatabaseErrorsToCodes is the table of what a caller sees for each database
// fault: a code it can act on, and INTERNAL only for what is a bug.
func TestClassifyMapsDatabaseErrorsToCodes(t *testing.T) {
	pg := func(code string) *pgconn.PgError { return &pgconn.PgError{Code: code, Message: "m"} }
	fk := func(table, column, constraint string) *pgconn.PgError {
		return &pgconn.PgError{Code: "23503", TableName: table, ColumnName: column, ConstraintName: constraint}
	}
	for _, tc := range []struct {
		name  string
		err   error
		code  apperr.Code // "" when the error is unexpected
		field string
	}{
		{"unique violation", pg("23505"), apperr.ECONFLICT, ""},
		{"unique violation, wrapped", fmt.Errorf("insert: %w", pg("23505")), apperr.ECONFLICT, ""},
		{"membership of a deleted contact (constraint name)", fk("list_memberships", "", "list_memberships_contact_id_fkey"), apperr.ENOTFOUND, "contactIds"},
		{"membership of a deleted list", fk("list_memberships", "", "list_memberships_list_id_fkey"), apperr.ENOTFOUND, "listId"},
		{"deal of a deleted contact (column name)", fk("deals", "contact_id", "custom_name"), apperr.ENOTFOUND, "input.contactId"},
		{"campaign of a deleted list", fk("campaigns", "", "campaigns_list_id_fkey"), apperr.ENOTFOUND, "input.listId"},
		{"a reference no argument names", fk("lexi_messages", "", "lexi_messages_conversation_id_fkey"), apperr.ENOTFOUND, ""},
		{"NUL in text", pg("22021"), apperr.EINVALID, ""},
		{"untranslatable character", pg("22P05"), apperr.EINVALID, ""},
		{"statement timeout", pg("57014"), apperr.ETIMEOUT, ""},
		{"admin shutdown", pg("57P01"), apperr.EUNAVAILABLE, ""},
		{"crash shutdown", pg("57P02"), apperr.EUNAVAILABLE, ""},
		{"cannot connect now", pg("57P03"), apperr.EUNAVAILABLE, ""},
		{"connection failure", pg("08006"), apperr.EUNAVAILABLE, ""},
		{"too many connections", pg("53300"), apperr.EUNAVAILABLE, ""},
		{"serialization failure", pg("40001"), apperr.EUNAVAILABLE, ""},
		{"deadlock", pg("40P01"), apperr.EUNAVAILABLE, ""},
		{"lock not available", pg("55P03"), apperr.EUNAVAILABLE, ""},
		{"object in use", pg("55006"), apperr.EUNAVAILABLE, ""},
		{"read-only after failover", pg("25006"), apperr.EUNAVAILABLE, ""},
		{"idle in transaction timeout", pg("25P04"), apperr.EUNAVAILABLE, ""},
		{"syntax error is a bug", pg("42601"), "", ""},
		{"undefined column is a bug", pg("42703"), "", ""},
		{"deadline", context.DeadlineExceeded, apperr.ETIMEOUT, ""},
		{"deadline, wrapped", fmt.Errorf("query: %w", context.DeadlineExceeded), apperr.ETIMEOUT, ""},
		{"GORM duplicate key", gorm.ErrDuplicatedKey, apperr.ECONFLICT, ""},
		{"GORM foreign key", gorm.ErrForeignKeyViolated, apperr.ENOTFOUND, ""},
		{"bad connection", driver.ErrBadConn, apperr.EUNAVAILABLE, ""},
		{"EOF mid-reply", io.ErrUnexpectedEOF, apperr.EUNAVAILABLE, ""},
		{"closed network connection", &net.OpError{Op: "read", Net: "tcp", Err: net.ErrClosed}, apperr.EUNAVAILABLE, ""},
		{"connect error", &pgconn.ConnectError{}, apperr.EUNAVAILABLE, ""},
		{"closed pool", errors.New("sql: database is closed"), apperr.EUNAVAILABLE, ""},
		{"refused", errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"), apperr.EUNAVAILABLE, ""},
		{"SQLite unique", errors.New("constraint failed: UNIQUE constraint failed: contacts.email (2067)"), apperr.ECONFLICT, ""},
		{"SQLite foreign key", errors.New("constraint failed: FOREIGN KEY constraint failed (787)"), apperr.ENOTFOUND, ""},
		{"SQLite busy", errors.New("database is locked (5) (SQLITE_BUSY)"), apperr.EUNAVAILABLE, ""},
		{"anything else is a bug", errors.New("sql: Scan error on column index 2"), "", ""},
	} {
		got := classify(tc.err)
		switch {
		case tc.code == "" && got != nil:
			t.Errorf("%s: classified as %s, want unexpected (nil)", tc.name, got.Code)
		case tc.code != "" && (got == nil || got.Code != tc.code || got.Field != tc.field):
			t.Errorf("%s: %+v, want %s on %q", tc.name, got, tc.code, tc.field)
		}
	}
}

func TestTranslateHidesWhatIsNotTheCallersBusiness(t *testing.T) {
	s := &Store{log: slog.New(slog.DiscardHandler)}
	own := apperr.Invalid("input.name", "bad")
	for _, tc := range []struct {
		name     string
		err      error
		code     apperr.Code
		canceled bool
		message  string
	}{
		{name: "nil", err: nil},
		{name: "an application error passes", err: fmt.Errorf("wrapped: %w", own), code: apperr.EINVALID, message: "bad"},
		{name: "the client went away", err: context.Canceled, canceled: true},
		{name: "canceled in the server at our request", err: &pgconn.PgError{Code: "57014", Message: "canceling statement due to user request"}, canceled: true},
		{name: "statement timeout", err: &pgconn.PgError{Code: "57014", Message: "canceling statement due to statement timeout"}, code: apperr.ETIMEOUT},
		{name: "classified", err: &pgconn.PgError{Code: "23505", Message: "duplicate key value violates unique constraint \"secret_index\""}, code: apperr.ECONFLICT},
		{name: "a bug", err: errors.New("pq: relation \"secret_table\" does not exist"), code: apperr.EINTERNAL, message: "internal error"},
	} {
		got := s.translate(tc.err)
		switch {
		case tc.err == nil:
			if got != nil {
				t.Errorf("%s: %v", tc.name, got)
			}
		case tc.canceled:
			if !errors.Is(got, context.Canceled) || apperr.As(got) != nil {
				t.Errorf("%s: %v, want context.Canceled", tc.name, got)
			}
		default:
			e := apperr.As(got)
			if e == nil || e.Code != tc.code || (tc.message != "" && e.Message != tc.message) {
				t.Errorf("%s: %v, want %s %q", tc.name, got, tc.code, tc.message)
			}
			if e != nil && tc.code != apperr.EINVALID && strings.Contains(e.Message, "secret") {
				t.Errorf("%s: the database's text reached the caller: %q", tc.name, e.Message)
			}
		}
	}
}

// TestIsBrokenConnection: only a failure of the connection itself makes a read worth
// retrying on a fresh one; a deadline, a cancellation or a statement's own error does not.
func TestIsBrokenConnection(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"crash shutdown", &pgconn.PgError{Code: "57P02"}, true},
		{"connection exception", &pgconn.PgError{Code: "08003"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"serialization failure", &pgconn.PgError{Code: "40001"}, false},
		{"deadline", context.DeadlineExceeded, false},
		{"canceled", fmt.Errorf("read: %w", context.Canceled), false},
		{"bad connection", driver.ErrBadConn, true},
		{"EOF", io.EOF, true},
		{"conn closed", errors.New("conn closed"), true},
		{"statement error", errors.New("syntax error"), false},
	} {
		if got := isBrokenConnection(tc.err); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestWithStatementTimeout(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		d         time.Duration
		want      string // the statement_timeout parameter, "" for none
	}{
		{"none asked", "postgres://u@h/db", 0, ""},
		{"added in milliseconds", "postgres://u@h/db?sslmode=disable", 2500 * time.Millisecond, "2500"},
		{"the URL's own wins", "postgres://u@h/db?statement_timeout=100", time.Second, "100"},
	} {
		got := withStatementTimeout(tc.url, tc.d)
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if v := u.Query().Get("statement_timeout"); v != tc.want {
			t.Errorf("%s: %s has statement_timeout %q, want %q", tc.name, got, v, tc.want)
		}
		if u.Query().Get("sslmode") != "" && u.Query().Get("sslmode") != "disable" {
			t.Errorf("%s: other parameters changed: %s", tc.name, got)
		}
	}
	if got := withStatementTimeout("postgres://u@h:port/db", time.Second); got != "postgres://u@h:port/db" {
		t.Errorf("an unparsable URL was rewritten to %q; Open reports it as given", got)
	}
}
