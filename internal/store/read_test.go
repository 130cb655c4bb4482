package store_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// TestPagesReadWhatOneRowReadsRead: the page reads (contacts, the nested lists and deals of
// many contacts), which scan their own rows (on PostgreSQL through pgx, with their text in an
// arena), return the same values as GORM's reads of one row: NULL and empty text, long text,
// a value repeated row after row, and every parent's page cut at first with hasNextPage.
func TestPagesReadWhatOneRowReadsRead(t *testing.T) {
	st := testdb.Open(t)
	ws, err := st.CreateWorkspace(context.Background(), "Read", models.PlanPro)
	if err != nil {
		t.Fatal(err)
	}
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	long := strings.Repeat("long description ", 120)[:2000]
	empty, plain, longName := "", "plain", strings.Repeat("n", 255)
	var lists []*models.List
	for i, desc := range []*string{nil, &empty, &long, &plain} {
		l, err := st.CreateList(ctx, models.CreateListInput{Name: fmt.Sprintf("List %d", i), Description: desc})
		if err != nil {
			t.Fatal(err)
		}
		lists = append(lists, l)
	}
	cases := []struct {
		name           string
		first, company *string
		lists, deals   int
	}{
		{name: "nothing optional", lists: 0, deals: 0},
		{name: "empty first name", first: &empty, company: &plain, lists: 1, deals: 1},
		{name: "in every list", first: &plain, lists: 4, deals: 3},
		{name: "long company", company: &longName, lists: 2, deals: 2},
	}
	var contactIDs []string
	for i, c := range cases {
		contact, err := st.CreateContact(ctx, models.CreateContactInput{Email: fmt.Sprintf("r%d@example.com", i),
			FirstName: c.first, Company: c.company, Tags: []string{"a", "b\"c"}})
		if err != nil {
			t.Fatal(err)
		}
		contactIDs = append(contactIDs, contact.ID)
		for _, l := range lists[:c.lists] {
			if _, err := st.AddContactsToList(ctx, l.ID, []string{contact.ID}); err != nil {
				t.Fatal(err)
			}
		}
		for d := range c.deals {
			if _, err := st.CreateDeal(ctx, models.CreateDealInput{Title: fmt.Sprintf("Deal %d", d), ContactID: &contact.ID}); err != nil {
				t.Fatal(err)
			}
		}
	}

	first := len(cases)
	page, err := st.Contacts(ctx, store.PageArgs{First: &first}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range page.Edges {
		one, err := st.Contact(ctx, e.Node.ID)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, "contact "+e.Node.ID, e.Node, one)
	}

	two := 2
	listPages, err := st.ListsOfContacts(ctx, contactIDs, store.PageArgs{First: &two, SkipCursors: true})
	if err != nil {
		t.Fatal(err)
	}
	dealPages, err := st.DealsOfContacts(ctx, contactIDs, store.PageArgs{First: &two})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lp, dp := listPages[contactIDs[i]], dealPages[contactIDs[i]]
			if got, want := len(lp.Edges), min(c.lists, 2); got != want {
				t.Fatalf("%d lists, want %d", got, want)
			}
			if got, want := lp.PageInfo.HasNextPage, c.lists > 2; got != want {
				t.Errorf("lists hasNextPage %v, want %v", got, want)
			}
			for j, e := range lp.Edges {
				one, err := st.List(ctx, lists[j].ID)
				if err != nil {
					t.Fatal(err)
				}
				sameJSON(t, "list", e.Node, one)
				if e.Cursor != "" {
					t.Errorf("list cursor %q although none was asked for", e.Cursor)
				}
			}
			if got, want := len(dp.Edges), min(c.deals, 2); got != want {
				t.Fatalf("%d deals, want %d", got, want)
			}
			if got, want := dp.PageInfo.HasNextPage, c.deals > 2; got != want {
				t.Errorf("deals hasNextPage %v, want %v", got, want)
			}
			for _, e := range dp.Edges {
				one, err := st.Deal(ctx, e.Node.ID)
				if err != nil {
					t.Fatal(err)
				}
				sameJSON(t, "deal", e.Node, one)
				if e.Cursor == "" {
					t.Errorf("deal without a cursor")
				}
			}
			if len(dp.Edges) > 0 && *dp.PageInfo.EndCursor != dp.Edges[len(dp.Edges)-1].Cursor {
				t.Errorf("endCursor is not the last edge's cursor")
			}
		})
	}
}

// sameJSON compares two rows by their JSON: times in one zone, pointers by their values.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// TestNestedPagesInARequestTransaction: a nested page read inside a request transaction (an
// idempotent mutation's response) reads the same as outside it. It used to wait forever: the
// read held the transaction's turn while GORM built its subquery, whose callbacks waited for
// that turn.
func TestNestedPagesInARequestTransaction(t *testing.T) {
	st := testdb.Open(t)
	ws, err := st.CreateWorkspace(context.Background(), "Tx", models.PlanPro)
	if err != nil {
		t.Fatal(err)
	}
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	l, err := st.CreateList(ctx, models.CreateListInput{Name: "L"})
	if err != nil {
		t.Fatal(err)
	}
	var contactIDs []string
	for i := range 3 {
		c, err := st.CreateContact(ctx, models.CreateContactInput{Email: fmt.Sprintf("tx%d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		contactIDs = append(contactIDs, c.ID)
	}
	if _, err := st.AddContactsToList(ctx, l.ID, contactIDs[:2]); err != nil {
		t.Fatal(err)
	}
	five := 5
	outside, err := st.ListsOfContacts(ctx, contactIDs, store.PageArgs{First: &five})
	if err != nil {
		t.Fatal(err)
	}
	rctx, rt, err := st.BeginRequest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Rollback()
	// On PostgreSQL this goes through database/sql, the parent ids as one text[] parameter in
	// its text form.
	inside, err := st.ListsOfContacts(rctx, contactIDs, store.PageArgs{First: &five})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range contactIDs {
		sameJSON(t, "lists of "+id, inside[id], outside[id])
	}
	if len(inside[contactIDs[0]].Edges) != 1 || len(inside[contactIDs[2]].Edges) != 0 {
		t.Errorf("pages %d and %d lists long, want 1 and 0", len(inside[contactIDs[0]].Edges), len(inside[contactIDs[2]].Edges))
	}
}
