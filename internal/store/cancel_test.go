package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// TestCanceledQueryKeepsItsConnection: a client that goes away mid-query cancels its
// statement, and the pooled connection survives it. When a cancellation closed the connection
// instead, a burst of clients dropping at once (a load generator stopping) left the pool full
// of broken connections, and a request that drew three of them in a row failed with 503
// "driver: bad connection".
func TestCanceledQueryKeepsItsConnection(t *testing.T) {
	st := testdb.Open(t)
	if st.Dialect() != store.Postgres {
		t.Skip("needs PostgreSQL: SQLite statements are not interrupted by a context")
	}
	sqlDB, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1) // every statement runs on the one pooled connection
	ws, err := st.CreateWorkspace(context.Background(), "Cancel", models.PlanPro)
	if err != nil {
		t.Fatal(err)
	}
	wctx := store.WithWorkspace(context.Background(), ws.ID)
	backend := func() int {
		var pid int
		if err := st.DB().WithContext(context.Background()).Raw("SELECT pg_backend_pid()").Scan(&pid).Error; err != nil {
			t.Fatalf("pg_backend_pid: %v", err)
		}
		return pid
	}
	before := backend()
	for i := range 6 {
		ctx, cancel := context.WithCancel(wctx) // the client goes away after 20 ms
		time.AfterFunc(20*time.Millisecond, cancel)
		if i%2 == 0 { // canceled while the server works
			_ = st.DB().WithContext(ctx).Exec("SELECT pg_sleep(1)").Error
		} else if rows, err := st.DB().WithContext(ctx).Raw("SELECT generate_series(1, 5000000)").Rows(); err == nil {
			for rows.Next() { // canceled while rows stream in
			}
			_ = rows.Close()
		}
		cancel()
		if _, err := st.Contacts(ctx, store.PageArgs{}, nil, nil); !errors.Is(err, context.Canceled) {
			t.Errorf("round %d: a read on the canceled context: %v, want context.Canceled", i, err)
		}
		if _, err := st.Contacts(wctx, store.PageArgs{}, nil, nil); err != nil {
			t.Fatalf("round %d: the read after a canceled statement failed: %v", i, err)
		}
		if after := backend(); after != before {
			t.Fatalf("round %d: the canceled statement closed its connection (backend %d, now %d)", i, before, after)
		}
	}
}
