package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// The store's share of the dashboard read, statement by statement: the key lookup, the page of
// 50 contacts, then the first 5 lists and first 5 deals of those 50. Run on SQLite by default
// and on PostgreSQL with TEST_DATABASE_URL; -benchmem's allocations are the number to track.

// dashboardData is a workspace shaped like the dashboard's: 60 contacts, each in 6 of 8 lists
// (so first: 5 leaves a next page) and with 2 deals.
type dashboardData struct {
	st       *store.Store
	ctx      context.Context // scoped to the workspace
	keyHash  string
	contacts []string // newest first, as the contacts page returns them
}

func seedDashboard(tb testing.TB) *dashboardData {
	tb.Helper()
	st := testdb.Open(tb)
	ws, err := st.CreateWorkspace(context.Background(), "Bench", models.PlanPro)
	if err != nil {
		tb.Fatal(err)
	}
	d := &dashboardData{st: st, ctx: store.WithWorkspace(context.Background(), ws.ID), keyHash: "bench-key-hash"}
	key := &models.ApiKey{WorkspaceID: ws.ID, Name: "bench", Prefix: "crm_bench", KeyHash: d.keyHash,
		Scopes: models.ParsePermissionSet("read")}
	if err := st.CreateAPIKey(context.Background(), key); err != nil {
		tb.Fatal(err)
	}
	var lists []string
	for i := range 8 {
		l, err := st.CreateList(d.ctx, models.CreateListInput{Name: fmt.Sprintf("List %d", i)})
		if err != nil {
			tb.Fatal(err)
		}
		lists = append(lists, l.ID)
	}
	for i := range 60 {
		first, last, company := fmt.Sprintf("First%d", i), fmt.Sprintf("Last%d", i), "Acme"
		c, err := st.CreateContact(d.ctx, models.CreateContactInput{Email: fmt.Sprintf("c%02d@example.com", i),
			FirstName: &first, LastName: &last, Company: &company, Tags: []string{"vip", "lead"}})
		if err != nil {
			tb.Fatal(err)
		}
		d.contacts = append([]string{c.ID}, d.contacts...)
		for n := range 2 {
			amount := 1000 * (n + 1)
			if _, err := st.CreateDeal(d.ctx, models.CreateDealInput{Title: fmt.Sprintf("Deal %d-%d", i, n), Amount: &amount, ContactID: &c.ID}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	for i, l := range lists {
		members := d.contacts
		if i >= 6 { // the last two lists hold every other contact
			members = members[:30]
		}
		if _, err := st.AddContactsToList(d.ctx, l, members); err != nil {
			tb.Fatal(err)
		}
	}
	d.contacts = d.contacts[:50]
	return d
}

func BenchmarkStoreDashboard(b *testing.B) {
	d := seedDashboard(b)
	fifty, five := 50, 5
	for _, cursors := range []bool{false, true} {
		suffix := "/noCursors"
		if cursors {
			suffix = "/cursors"
		}
		b.Run("Contacts"+suffix, func(b *testing.B) {
			args := store.PageArgs{First: &fifty, SkipCursors: !cursors}
			b.ReportAllocs()
			for b.Loop() {
				conn, err := d.st.Contacts(d.ctx, args, nil, nil)
				if err != nil || len(conn.Edges) != 50 {
					b.Fatalf("contacts: %v, %d edges", err, len(conn.Edges))
				}
			}
		})
		b.Run("ListsOfContacts"+suffix, func(b *testing.B) {
			args := store.PageArgs{First: &five, SkipCursors: !cursors}
			b.ReportAllocs()
			for b.Loop() {
				pages, err := d.st.ListsOfContacts(d.ctx, d.contacts, args)
				if err != nil || len(pages) != 50 || len(pages[d.contacts[0]].Edges) != 5 {
					b.Fatalf("lists: %v, %d pages", err, len(pages))
				}
			}
		})
		b.Run("DealsOfContacts"+suffix, func(b *testing.B) {
			args := store.PageArgs{First: &five, SkipCursors: !cursors}
			b.ReportAllocs()
			for b.Loop() {
				pages, err := d.st.DealsOfContacts(d.ctx, d.contacts, args)
				if err != nil || len(pages) != 50 || len(pages[d.contacts[0]].Edges) != 2 {
					b.Fatalf("deals: %v, %d pages", err, len(pages))
				}
			}
		})
	}
	b.Run("KeyByHash", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := d.st.KeyByHash(context.Background(), d.keyHash); err != nil {
				b.Fatal(err)
			}
		}
	})
}
