package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// The hot reads (scanAll: a page of contacts, the nested lists and deals, the key lookup) read
// their rows on PostgreSQL through pgx itself instead of database/sql. database/sql makes the
// driver turn every column into a driver.Value first: a string column costs two allocations
// (the string and its interface box) and a timestamp one, before the value is copied into its
// destination; pgx scans straight into the destination, with one allocation per string and
// none for times and numbers. That is most of the store's allocations on the dashboard read.
//
// GORM still builds the statement (a dry run of its query callbacks, so the tenant scope in
// tenant.go applies exactly as to every other statement), the SQL logger still sees it, and a
// read that failed on a broken pooled connection is retried once as registerReadRetry does.
// Reads inside a transaction keep database/sql: its connection belongs to the transaction.

// rowSource is what scanAll reads rows from: *sql.Rows or pgx.Rows.
type rowSource interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

const nativeReadsName = "store:native_reads"

// nativeReads is registered as a GORM plugin on PostgreSQL stores, so that a statement can
// find the pool it may read from natively.
type nativeReads struct {
	pool     *sql.DB
	dropIdle func()
}

func (*nativeReads) Name() string              { return nativeReadsName }
func (*nativeReads) Initialize(*gorm.DB) error { return nil }

// nativeReadsFor returns the native reader q may use, or nil: on SQLite, and in a
// transaction (a write's or a request's), whose connection database/sql holds.
func nativeReadsFor(q *gorm.DB) *nativeReads {
	nr, ok := q.Config.Plugins[nativeReadsName].(*nativeReads)
	if !ok {
		return nil
	}
	if _, inTx := q.Statement.ConnPool.(gorm.TxCommitter); inTx || requestTxFrom(q.Statement.Context) != nil {
		return nil
	}
	return nr
}

// query builds q's SELECT through GORM's callbacks without running it, runs it with pgx and
// hands its rows to read. model is a destination of q's row type for GORM's dry run; no row
// is read into it.
func (nr *nativeReads) query(q *gorm.DB, model any, read func(rowSource) error) error {
	built := q.Session(&gorm.Session{DryRun: true, Logger: logger.Discard}).Find(model)
	if built.Error != nil {
		return built.Error
	}
	ctx := built.Statement.Context
	text, vars := built.Statement.SQL.String(), built.Statement.Vars
	begin := time.Now()
	n, err := nr.run(ctx, text, vars, read)
	if err != nil && n == 0 && isBrokenConnection(err) {
		// As registerReadRetry: nothing was read, the idle connections are most likely as dead
		// as this one, and a fresh connection answers if the database does.
		nr.dropIdle()
		n, err = nr.run(ctx, text, vars, read)
	}
	q.Logger.Trace(ctx, begin, func() (string, int64) { return q.Dialector.Explain(text, vars...), n }, err)
	return err
}

// run runs one statement on a pooled connection and returns the number of rows read.
func (nr *nativeReads) run(ctx context.Context, text string, vars []any, read func(rowSource) error) (int64, error) {
	conn, err := nr.pool.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	counted := &countedRows{}
	err = conn.Raw(func(driverConn any) error {
		rows, err := driverConn.(*stdlib.Conn).Conn().Query(ctx, text, vars...)
		if err != nil {
			return err
		}
		defer rows.Close()
		counted.rowSource = rows
		if err := read(counted); err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	})
	return counted.n, err
}

// countedRows counts the rows read, so that a failed statement is retried only when none were.
type countedRows struct {
	rowSource
	n int64
}

func (c *countedRows) Next() bool {
	if !c.rowSource.Next() {
		return false
	}
	c.n++
	return true
}
