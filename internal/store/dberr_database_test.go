package store_test

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// TestRealConstraintErrorsBecomeCodes: what each database really answers for a broken
// constraint leaves the store as the code the error table promises, on both databases.
func TestRealConstraintErrorsBecomeCodes(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	c := fxContact(t, st, ctx, models.CreateContactInput{Email: "taken@example.com"})
	l := fxList(t, st, ctx, "L")
	now := store.Now()
	pg := st.Dialect() == store.Postgres
	for _, tc := range []struct {
		name  string
		row   any
		code  apperr.Code
		field string // on PostgreSQL, which names the column
	}{
		{"duplicate email", &models.Contact{ID: ids.New(ids.Contact), Email: "taken@example.com", TagList: models.StringList{}, CreatedAt: now, UpdatedAt: now},
			apperr.ECONFLICT, ""},
		{"membership of a contact deleted meanwhile", &models.ListMembership{ListID: l.ID, ContactID: "ctc_gone", CreatedAt: now},
			apperr.ENOTFOUND, "contactIds"},
		{"membership of a list deleted meanwhile", &models.ListMembership{ListID: "lst_gone", ContactID: c.ID, CreatedAt: now},
			apperr.ENOTFOUND, "listId"},
		{"deal of a contact deleted meanwhile", &models.Deal{ID: ids.New(ids.Deal), Title: "D", Currency: "USD", Stage: models.DealStageLead,
			ContactID: fxPtr("ctc_gone"), CreatedAt: now, UpdatedAt: now}, apperr.ENOTFOUND, "input.contactId"},
	} {
		err := st.Translate(st.DB().WithContext(ctx).Create(tc.row).Error)
		field := tc.field
		if !pg {
			field = ""
		}
		fxWantCode(t, tc.name, err, tc.code, field)
	}
	if pg {
		err := st.Translate(st.DB().WithContext(ctx).Model(&models.Contact{}).Where("id = ?", c.ID).Update("company", "a\x00b").Error)
		fxWantCode(t, "NUL in text", err, apperr.EINVALID, "")
	}
}

// TestDeadlinesAndAClosedDatabase: a request past its deadline is TIMEOUT and a store whose
// pool is closed is UNAVAILABLE, never INTERNAL.
func TestDeadlinesAndAClosedDatabase(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	fxContact(t, st, ctx, models.CreateContactInput{Email: "a@example.com"})
	past, cancel := context.WithDeadline(ctx, time.Now().Add(-time.Second))
	defer cancel()
	_, err := st.Contacts(past, store.PageArgs{}, nil, nil)
	fxWantCode(t, "read past its deadline", err, apperr.ETIMEOUT, "")
	_, err = st.CreateList(past, models.CreateListInput{Name: "late"})
	fxWantCode(t, "write past its deadline", err, apperr.ETIMEOUT, "")
	if _, err := st.ListByName(ctx, "late"); apperr.CodeOf(err) != apperr.ENOTFOUND {
		t.Errorf("a write past its deadline was stored: %v", err)
	}

	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = st.Contacts(ctx, store.PageArgs{}, nil, nil)
	fxWantCode(t, "read on a closed pool", err, apperr.EUNAVAILABLE, "")
	_, err = st.CreateList(ctx, models.CreateListInput{Name: "closed"})
	fxWantCode(t, "write on a closed pool", err, apperr.EUNAVAILABLE, "")
	if err := st.Ping(ctx); err == nil {
		t.Error("Ping of a closed store succeeded")
	}
}

// TestStatementTimeoutEndsAStatementInTheServer: with Options.StatementTimeout the server
// itself gives up on a statement, and the caller sees TIMEOUT.
func TestStatementTimeoutEndsAStatementInTheServer(t *testing.T) {
	pgURL, _ := testdb.URL(t)
	if pgURL == "" {
		t.Skip("needs PostgreSQL: SQLite has no statement timeout")
	}
	st, err := store.Open(store.Options{URL: pgURL, StatementTimeout: 50 * time.Millisecond, Logger: testdb.Logger()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Translate(st.DB().WithContext(context.Background()).Exec("SELECT pg_sleep(5)").Error)
	fxWantCode(t, "a statement past the statement timeout", err, apperr.ETIMEOUT, "")
	if err := st.Ping(context.Background()); err != nil {
		t.Errorf("the store after a timed-out statement: %v", err)
	}
}

// TestReadsSurviveARestartedConnection: after the server ends the pooled connection (a
// restart, a failover), a read is retried once on a fresh connection and succeeds — through
// GORM's reads, its Rows, and the native page reads — instead of failing the first request
// after the database came back.
func TestReadsSurviveARestartedConnection(t *testing.T) {
	st, ctx, ws := fxWorkspace(t)
	if st.Dialect() != store.Postgres {
		t.Skip("needs PostgreSQL: SQLite has no server to end a connection")
	}
	sqlDB, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1) // the one connection the test ends
	c := fxContact(t, st, ctx, models.CreateContactInput{Email: "survivor@example.com"})
	l := fxList(t, st, ctx, "L")
	if _, err := st.AddContactsToList(ctx, l.ID, []string{c.ID}); err != nil {
		t.Fatal(err)
	}
	admin, err := pgx.Connect(context.Background(), os.Getenv("TEST_DATABASE_URL"))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(context.Background())
	endConnection := func() {
		t.Helper()
		var pid int
		if err := st.DB().WithContext(context.Background()).Raw("SELECT pg_backend_pid()").Scan(&pid).Error; err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec(context.Background(), "SELECT pg_terminate_backend($1)", pid); err != nil {
			t.Fatal(err)
		}
		for { // until the server has ended it (a wait, not a timing assertion)
			var alive bool
			if err := admin.QueryRow(context.Background(), "SELECT EXISTS (SELECT 1 FROM pg_stat_activity WHERE pid = $1)", pid).Scan(&alive); err != nil {
				t.Fatal(err)
			}
			if !alive {
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for _, tc := range []struct {
		name string
		read func() error
	}{
		{"GORM read", func() error {
			w, err := st.Workspace(ctx, ws.ID)
			if err == nil && w.Name != ws.Name {
				return errors.New("wrong workspace")
			}
			return err
		}},
		{"native page read", func() error {
			p, err := st.Contacts(ctx, store.PageArgs{}, nil, nil)
			if err == nil && (len(p.Edges) != 1 || p.Edges[0].Node.ID != c.ID) {
				return errors.New("wrong page")
			}
			return err
		}},
		{"rows read", func() error {
			n, err := st.CountChildren(ctx, store.MembersOfList, []string{l.ID})
			if err == nil && n[l.ID] != 1 {
				return errors.New("wrong count")
			}
			return err
		}},
	} {
		endConnection()
		if err := tc.read(); err != nil {
			t.Errorf("%s after the connection ended: %v", tc.name, err)
		}
	}
	// A write is not retried (it may have happened), but it is a dependency fault, never a bug.
	endConnection()
	if _, err := st.CreateList(ctx, models.CreateListInput{Name: "after"}); err != nil && apperr.CodeOf(err) != apperr.EUNAVAILABLE {
		t.Errorf("a write on an ended connection: %v, want success or UNAVAILABLE", err)
	}
}
