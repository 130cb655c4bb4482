package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// TestWorkspaceTablesAreDerivedFromTheModels: every table of the migrated database with a
// workspace_id column is in the tenant scope's set, which comes from the models. A new table
// whose model is not registered (or lacks WorkspaceID) fails here before it can leak.
func TestWorkspaceTablesAreDerivedFromTheModels(t *testing.T) {
	st := testdb.Open(t)
	ctx := store.AsSystem(context.Background())
	var tables []string
	db := st.DB().WithContext(ctx)
	if st.Dialect() == store.Postgres {
		if err := db.Raw(`SELECT table_name FROM information_schema.columns
			WHERE column_name = 'workspace_id' AND table_schema = current_schema()`).Scan(&tables).Error; err != nil {
			t.Fatal(err)
		}
	} else {
		if err := db.Raw(`SELECT m.name FROM sqlite_master m JOIN pragma_table_info(m.name) c
			WHERE m.type = 'table' AND c.name = 'workspace_id'`).Scan(&tables).Error; err != nil {
			t.Fatal(err)
		}
	}
	if len(tables) < 10 {
		t.Fatalf("found only %v: the catalog query is wrong", tables)
	}
	scoped := store.WorkspaceTables()
	for _, table := range tables {
		if !slices.Contains(scoped, table) {
			t.Errorf("table %s has a workspace_id column but is not in the tenant scope %v", table, scoped)
		}
	}
}

// TestRawSQLOnAWorkspaceTableIsRefused covers issue 7 finding 10: hand-written SQL on a
// workspace table is refused from a workspace's scope even when it names workspace_id
// (it named another workspace's id and returned its row), and allowed only as system.
func TestRawSQLOnAWorkspaceTableIsRefused(t *testing.T) {
	st := testdb.Open(t)
	bg := context.Background()
	a, err := st.CreateWorkspace(bg, "A", models.PlanOrg)
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.CreateWorkspace(bg, "B", models.PlanOrg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateContact(store.WithWorkspace(bg, b.ID), models.CreateContactInput{Email: "secret@b.example"}); err != nil {
		t.Fatal(err)
	}
	ctxA := store.WithWorkspace(bg, a.ID)
	for name, sql := range map[string]string{
		"naming workspace_id":  "SELECT email FROM contacts WHERE workspace_id = ?",
		"quoted and qualified": `SELECT email FROM "contacts" WHERE "workspace_id" = ?`,
		"upper case":           "SELECT email FROM CONTACTS WHERE WORKSPACE_ID = ?",
	} {
		var emails []string
		err := st.DB().WithContext(ctxA).Raw(sql, b.ID).Scan(&emails).Error
		if !errors.Is(err, store.ErrUnscoped) || len(emails) > 0 {
			t.Errorf("%s: err %v, rows %v; want ErrUnscoped and nothing read", name, err, emails)
		}
	}
	if err := st.DB().WithContext(ctxA).Exec("UPDATE contacts SET company = 'x' WHERE workspace_id = ?", b.ID).Error; !errors.Is(err, store.ErrUnscoped) {
		t.Errorf("raw UPDATE from A's scope: %v, want ErrUnscoped", err)
	}
	var emails []string
	if err := st.DB().WithContext(store.AsSystem(bg)).Raw("SELECT email FROM contacts WHERE workspace_id = ?", b.ID).Scan(&emails).Error; err != nil || len(emails) != 1 {
		t.Errorf("as system: %v %v, want B's one contact", err, emails)
	}
}
