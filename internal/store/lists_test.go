package store_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// What the store decides about lists: names unique ignoring case, partial updates, and
// membership that is idempotent, all or nothing, bounded and scoped to the workspace.

func TestListRules(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	vip, err := st.CreateList(ctx, models.CreateListInput{Name: "  VIP Customers ", Description: fxPtr("Top accounts")})
	if err != nil || ids.Kind(vip.ID) != ids.List || vip.Name != "VIP Customers" || deref(vip.Description) != "Top accounts" {
		t.Fatalf("CreateList: %+v, %v", vip, err)
	}
	plain := fxList(t, st, ctx, "Plain")
	if plain.Description != nil {
		t.Errorf("description without input = %q, want none", *plain.Description)
	}
	invalid := []struct {
		name  string
		in    models.CreateListInput
		field string
	}{
		{"empty name", models.CreateListInput{Name: ""}, "input.name"},
		{"blank name", models.CreateListInput{Name: "   "}, "input.name"},
		{"name over 255", models.CreateListInput{Name: strings.Repeat("n", 256)}, "input.name"},
		{"control character", models.CreateListInput{Name: "a\x00b"}, "input.name"},
		{"description over 2000", models.CreateListInput{Name: "Desc", Description: fxPtr(strings.Repeat("d", 2001))}, "input.description"},
	}
	for _, tc := range invalid {
		_, err := st.CreateList(ctx, tc.in)
		fxWantCode(t, "create: "+tc.name, err, apperr.EINVALID, tc.field)
		up := models.UpdateListInput{Description: tc.in.Description}
		if tc.field == "input.name" {
			up.Name = &tc.in.Name
		}
		_, err = st.UpdateList(ctx, vip.ID, up)
		fxWantCode(t, "update: "+tc.name, err, apperr.EINVALID, tc.field)
	}
	for _, name := range []string{"VIP Customers", "vip customers", "  VIP CUSTOMERS  "} {
		_, err := st.CreateList(ctx, models.CreateListInput{Name: name})
		fxWantCode(t, "create "+name, err, apperr.ECONFLICT, "")
	}
	_, err = st.UpdateList(ctx, plain.ID, models.UpdateListInput{Name: fxPtr("vip CUSTOMERS"), Description: fxPtr("changed")})
	fxWantCode(t, "rename onto another list's name", err, apperr.ECONFLICT, "")
	if read, err := st.List(ctx, plain.ID); err != nil || read.Name != "Plain" || read.Description != nil {
		t.Errorf("after a conflicting rename: %+v, %v", read, err)
	}
	if read, err := st.List(ctx, vip.ID); err != nil || read.Name != vip.Name || deref(read.Description) != "Top accounts" {
		t.Errorf("after rejected updates: %+v, %v", read, err)
	}

	// Updates are partial; "" clears the description; a name may change case.
	steps := []struct {
		in         models.UpdateListInput
		name, desc string
	}{
		{models.UpdateListInput{Name: fxPtr("Gold")}, "Gold", "Top accounts"},
		{models.UpdateListInput{Description: fxPtr("Gold tier")}, "Gold", "Gold tier"},
		{models.UpdateListInput{Description: fxPtr("")}, "Gold", "<nil>"},
		{models.UpdateListInput{Name: fxPtr("GOLD")}, "GOLD", "<nil>"},
	}
	for i, s := range steps {
		got, err := st.UpdateList(ctx, vip.ID, s.in)
		if err != nil || got.Name != s.name || deref(got.Description) != s.desc || !got.CreatedAt.Equal(vip.CreatedAt) {
			t.Errorf("update %d: %+v, %v; want %q %q", i, got, err, s.name, s.desc)
		}
	}
	fxList(t, st, ctx, "VIP Customers") // the old name is free again
	conn, err := st.Lists(ctx, store.PageArgs{}, &models.ListFilter{Search: fxPtr("gol")})
	if err != nil || len(conn.Edges) != 1 || conn.Edges[0].Node.ID != vip.ID {
		t.Errorf("lists matching gol: %+v, %v", conn, err)
	}
	_, err = st.UpdateList(ctx, ids.New(ids.List), models.UpdateListInput{Name: fxPtr("x")})
	fxWantCode(t, "update unknown", err, apperr.ENOTFOUND, "")
	fxWantCode(t, "delete unknown", st.DeleteList(ctx, ids.New(ids.List)), apperr.ENOTFOUND, "")
	if err := st.DeleteList(ctx, plain.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.List(ctx, plain.ID); apperr.CodeOf(err) != apperr.ENOTFOUND {
		t.Errorf("List after delete: %v", err)
	}
	fxWantCode(t, "delete again", st.DeleteList(ctx, plain.ID), apperr.ENOTFOUND, "")
	fxList(t, st, ctx, "plain")
}

func TestListMembership(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	c1 := fxContact(t, st, ctx, models.CreateContactInput{Email: "one@example.com"}).ID
	c2 := fxContact(t, st, ctx, models.CreateContactInput{Email: "two@example.com"}).ID
	c3 := fxContact(t, st, ctx, models.CreateContactInput{Email: "three@example.com"}).ID
	c4 := fxContact(t, st, ctx, models.CreateContactInput{Email: "four@example.com"}).ID
	list, other := fxList(t, st, ctx, "Newsletter").ID, fxList(t, st, ctx, "Events").ID
	foreign := fxContact(t, st, fxOtherWorkspace(t, st), models.CreateContactInput{Email: "f@example.com"}).ID
	many := func(n int, id string) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id
		}
		return out
	}
	add := func(l string, c ...string) error { _, err := st.AddContactsToList(ctx, l, c); return err }
	remove := func(l string, c ...string) error { _, err := st.RemoveContactsFromList(ctx, l, c); return err }
	steps := []struct {
		name    string
		op      func() error
		code    apperr.Code
		field   string
		members []string // of list, after the step
	}{
		{"add", func() error { return add(list, c1, c2) }, "", "", []string{c1, c2}},
		{"add again: idempotent", func() error { return add(list, c1, c2) }, "", "", []string{c1, c2}},
		{"add with a repeated id", func() error { return add(list, c2, c3, c3) }, "", "", []string{c1, c2, c3}},
		{"add to another list", func() error { return add(other, c1) }, "", "", []string{c1, c2, c3}},
		{"an unknown contact: nothing added", func() error { return add(list, c4, ids.New(ids.Contact)) }, apperr.ENOTFOUND, "contactIds", []string{c1, c2, c3}},
		{"a malformed id", func() error { return add(list, c4, "not-an-id") }, apperr.ENOTFOUND, "contactIds", []string{c1, c2, c3}},
		{"another workspace's contact", func() error { return add(list, c4, foreign) }, apperr.ENOTFOUND, "contactIds", []string{c1, c2, c3}},
		{"an unknown list", func() error { return add(ids.New(ids.List), c1) }, apperr.ENOTFOUND, "", []string{c1, c2, c3}},
		{"remove from an unknown list", func() error { return remove(ids.New(ids.List), c1) }, apperr.ENOTFOUND, "", []string{c1, c2, c3}},
		{"over 1000 ids", func() error { return add(list, many(1001, c1)...) }, apperr.EINVALID, "contactIds", []string{c1, c2, c3}},
		{"remove over 1000 ids", func() error { return remove(list, many(1001, c1)...) }, apperr.EINVALID, "contactIds", []string{c1, c2, c3}},
		{"no ids", func() error { return add(list) }, apperr.EINVALID, "contactIds", []string{c1, c2, c3}},
		{"remove no ids", func() error { return remove(list) }, apperr.EINVALID, "contactIds", []string{c1, c2, c3}},
		{"1000 ids", func() error { return add(list, many(1000, c1)...) }, "", "", []string{c1, c2, c3}},
		{"remove", func() error { return remove(list, c1) }, "", "", []string{c2, c3}},
		{"remove a non-member: ignored", func() error { return remove(list, c1) }, "", "", []string{c2, c3}},
		{"remove with an unknown id: nothing removed", func() error { return remove(list, c2, ids.New(ids.Contact)) }, apperr.ENOTFOUND, "contactIds", []string{c2, c3}},
	}
	for _, s := range steps {
		err := s.op()
		if s.code == "" && err != nil {
			t.Errorf("%s: %v", s.name, err)
		} else if s.code != "" {
			fxWantCode(t, s.name, err, s.code, s.field)
		}
		if got := contactIDs(t, st, ctx, &models.ContactFilter{ListID: &list}); !slices.Equal(got, sorted(s.members...)) {
			t.Errorf("%s: members %v, want %v", s.name, got, s.members)
		}
	}
	lists, err := st.ListsOfContacts(ctx, []string{c1, c3, c4}, store.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	for id, want := range map[string][]string{c1: {other}, c3: {list}, c4: {}} {
		got := []string{}
		for _, e := range lists[id].Edges {
			got = append(got, e.Node.ID)
		}
		if !slices.Equal(sorted(got...), sorted(want...)) {
			t.Errorf("lists of %s: %v, want %v", id, got, want)
		}
	}

	// Deleting a list keeps its contacts and unlinks its campaigns (which stay drafts).
	camp, err := st.CreateCampaign(ctx, models.CreateCampaignInput{Name: "Promo", ListID: &list})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteList(ctx, list); err != nil {
		t.Fatal(err)
	}
	got, err := st.Campaign(ctx, camp.ID)
	if err != nil || got.ListID != nil || got.Status != models.CampaignStatusDraft {
		t.Errorf("campaign of the deleted list: %+v, %v", got, err)
	}
	if all := contactIDs(t, st, ctx, nil); len(all) != 4 {
		t.Errorf("contacts after deleting a list: %d, want 4", len(all))
	}
	if got := contactIDs(t, st, ctx, &models.ContactFilter{ListID: &other}); !slices.Equal(got, []string{c1}) {
		t.Errorf("the other list's members: %v", got)
	}
}
