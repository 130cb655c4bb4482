package store_test

import (
	"context"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
)

// A cursor compares (column, id) as a row; a NULL in the column would make the comparison
// NULL and drop rows from every page after it. Every ordering column is therefore NOT NULL.
func TestOrderingColumnsAreNotNull(t *testing.T) {
	st := testdb.Open(t)
	cols := store.OrderingColumns()
	if len(cols) == 0 {
		t.Fatal("no ordering with a column")
	}
	db := st.DB().WithContext(store.AsSystem(context.Background()))
	for _, c := range cols {
		table, column := store.SplitColumn(c)
		// The catalogs, not GORM's migrator: its SQLite column types misread some NOT NULLs.
		q := "SELECT COUNT(*) FROM pragma_table_info(?) WHERE name = ? AND \"notnull\" = 1"
		if st.Dialect() == store.Postgres {
			q = "SELECT COUNT(*) FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? AND column_name = ? AND is_nullable = 'NO'"
		}
		var n int
		if err := db.Raw(q, table, column).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		if n != 1 {
			t.Errorf("ordering column %s is nullable or missing", c)
		}
	}
}
