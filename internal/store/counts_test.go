package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// countsAgree checks every kept count of a workspace against the rows themselves: the
// unfiltered totals, each list's members (contactCount and the listId filter) and each tag's
// contacts.
func countsAgree(t *testing.T, st *store.Store, ctx context.Context, ws, step string) {
	t.Helper()
	sys := st.DB().WithContext(store.AsSystem(context.Background()))
	rows := func(q string, args ...any) int {
		t.Helper()
		var n int
		if err := sys.Raw(q, args...).Scan(&n).Error; err != nil {
			t.Fatalf("%s: %s: %v", step, q, err)
		}
		return n
	}
	total := func(name string, conn interface {
		TotalCount(context.Context) (int, error)
		TotalCountIsExact(context.Context) (bool, error)
	}, err error, want int) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %s: %v", step, name, err)
		}
		n, err := conn.TotalCount(ctx)
		if err != nil {
			t.Fatalf("%s: %s: %v", step, name, err)
		}
		exact, err := conn.TotalCountIsExact(ctx)
		if err != nil || !exact || n != want {
			t.Errorf("%s: %s totalCount = %d (exact %v, %v), want %d", step, name, n, exact, err, want)
		}
	}
	one := 1
	args := store.PageArgs{First: &one}
	c, err := st.Contacts(ctx, args, nil, nil)
	total("contacts", c, err, rows("SELECT COUNT(*) FROM contacts WHERE workspace_id = ?", ws))
	l, err := st.Lists(ctx, args, nil)
	total("lists", l, err, rows("SELECT COUNT(*) FROM lists WHERE workspace_id = ?", ws))
	d, err := st.Deals(ctx, args, nil)
	total("deals", d, err, rows("SELECT COUNT(*) FROM deals WHERE workspace_id = ?", ws))
	cp, err := st.Campaigns(ctx, args, nil)
	total("campaigns", cp, err, rows("SELECT COUNT(*) FROM campaigns WHERE workspace_id = ?", ws))

	var listIDs, tags []string
	if err := sys.Raw("SELECT id FROM lists WHERE workspace_id = ?", ws).Scan(&listIDs).Error; err != nil {
		t.Fatal(err)
	}
	members, err := st.CountChildren(ctx, store.MembersOfList, listIDs)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range listIDs {
		want := rows("SELECT COUNT(*) FROM list_memberships WHERE list_id = ?", id)
		if members[id] != want {
			t.Errorf("%s: list %s contactCount = %d, want %d", step, id, members[id], want)
		}
		c, err := st.Contacts(ctx, args, &models.ContactFilter{ListID: &id}, nil)
		total("contacts of list "+id, c, err, want)
	}
	if err := sys.Raw("SELECT DISTINCT tag FROM contact_tags WHERE workspace_id = ?", ws).Scan(&tags).Error; err != nil {
		t.Fatal(err)
	}
	for _, tag := range append(tags, "nobody") {
		c, err := st.Contacts(ctx, args, &models.ContactFilter{Tag: &tag}, nil)
		total("contacts tagged "+tag, c, err, rows("SELECT COUNT(*) FROM contact_tags WHERE workspace_id = ? AND tag = ?", ws, tag))
	}
}

// TestKeptCountsFollowEveryWrite: the counts that totalCount and contactCount read without
// counting rows stay equal to the rows through creates, list changes, tag changes, deletes
// and their cascades, in two workspaces side by side.
func TestKeptCountsFollowEveryWrite(t *testing.T) {
	st := testdb.Open(t)
	bg := context.Background()
	var ctxs []context.Context
	var wsIDs []string
	for _, name := range []string{"A", "B"} {
		ws, err := st.CreateWorkspace(bg, name, models.PlanOrg)
		if err != nil {
			t.Fatal(err)
		}
		ctxs, wsIDs = append(ctxs, store.WithWorkspace(bg, ws.ID)), append(wsIDs, ws.ID)
	}
	ctx := ctxs[0]
	check := func(step string) {
		t.Helper()
		for i := range ctxs {
			countsAgree(t, st, ctxs[i], wsIDs[i], step)
		}
	}
	var contacts []string
	for i := range 6 {
		in := models.CreateContactInput{Email: fmt.Sprintf("c%d@example.com", i)}
		if i%2 == 0 {
			in.Tags = []string{"vip", "partner"}
		}
		c, err := st.CreateContact(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		contacts = append(contacts, c.ID)
	}
	if _, err := st.CreateContact(ctxs[1], models.CreateContactInput{Email: "b@example.com", Tags: []string{"vip"}}); err != nil {
		t.Fatal(err)
	}
	check("contacts created")
	l1, err := st.CreateList(ctx, models.CreateListInput{Name: "One"})
	if err != nil {
		t.Fatal(err)
	}
	l2, err := st.CreateList(ctx, models.CreateListInput{Name: "Two"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddContactsToList(ctx, l1.ID, contacts); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddContactsToList(ctx, l1.ID, contacts[:3]); err != nil { // already members
		t.Fatal(err)
	}
	if _, err := st.AddContactsToList(ctx, l2.ID, contacts[2:]); err != nil {
		t.Fatal(err)
	}
	check("lists filled")
	if _, err := st.RemoveContactsFromList(ctx, l1.ID, contacts[:2]); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateContact(ctx, contacts[0], models.UpdateContactInput{Tags: []string{"churned"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpdateContact(ctx, contacts[1], models.UpdateContactInput{Tags: []string{"vip"}}); err != nil {
		t.Fatal(err)
	}
	check("members removed, tags replaced")
	d, err := st.CreateDeal(ctx, models.CreateDealInput{Title: "Deal", ContactID: &contacts[2]})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateDeal(ctx, models.CreateDealInput{Title: "Other"}); err != nil {
		t.Fatal(err)
	}
	camp, err := st.CreateCampaign(ctx, models.CreateCampaignInput{Name: "Launch", ListID: &l2.ID})
	if err != nil {
		t.Fatal(err)
	}
	check("deals and a campaign")
	if err := st.DeleteContact(ctx, contacts[2]); err != nil { // in both lists, tagged, with a deal
		t.Fatal(err)
	}
	check("a contact deleted")
	if err := st.DeleteList(ctx, l2.ID); err != nil { // members and the campaign's list go with it
		t.Fatal(err)
	}
	if err := st.DeleteDeal(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteCampaign(ctx, camp.ID); err != nil {
		t.Fatal(err)
	}
	check("a list, a deal and a campaign deleted")
	sys := st.DB().WithContext(store.AsSystem(bg))
	var stale int
	if err := sys.Raw("SELECT COUNT(*) FROM row_counts WHERE scope = ?", l2.ID).Scan(&stale).Error; err != nil {
		t.Fatal(err)
	}
	if stale != 0 {
		t.Errorf("%d counter rows of the deleted list remain", stale)
	}
	// A workspace deleted with everything in it takes its counters along, and the cascade
	// through its rows does not write them again.
	if err := sys.Exec("DELETE FROM workspaces WHERE id = ?", wsIDs[1]).Error; err != nil {
		t.Fatal(err)
	}
	if err := sys.Raw("SELECT COUNT(*) FROM row_counts WHERE workspace_id = ?", wsIDs[1]).Scan(&stale).Error; err != nil {
		t.Fatal(err)
	}
	if stale != 0 {
		t.Errorf("%d counter rows of the deleted workspace remain", stale)
	}
	ctxs, wsIDs = ctxs[:1], wsIDs[:1]
	check("the other workspace deleted")
}

// TestFilteredCountsStopAtTheCap: a filtered count that is not kept counts up to CountCap and
// says whether it stopped there; the kept counts stay exact past it.
func TestFilteredCountsStopAtTheCap(t *testing.T) {
	st := testdb.Open(t)
	bg := context.Background()
	ws, err := st.CreateWorkspace(bg, "Big", models.PlanOrg)
	if err != nil {
		t.Fatal(err)
	}
	ctx := store.WithWorkspace(bg, ws.ID)
	sys := st.DB().WithContext(store.AsSystem(bg))
	series := "WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < ?) SELECT i FROM s"
	if st.Dialect() == store.Postgres {
		series = "SELECT generate_series(1, ?) AS i"
	}
	n := store.CountCap + 5
	err = sys.Exec(`INSERT INTO contacts (id, workspace_id, email, first_name, last_name, company, tags, created_at, updated_at)
		SELECT 'ctc_' || s.i, ?, 'p' || s.i || '@example.com', 'Pat', CASE WHEN s.i <= 3 THEN 'Unique' ELSE 'Smith' END,
		       'Acme', '[]', ?, ? FROM (`+series+`) s`, ws.ID, store.Now(), store.Now(), n).Error
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	one := 1
	for _, tc := range []struct {
		name   string
		filter *models.ContactFilter
		want   int
		exact  bool
	}{
		{"unfiltered: kept", nil, n, true},
		{"search past the cap", &models.ContactFilter{Search: str("smith")}, store.CountCap, false},
		{"search under the cap", &models.ContactFilter{Search: str("unique")}, 3, true},
		{"company past the cap", &models.ContactFilter{Company: str("acme")}, store.CountCap, false},
		{"search matching nothing", &models.ContactFilter{Search: str("nobody")}, 0, true},
	} {
		conn, err := st.Contacts(ctx, store.PageArgs{First: &one}, tc.filter, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, err := conn.TotalCount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		exact, err := conn.TotalCountIsExact(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got != tc.want || exact != tc.exact {
			t.Errorf("%s: totalCount %d, exact %v; want %d, %v", tc.name, got, exact, tc.want, tc.exact)
		}
	}
}
