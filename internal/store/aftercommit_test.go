package store_test

import (
	"context"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
)

// TestAfterCommit: announcements made inside a request transaction wait for its commit, are
// dropped by its rollback, and run at once outside one; after the commit they run with a
// context outside the finished transaction, so their own statements use the pool.
func TestAfterCommit(t *testing.T) {
	st := testdb.Open(t)
	ran := 0
	announce := func(ctx context.Context) {
		ran++
		if err := st.Ping(ctx); err != nil {
			t.Errorf("announcement's context: %v", err)
		}
		var one int
		if err := st.DB().WithContext(ctx).Raw("SELECT 1").Scan(&one).Error; err != nil || one != 1 {
			t.Errorf("a statement after the commit: %v", err)
		}
	}

	store.AfterCommit(context.Background(), announce)
	if ran != 1 {
		t.Fatalf("outside a request transaction: ran %d times, want at once", ran)
	}

	ctx, rt, err := st.BeginRequest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	store.AfterCommit(ctx, announce)
	if ran != 1 {
		t.Fatalf("ran before the commit")
	}
	if err := rt.Commit(); err != nil {
		t.Fatal(err)
	}
	if ran != 2 {
		t.Fatalf("after the commit: ran %d times, want 2", ran)
	}
	rt.Rollback() // after Commit: nothing
	store.AfterCommit(ctx, announce)
	if ran != 3 {
		t.Fatalf("after a commit, an announcement runs at once: ran %d times, want 3", ran)
	}

	ctx, rt, err = st.BeginRequest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	store.AfterCommit(ctx, announce)
	rt.Rollback()
	store.AfterCommit(ctx, announce) // on a finished transaction: dropped
	if ran != 3 {
		t.Fatalf("a rolled-back request announced: ran %d times", ran)
	}
}
