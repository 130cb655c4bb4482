package store

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"gorm.io/gorm"
)

// TestAFailedMigrationIsNotRecorded: a migration that fails reports its number and statement,
// is not recorded as applied, leaves the ones before it applied, and runs on the next start
// once it is fixed. (On the embedded database: a test here cannot open a throwaway
// PostgreSQL schema without importing testdb, which imports this package.)
func TestAFailedMigrationIsNotRecorded(t *testing.T) {
	st, err := Open(Options{SQLitePath: filepath.Join(t.TempDir(), "m.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	saved := migrations
	defer func() { migrations = saved }()
	n := len(saved)
	migrations = append(saved[:n:n], migration{sql: "CREATE TABLE extra_ok (id TEXT);\nCREATE TABLE broken (\n\tid TEXT,\n)"})

	err = st.Migrate(context.Background())
	if err == nil {
		t.Fatal("a broken migration was applied")
	}
	for _, want := range []string{"migration " + itoa(n+1), "CREATE TABLE broken ("} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	versions := func() []int {
		var v []int
		if err := st.db.WithContext(AsSystem(context.Background())).Raw("SELECT version FROM schema_migrations ORDER BY version").Scan(&v).Error; err != nil {
			t.Fatal(err)
		}
		return v
	}
	if v := versions(); len(v) != n || v[n-1] != n {
		t.Fatalf("versions %v after the failure, want 1..%d", v, n)
	}
	if st.db.Migrator().HasTable("extra_ok") {
		t.Error("the failed migration's first statement was kept: a migration is one transaction")
	}

	migrations[n] = migration{sql: "CREATE TABLE extra_ok (id TEXT)"}
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("the fixed migration: %v", err)
	}
	if v := versions(); len(v) != n+1 || !st.db.Session(&gorm.Session{}).Migrator().HasTable("extra_ok") {
		t.Errorf("versions %v after the fix, want %d and the table", v, n+1)
	}
}
