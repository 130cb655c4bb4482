package store_test

import (
	"context"
	"errors"
	"testing"

	"gorm.io/gorm"

	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// TestStatementsWithoutAWorkspaceFailClosed: every kind of statement on a workspace table run
// without a workspace in its context is refused before it reaches the database; tables that
// belong to no workspace (workspaces, the prospect catalog) are not affected.
func TestStatementsWithoutAWorkspaceFailClosed(t *testing.T) {
	st, ctx, ws := fxWorkspace(t)
	c := fxContact(t, st, ctx, models.CreateContactInput{Email: "a@example.com", Company: fxPtr("Acme")})
	bare := st.DB().WithContext(context.Background())
	now := store.Now()
	for _, tc := range []struct {
		name string
		run  func() error
	}{
		{"Find", func() error { var out []models.Contact; return bare.Find(&out).Error }},
		{"Take by id", func() error { var out models.Contact; return bare.Where("id = ?", c.ID).Take(&out).Error }},
		{"Count", func() error { var n int64; return bare.Model(&models.Contact{}).Count(&n).Error }},
		{"Pluck", func() error { var e []string; return bare.Model(&models.Contact{}).Pluck("email", &e).Error }},
		{"Rows", func() error {
			rows, err := bare.Model(&models.Contact{}).Rows()
			if err == nil {
				rows.Close()
			}
			return err
		}},
		{"Table by name", func() error { var out []map[string]any; return bare.Table("contacts").Find(&out).Error }},
		{"Table in capitals", func() error { var out []map[string]any; return bare.Table("CONTACTS").Find(&out).Error }},
		{"Table under an alias", func() error { var out []map[string]any; return bare.Table("contacts AS c").Find(&out).Error }},
		{"Update", func() error {
			return bare.Model(&models.Contact{}).Where("id = ?", c.ID).Update("company", "Evil").Error
		}},
		{"Updates of a loaded row", func() error {
			return bare.Model(&models.Contact{ID: c.ID}).Updates(map[string]any{"company": "Evil"}).Error
		}},
		{"Delete", func() error { return bare.Where("id = ?", c.ID).Delete(&models.Contact{}).Error }},
		{"Create", func() error {
			return bare.Create(&models.Contact{ID: ids.New(ids.Contact), WorkspaceID: ws.ID, Email: "b@example.com", TagList: models.StringList{}, CreatedAt: now, UpdatedAt: now}).Error
		}},
		{"Create from a map", func() error {
			return bare.Table("contacts").Create(map[string]any{"id": "ctc_map", "workspace_id": ws.ID, "email": "m@example.com", "created_at": now, "updated_at": now}).Error
		}},
		{"Raw", func() error { var n int; return bare.Raw("SELECT COUNT(*) FROM contacts").Scan(&n).Error }},
		{"Exec", func() error { return bare.Exec("DELETE FROM contacts").Error }},
		{"Raw on a link table", func() error { var n int; return bare.Raw("SELECT COUNT(*) FROM list_memberships").Scan(&n).Error }},
	} {
		if err := tc.run(); !errors.Is(err, store.ErrUnscoped) {
			t.Errorf("%s without a workspace: %v, want ErrUnscoped", tc.name, err)
		}
	}
	got, err := st.Contact(ctx, c.ID)
	if err != nil || *got.Company != "Acme" {
		t.Fatalf("the contact after refused statements: %+v %v", got, err)
	}
	if conn, _ := st.Contacts(ctx, store.PageArgs{}, nil, nil); len(conn.Edges) != 1 {
		t.Errorf("%d contacts after refused statements, want 1", len(conn.Edges))
	}
	// The tables of no workspace are read without one.
	var n int64
	if err := bare.Model(&models.Workspace{}).Count(&n).Error; err != nil || n != 1 {
		t.Errorf("count of workspaces: %d %v", n, err)
	}
	if err := bare.Model(&models.Prospect{}).Count(&n).Error; err != nil {
		t.Errorf("count of the catalog: %v", err)
	}
}

// TestTheScopeCannotBeEscaped: from one workspace's scope, statements that name another
// workspace's rows, or whose own condition would reach past the scope, touch only the
// caller's rows.
func TestTheScopeCannotBeEscaped(t *testing.T) {
	st, ctxA, wsA := fxWorkspace(t)
	ctxB := fxOtherWorkspace(t, st)
	a := fxContact(t, st, ctxA, models.CreateContactInput{Email: "a@example.com", Company: fxPtr("A")})
	b := fxContact(t, st, ctxB, models.CreateContactInput{Email: "b@example.com", Company: fxPtr("B")})
	dbA := st.DB().WithContext(ctxA)
	now := store.Now()
	wsB, _ := store.WorkspaceFrom(ctxB)

	var emails []string
	if err := dbA.Model(&models.Contact{}).Where("email = ? OR 1 = 1", "x").Order("email").Pluck("email", &emails).Error; err != nil || len(emails) != 1 || emails[0] != a.Email {
		t.Errorf("an OR in the caller's condition: %v %v, want only A's contact", emails, err)
	}
	var rows []map[string]any
	if err := dbA.Table("contacts AS c").Where("c.id IN ?", []string{a.ID, b.ID}).Find(&rows).Error; err != nil || len(rows) != 1 {
		t.Errorf("through an alias: %d rows %v, want A's one", len(rows), err)
	}
	for _, tc := range []struct {
		name string
		run  func() *gorm.DB
	}{
		{"update of B's id", func() *gorm.DB { return dbA.Model(&models.Contact{}).Where("id = ?", b.ID).Update("company", "Evil") }},
		{"update of B's loaded row", func() *gorm.DB { return dbA.Model(&models.Contact{ID: b.ID}).Update("company", "Evil") }},
		{"update with an OR", func() *gorm.DB {
			return dbA.Model(&models.Contact{}).Where("id = ? OR 1 = 1", "x").Update("company", "Evil")
		}},
		{"delete of B's id", func() *gorm.DB { return dbA.Where("id = ?", b.ID).Delete(&models.Contact{}) }},
		{"delete of B's row by primary key", func() *gorm.DB { return dbA.Delete(&models.Contact{ID: b.ID}) }},
	} {
		res := tc.run()
		if res.Error != nil {
			t.Errorf("%s: %v", tc.name, res.Error)
		} else if tc.name != "update with an OR" && res.RowsAffected != 0 {
			t.Errorf("%s: %d rows changed, want none", tc.name, res.RowsAffected)
		}
	}
	if got, err := st.Contact(ctxB, b.ID); err != nil || *got.Company != "B" {
		t.Errorf("B's contact after A's statements: %+v %v", got, err)
	}
	if got, _ := st.Contact(ctxA, a.ID); *got.Company != "Evil" {
		t.Errorf("A's own contact: the OR update did not reach it (%q)", *got.Company)
	}

	// Without a condition an update or delete would be "all of this workspace": refused.
	if err := dbA.Model(&models.Contact{}).Update("company", "All").Error; !errors.Is(err, gorm.ErrMissingWhereClause) {
		t.Errorf("update without WHERE: %v, want ErrMissingWhereClause", err)
	}
	if err := dbA.Delete(&models.Contact{}).Error; !errors.Is(err, gorm.ErrMissingWhereClause) {
		t.Errorf("delete without WHERE: %v, want ErrMissingWhereClause", err)
	}

	// Inserts are stamped with the caller's workspace, and may not name another.
	own := &models.Contact{ID: ids.New(ids.Contact), Email: "own@example.com", TagList: models.StringList{}, CreatedAt: now, UpdatedAt: now}
	if err := dbA.Create(own).Error; err != nil || own.WorkspaceID != wsA.ID {
		t.Errorf("insert from A's scope: %v, workspace %q", err, own.WorkspaceID)
	}
	foreign := &models.Contact{ID: ids.New(ids.Contact), WorkspaceID: wsB, Email: "f@example.com", TagList: models.StringList{}, CreatedAt: now, UpdatedAt: now}
	if err := dbA.Create(foreign).Error; !errors.Is(err, store.ErrUnscoped) {
		t.Errorf("insert naming another workspace: %v, want ErrUnscoped", err)
	}
	batch := []*models.ContactTag{{Tag: "ok", ContactID: a.ID}, {Tag: "bad", ContactID: a.ID, WorkspaceID: wsB}}
	if err := dbA.Create(&batch).Error; !errors.Is(err, store.ErrUnscoped) {
		t.Errorf("a batch with one row of another workspace: %v, want ErrUnscoped", err)
	}
	if err := dbA.Table("contacts").Create(map[string]any{"id": "ctc_map", "email": "m@example.com"}).Error; !errors.Is(err, store.ErrUnscoped) {
		t.Errorf("insert of a map from A's scope (nothing to stamp): %v, want ErrUnscoped", err)
	}

	// The system context must name the workspace of what it inserts.
	sys := st.DB().WithContext(store.AsSystem(context.Background()))
	nameless := &models.Contact{ID: ids.New(ids.Contact), Email: "s@example.com", TagList: models.StringList{}, CreatedAt: now, UpdatedAt: now}
	if err := sys.Create(nameless).Error; !errors.Is(err, store.ErrUnscoped) {
		t.Errorf("system insert without a workspace: %v, want ErrUnscoped", err)
	}
	named := &models.Contact{ID: ids.New(ids.Contact), WorkspaceID: wsA.ID, Email: "s@example.com", TagList: models.StringList{}, CreatedAt: now, UpdatedAt: now}
	if err := sys.Create(named).Error; err != nil {
		t.Errorf("system insert naming its workspace: %v", err)
	}
	var all int64
	if err := sys.Model(&models.Contact{}).Count(&all).Error; err != nil || all != 4 {
		t.Errorf("the system context counts %d contacts (%v), want every workspace's 4", all, err)
	}
}

// TestWorkspaceFrom: an empty workspace id is no scope.
func TestWorkspaceFrom(t *testing.T) {
	bg := context.Background()
	for _, tc := range []struct {
		name string
		ctx  context.Context
		id   string
		ok   bool
	}{
		{"none", bg, "", false},
		{"empty id", store.WithWorkspace(bg, ""), "", false},
		{"set", store.WithWorkspace(bg, "wks_1"), "wks_1", true},
		{"system is no workspace", store.AsSystem(bg), "", false},
	} {
		id, ok := store.WorkspaceFrom(tc.ctx)
		if id != tc.id || ok != tc.ok {
			t.Errorf("%s: %q %v, want %q %v", tc.name, id, ok, tc.id, tc.ok)
		}
	}
	st, _, _ := fxWorkspace(t)
	var n int64
	if err := st.DB().WithContext(store.WithWorkspace(bg, "")).Model(&models.Contact{}).Count(&n).Error; !errors.Is(err, store.ErrUnscoped) {
		t.Errorf("a statement scoped to the empty workspace: %v, want ErrUnscoped", err)
	}
}
