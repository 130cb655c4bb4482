package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// appliedVersions reads schema_migrations.
func appliedVersions(t *testing.T, st *store.Store) []int {
	t.Helper()
	var v []int
	if err := st.DB().WithContext(store.AsSystem(context.Background())).Raw("SELECT version FROM schema_migrations ORDER BY version").Scan(&v).Error; err != nil {
		t.Fatal(err)
	}
	return v
}

// TestMigrateAppliesEachMigrationOnce: migrating a migrated database changes nothing and
// keeps its data; the versions are applied once each, in order.
func TestMigrateAppliesEachMigrationOnce(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	c := fxContact(t, st, ctx, models.CreateContactInput{Email: "kept@example.com"})
	before := appliedVersions(t, st)
	if len(before) < 4 {
		t.Fatalf("versions %v: want at least the four first migrations", before)
	}
	for i, v := range before {
		if v != i+1 {
			t.Fatalf("versions %v: want 1..%d without gaps", before, len(before))
		}
	}
	for range 2 {
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatalf("migrating again: %v", err)
		}
	}
	if after := appliedVersions(t, st); len(after) != len(before) {
		t.Errorf("versions after migrating again: %v, want %v", after, before)
	}
	if got, err := st.Contact(ctx, c.ID); err != nil || got.Email != c.Email {
		t.Errorf("data after migrating again: %+v %v", got, err)
	}
}

// TestInstancesStartingTogetherMigrateOnce: several server instances starting at once on one
// empty PostgreSQL database all start, and the schema is built once.
func TestInstancesStartingTogetherMigrateOnce(t *testing.T) {
	pgURL, _ := testdb.URL(t)
	if pgURL == "" {
		t.Skip("needs PostgreSQL: the embedded database has one server instance")
	}
	var stores []*store.Store
	for range 3 {
		st, err := store.Open(store.Options{URL: pgURL, Logger: testdb.Logger()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		stores = append(stores, st)
	}
	errs := make([]error, len(stores))
	var wg sync.WaitGroup
	for i, st := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.Migrate(context.Background())
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("instance %d: %v", i, err)
		}
	}
	v := appliedVersions(t, stores[0])
	for i, n := range v {
		if n != i+1 {
			t.Fatalf("versions %v: each once, in order", v)
		}
	}
	if _, err := stores[1].CreateWorkspace(context.Background(), "Works", models.PlanPro); err != nil {
		t.Errorf("the migrated database: %v", err)
	}
}

func TestOpenRefusesWhatIsNotADatabaseURL(t *testing.T) {
	for _, url := range []string{"mysql://u@h/db", "sqlite:///tmp/x.db", "postgres://u@h:notaport/db"} {
		if st, err := store.Open(store.Options{URL: url, Logger: testdb.Logger()}); err == nil {
			_ = st.Close()
			t.Errorf("Open(%q) succeeded", url)
		}
	}
}
