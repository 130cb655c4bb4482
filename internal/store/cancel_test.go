package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// TestCanceledQueryLeavesThePoolUsable: a client that goes away mid-query cancels its
// statement; the next request, on the same pooled connection, must not inherit the failure.
func TestCanceledQueryLeavesThePoolUsable(t *testing.T) {
	st := testenv.OpenStore(t)
	if st.Dialect() != "postgres" {
		t.Skip("needs PostgreSQL: SQLite statements are not interrupted by a context")
	}
	sqlDB, err := st.DB().DB()
	if err != nil {
		t.Fatal(err)
	}
	sqlDB.SetMaxOpenConns(1) // the next statement gets the connection the canceled one used
	ws, err := st.CreateWorkspace(context.Background(), "Cancel", models.PlanPro)
	if err != nil {
		t.Fatal(err)
	}
	wctx := store.WithWorkspace(context.Background(), ws.ID)
	for i := range 20 {
		ctx, cancel := context.WithTimeout(wctx, time.Duration(1+i%5)*time.Millisecond)
		if i%2 == 0 { // canceled while the server works
			_ = st.DB().WithContext(ctx).Exec("SELECT pg_sleep(0.05)").Error
		} else if rows, err := st.DB().WithContext(ctx).Raw("SELECT generate_series(1, 2000000)").Rows(); err == nil {
			for rows.Next() { // canceled while rows stream in
			}
			_ = rows.Close()
		}
		cancel()
		if _, err := st.Contacts(wctx, store.PageArgs{}, nil, nil); err != nil {
			t.Fatalf("round %d: the read after a canceled statement failed: %v", i, err)
		}
		if _, err := st.CountChildren(wctx, store.ListsOfContact, []string{"ctc_x"}); err != nil {
			t.Fatalf("round %d: the count after a canceled statement failed: %v", i, err)
		}
	}
}
