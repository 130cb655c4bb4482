package usage

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/wbk/crm/internal/store"
)

// This file cannot use testenv (testenv builds on this package), so it opens SQLite itself.
func openSQLite(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(store.Options{SQLitePath: filepath.Join(t.TempDir(), "usage.db"), Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return st
}

// A database that is down and comes back: the recorder keeps its counts through the outage and
// writes them once.
func TestFlushAfterOutage(t *testing.T) {
	down := openSQLite(t)
	_ = down.Close()
	now := time.Date(2031, 6, 15, 12, 0, 0, 0, time.UTC)
	r := NewRecorder(down, slog.New(slog.NewTextHandler(io.Discard, nil)))
	r.Now = func() time.Time { return now }
	r.Record(Event{KeyID: "key_1", WorkspaceID: "wks_1", Cost: 2, Operations: []string{"contacts"}})
	for range 3 {
		if err := r.Flush(context.Background()); err == nil {
			t.Fatal("Flush on a closed store succeeded")
		}
	}
	r.Record(Event{KeyID: "key_1", WorkspaceID: "wks_1", Cost: 3, Failed: true, Operations: []string{"contacts"}, FailedOperations: []string{"contacts"}})

	up := openSQLite(t)
	r.store = up
	for range 2 {
		if err := r.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	rows, err := up.UsageDays(store.AsSystem(context.Background()), "key_1", "2031-06-15", "2031-06-15")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1 || rows[0].Calls != 2 || rows[0].Cost != 5 || rows[0].Errors != 1 ||
		rows[0].Operations["contacts"] != (store.OperationCount{Calls: 2, Errors: 1}) {
		t.Fatalf("stored %+v", rows)
	}
	if r.failing {
		t.Fatal("still marked failing after a successful flush")
	}
}

// The bound on distinct operation names keeps calls counted while it drops names.
func TestOperationNamesAreBounded(t *testing.T) {
	r := NewRecorder(nil, nil)
	for i := range maxOperationsPerDay + 10 {
		r.Record(Event{KeyID: "key_1", WorkspaceID: "wks_1", Operations: []string{"op" + string(rune('a'+i%26)) + string(rune('0'+i/26))}})
	}
	for _, c := range r.pending {
		if c.calls != maxOperationsPerDay+10 || len(c.ops) != maxOperationsPerDay || r.lostNames != 10 {
			t.Fatalf("calls %d, ops %d, dropped %d", c.calls, len(c.ops), r.lostNames)
		}
	}
}
