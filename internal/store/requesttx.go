package store

import (
	"context"
	"errors"
	"sync"

	"gorm.io/gorm"
)

// A request transaction lets a whole request commit as one unit: an idempotent mutation and
// the record of its response are written in it, so a crash cannot leave one without the
// other. Every store method called with its context joins it (write's transactions become
// savepoints, reads read through it).
//
// One transaction is one connection, and resolvers of one request run concurrently (sibling
// fields, dataloader batches): PostgreSQL's driver cannot run a statement on a connection
// while another statement's rows are still being read. So statements on a request
// transaction take turns: the callbacks below hold its lock for each statement, and the two
// places that read rows after GORM's callbacks return (scanAll, Scan) hold it until the rows
// are read.

// RequestTx is a transaction spanning one request.
type RequestTx struct {
	store     *Store
	tx        *gorm.DB
	mu        sync.Mutex
	done      bool
	committed bool
	after     []func() // AfterCommit's announcements, run once the commit succeeded
}

type requestTxKey struct{}

func requestTxFrom(ctx context.Context) *RequestTx {
	rt, _ := ctx.Value(requestTxKey{}).(*RequestTx)
	return rt
}

// BeginRequest starts a request transaction; the returned context carries it. On SQLite it
// waits for the database's single connection.
func (s *Store) BeginRequest(ctx context.Context) (context.Context, *RequestTx, error) {
	if requestTxFrom(ctx) != nil {
		return nil, nil, errors.New("store: request transaction already started")
	}
	tx := s.db.WithContext(ctx).Begin()
	if tx.Error != nil {
		return nil, nil, s.translate(tx.Error)
	}
	rt := &RequestTx{store: s, tx: tx}
	return context.WithValue(ctx, requestTxKey{}, rt), rt, nil
}

// Commit commits the request's writes, then runs what AfterCommit deferred to it.
func (rt *RequestTx) Commit() error {
	rt.mu.Lock()
	rt.done = true
	err := rt.store.translate(rt.tx.Commit().Error)
	rt.committed = err == nil
	after := rt.after
	rt.after = nil
	rt.mu.Unlock()
	if err != nil {
		return err
	}
	for _, fn := range after {
		fn()
	}
	return nil
}

// Rollback discards the request's writes and what AfterCommit deferred; after Commit it
// does nothing.
func (rt *RequestTx) Rollback() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.after = nil
	if !rt.done {
		rt.done = true
		rt.tx.Rollback()
	}
}

// AfterCommit runs fn once ctx's request transaction has committed — at once when ctx has
// none — with a context outside that transaction. What a request announces to others (live
// Lexi task updates, pg_notify to other instances) must describe committed data: a request
// transaction that rolls back drops its announcements instead of having told subscribers
// of a change that never happened.
func AfterCommit(ctx context.Context, fn func(context.Context)) {
	rt := requestTxFrom(ctx)
	if rt == nil {
		fn(ctx)
		return
	}
	rt.mu.Lock()
	if !rt.done {
		rt.after = append(rt.after, func() { fn(withoutRequestTx(ctx)) })
		rt.mu.Unlock()
		return
	}
	committed := rt.committed
	rt.mu.Unlock()
	if committed { // the transaction finished already: its work is committed
		fn(withoutRequestTx(ctx))
	}
}

// withoutRequestTx is ctx with its request transaction hidden, for work after the commit.
func withoutRequestTx(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestTxKey{}, (*RequestTx)(nil))
}

// lockRequestTx takes ctx's request transaction's turn, if it has one, and returns its release.
func lockRequestTx(ctx context.Context) func() {
	if ctx == nil {
		return func() {}
	}
	rt := requestTxFrom(ctx)
	if rt == nil {
		return func() {}
	}
	rt.mu.Lock()
	return rt.mu.Unlock
}

type heldKey struct{}

func registerRequestTxCallbacks(db *gorm.DB) error {
	before := func(db *gorm.DB) {
		if db.DryRun {
			// Nothing runs: a subquery being built into its statement (Table("(?) AS t",
			// inner)) while that statement holds the turn, which would wait for itself.
			return
		}
		if unlock := lockRequestTx(db.Statement.Context); requestTxFrom(db.Statement.Context) != nil {
			db.Statement.Settings.Store(heldKey{}, unlock)
		}
	}
	after := func(db *gorm.DB) {
		if v, ok := db.Statement.Settings.LoadAndDelete(heldKey{}); ok {
			v.(func())()
		}
	}
	// Around the statement itself only: associations and preloads run statements of their
	// own outside it, which take their own turns.
	cb := db.Callback()
	return errors.Join(
		cb.Query().Before("gorm:query").Register("requesttx:lock", before),
		cb.Query().After("gorm:query").Register("requesttx:unlock", after),
		cb.Create().Before("gorm:create").Register("requesttx:lock", before),
		cb.Create().After("gorm:create").Register("requesttx:unlock", after),
		cb.Update().Before("gorm:update").Register("requesttx:lock", before),
		cb.Update().After("gorm:update").Register("requesttx:unlock", after),
		cb.Delete().Before("gorm:delete").Register("requesttx:lock", before),
		cb.Delete().After("gorm:delete").Register("requesttx:unlock", after),
		cb.Raw().Before("gorm:raw").Register("requesttx:lock", before),
		cb.Raw().After("gorm:raw").Register("requesttx:unlock", after),
	)
}
