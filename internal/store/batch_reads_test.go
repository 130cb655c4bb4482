package store_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// TestContactsOfListsPagesEveryListInOneRead: the members of many lists are read as one page
// per list, oldest member first, each cut at first with its own hasNextPage and cursors that
// continue that list only.
func TestContactsOfListsPagesEveryListInOneRead(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	var cs []string
	for i := range 5 {
		cs = append(cs, fxContact(t, st, ctx, models.CreateContactInput{Email: fmt.Sprintf("m%d@example.com", i)}).ID)
	}
	big, small, empty := fxList(t, st, ctx, "Big"), fxList(t, st, ctx, "Small"), fxList(t, st, ctx, "Empty")
	foreign := fxList(t, st, other, "Foreign")
	fc := fxContact(t, st, other, models.CreateContactInput{Email: "f@example.com"})
	if _, err := st.AddContactsToList(other, foreign.ID, []string{fc.ID}); err != nil {
		t.Fatal(err)
	}
	// Added out of order: pages follow the contacts' age, not the order of joining.
	if _, err := st.AddContactsToList(ctx, big.ID, []string{cs[4], cs[0], cs[2], cs[1], cs[3]}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddContactsToList(ctx, small.ID, []string{cs[3]}); err != nil {
		t.Fatal(err)
	}
	ids := func(c *models.ContactConnection) string {
		var out []string
		for _, e := range c.Edges {
			out = append(out, e.Node.Email[:2])
		}
		return strings.Join(out, ",")
	}
	two := 2
	parents := []string{big.ID, small.ID, empty.ID, big.ID, foreign.ID, "lst_unknown"}
	pages, err := st.ContactsOfLists(ctx, parents, store.PageArgs{First: &two})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, list string
		want       string
		next       bool
	}{
		{"big list, cut at two", big.ID, "m0,m1", true},
		{"one member", small.ID, "m3", false},
		{"no members", empty.ID, "", false},
		{"another workspace's list reads as empty", foreign.ID, "", false},
		{"unknown list", "lst_unknown", "", false},
	} {
		p := pages[tc.list]
		if p == nil {
			t.Errorf("%s: no page", tc.name)
			continue
		}
		if got := ids(p); got != tc.want || p.PageInfo.HasNextPage != tc.next || p.PageInfo.HasPreviousPage {
			t.Errorf("%s: %q next %v previous %v, want %q next %v", tc.name, got, p.PageInfo.HasNextPage, p.PageInfo.HasPreviousPage, tc.want, tc.next)
		}
	}
	if len(pages) != 5 {
		t.Errorf("%d pages for 5 distinct parents", len(pages))
	}

	// The end cursor continues the big list where it stopped, to its end.
	after := *pages[big.ID].PageInfo.EndCursor
	next, err := st.ContactsOfLists(ctx, []string{big.ID, small.ID}, store.PageArgs{First: &two, After: &after})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(next[big.ID]); got != "m2,m3" || !next[big.ID].PageInfo.HasNextPage || !next[big.ID].PageInfo.HasPreviousPage {
		t.Errorf("second page: %q %+v, want m2,m3 with pages on both sides", got, next[big.ID].PageInfo)
	}
	after = *next[big.ID].PageInfo.EndCursor
	last, err := st.ContactsOfLists(ctx, []string{big.ID}, store.PageArgs{First: &two, After: &after})
	if err != nil || ids(last[big.ID]) != "m4" || last[big.ID].PageInfo.HasNextPage {
		t.Errorf("last page: %v %v, want m4 and no next page", ids(last[big.ID]), err)
	}

	zero := 0
	none, err := st.ContactsOfLists(ctx, []string{big.ID}, store.PageArgs{First: &zero})
	if err != nil || len(none[big.ID].Edges) != 0 {
		t.Errorf("first: 0 gives %d members (%v)", len(none[big.ID].Edges), err)
	}

	// A cursor of another connection, or no cursor at all, is refused.
	lists, err := st.ListsOfContacts(ctx, []string{cs[3]}, store.PageArgs{First: &two})
	if err != nil {
		t.Fatal(err)
	}
	listCursor := lists[cs[3]].Edges[0].Cursor
	for _, tc := range []struct {
		name string
		args store.PageArgs
		code apperr.Code
		fld  string
	}{
		{"a cursor of Contact.lists", store.PageArgs{After: &listCursor}, apperr.EINVALID, "after"},
		{"not a cursor", store.PageArgs{After: fxPtr("garbage")}, apperr.EINVALID, "after"},
		{"first over the maximum", store.PageArgs{First: fxPtr(101)}, apperr.EINVALID, "first"},
	} {
		_, err := st.ContactsOfLists(ctx, []string{big.ID}, tc.args)
		fxWantCode(t, tc.name, err, tc.code, tc.fld)
	}
}

func TestCountChildren(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	a := fxContact(t, st, ctx, models.CreateContactInput{Email: "a@example.com"})
	b := fxContact(t, st, ctx, models.CreateContactInput{Email: "b@example.com"})
	l1, l2 := fxList(t, st, ctx, "L1"), fxList(t, st, ctx, "L2")
	if _, err := st.AddContactsToList(ctx, l1.ID, []string{a.ID, b.ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddContactsToList(ctx, l2.ID, []string{a.ID}); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := st.CreateDeal(ctx, models.CreateDealInput{Title: "d", ContactID: &a.ID}); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		rel     *store.Relation
		name    string
		parents []string
		want    map[string]int
	}{
		{store.MembersOfList, "List.contacts", []string{l1.ID, l2.ID, "lst_x"}, map[string]int{l1.ID: 2, l2.ID: 1}},
		{store.ListsOfContact, "Contact.lists", []string{a.ID, b.ID}, map[string]int{a.ID: 2, b.ID: 1}},
		{store.DealsOfContact, "Contact.deals", []string{a.ID, b.ID}, map[string]int{a.ID: 3}},
	} {
		got, err := st.CountChildren(ctx, tc.rel, tc.parents)
		if err != nil {
			t.Fatalf("%s: %v", tc.rel, err)
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: %v, want %v", tc.rel, got, tc.want)
		}
		if tc.rel.String() != tc.name {
			t.Errorf("relation named %q, want %q", tc.rel.String(), tc.name)
		}
		// Another workspace counts none of them.
		if foreign, err := st.CountChildren(other, tc.rel, tc.parents); err != nil || len(foreign) != 0 {
			t.Errorf("%s from another workspace: %v %v", tc.rel, foreign, err)
		}
	}
	if _, err := st.CountChildren(ctx, nil, []string{a.ID}); err == nil {
		t.Error("CountChildren of no relation succeeded")
	}
}
