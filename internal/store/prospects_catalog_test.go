package store_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

func TestUpsertProspectsValidatesEveryRowOrLoadsNone(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	good := store.ProspectRecord{FullName: "Ada Lovelace", Email: "ada@example.com", Company: "Analytical"}
	for _, tc := range []struct {
		name  string
		bad   store.ProspectRecord
		field string
	}{
		{"bad email", store.ProspectRecord{FullName: "X", Email: "not-an-email"}, "row 3.email"},
		{"missing name", store.ProspectRecord{FullName: " ", Email: "x@example.com"}, "row 3.full_name"},
		{"control character in the company", store.ProspectRecord{FullName: "X", Email: "x@example.com", Company: "A\x01"}, "row 3.company"},
		{"title too long", store.ProspectRecord{FullName: "X", Email: "x@example.com", Title: strings.Repeat("t", 256)}, "row 3.title"},
	} {
		n, err := st.UpsertProspects(ctx, []store.ProspectRecord{good, tc.bad})
		fxWantCode(t, tc.name, err, apperr.EINVALID, tc.field)
		if n != 0 {
			t.Errorf("%s: %d rows reported loaded", tc.name, n)
		}
	}
	conn, err := st.Prospects(ctx, store.PageArgs{}, nil)
	if err != nil || len(conn.Edges) != 0 {
		t.Fatalf("after refused files: %d prospects (%v), want none", len(conn.Edges), err)
	}

	n, err := st.UpsertProspects(ctx, []store.ProspectRecord{
		good,
		{FullName: "Grace Hopper", Email: "GRACE@example.com", Title: "Admiral", Industry: "Navy"},
		{FullName: "Ada Byron", Email: "ada@example.com", Company: "Analytical Engines"}, // the last row for an email wins
	})
	if err != nil || n != 2 {
		t.Fatalf("UpsertProspects: %d %v, want 2 rows", n, err)
	}
	// A re-import updates by email, clears what the file leaves empty and adds the rest.
	n, err = st.UpsertProspects(ctx, []store.ProspectRecord{
		{FullName: "Grace B. Hopper", Email: "grace@example.com", Title: "Rear Admiral"},
		{FullName: "Alan Turing", Email: "alan@example.com"},
	})
	if err != nil || n != 2 {
		t.Fatalf("re-import: %d %v", n, err)
	}
	conn, err = st.Prospects(ctx, store.PageArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range conn.Edges {
		p := e.Node
		got[p.Email] = fmt.Sprintf("%s|%s|%s|%s", p.FullName, fxText(p.Company), fxText(p.Title), fxText(p.Industry))
	}
	want := map[string]string{
		"ada@example.com":   "Ada Byron|Analytical Engines||",
		"grace@example.com": "Grace B. Hopper||Rear Admiral|",
		"alan@example.com":  "Alan Turing|||",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("catalog:\n got %v\nwant %v", got, want)
	}
	if len(conn.Edges) == 3 && conn.Edges[2].Node.Email != "alan@example.com" {
		t.Errorf("catalog order: the newest entry %s is not last (oldest first)", conn.Edges[2].Node.Email)
	}
}

// fxText is *s, or "" for nil.
func fxText(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func TestProspectFilters(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	if _, err := st.UpsertProspects(ctx, []store.ProspectRecord{
		{FullName: "Ada Lovelace", Email: "ada@analytical.example", Company: "Analytical", Title: "Engineer", Industry: "Computing", Location: "London"},
		{FullName: "Grace Hopper", Email: "grace@navy.example", Company: "Navy", Title: "Admiral", Industry: "Defense", Location: "Arlington"},
		{FullName: "Alan Turing", Email: "alan@bletchley.example", Company: "Bletchley 100%", Title: "Engineer", Industry: "Computing", Location: "london"},
		{FullName: "Under_Score", Email: "u@x.example", Company: "Plain", Industry: "Computing"},
	}); err != nil {
		t.Fatal(err)
	}
	names := func(f *models.ProspectFilter) (string, int) {
		conn, err := st.Prospects(ctx, store.PageArgs{}, f)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, e := range conn.Edges {
			out = append(out, strings.Fields(e.Node.FullName)[0])
		}
		n, err := conn.Count(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(out, ","), n
	}
	for _, tc := range []struct {
		name   string
		filter *models.ProspectFilter
		want   string
	}{
		{"none", nil, "Ada,Grace,Alan,Under_Score"},
		{"search in the name, any case", &models.ProspectFilter{Search: fxPtr("LOVE")}, "Ada"},
		{"search in the email", &models.ProspectFilter{Search: fxPtr("navy.example")}, "Grace"},
		{"search in the title", &models.ProspectFilter{Search: fxPtr("admir")}, "Grace"},
		{"search for a literal %", &models.ProspectFilter{Search: fxPtr("100%")}, "Alan"},
		{"search for a literal _", &models.ProspectFilter{Search: fxPtr("r_s")}, "Under_Score"},
		{"empty search matches all", &models.ProspectFilter{Search: fxPtr("")}, "Ada,Grace,Alan,Under_Score"},
		{"company is exact, any case", &models.ProspectFilter{Company: fxPtr(" analytical ")}, "Ada"},
		{"company is not a substring", &models.ProspectFilter{Company: fxPtr("Analyt")}, ""},
		{"title", &models.ProspectFilter{Title: fxPtr("engineer")}, "Ada,Alan"},
		{"industry and location", &models.ProspectFilter{Industry: fxPtr("Computing"), Location: fxPtr("LONDON")}, "Ada,Alan"},
		{"all at once", &models.ProspectFilter{Search: fxPtr("a"), Title: fxPtr("Engineer"), Location: fxPtr("london"), Company: fxPtr("Analytical")}, "Ada"},
	} {
		got, n := names(tc.filter)
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
		if want := len(strings.FieldsFunc(tc.want, func(r rune) bool { return r == ',' })); n != want {
			t.Errorf("%s: totalCount %d, want %d", tc.name, n, want)
		}
	}
}

func TestImportProspectsRules(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	if _, err := st.UpsertProspects(ctx, []store.ProspectRecord{
		{FullName: "Ada King Lovelace", Email: "ada@example.com", Company: "Analytical", Title: "Engineer"},
		{FullName: "Grace Hopper", Email: "grace@example.com"},
		{FullName: "Plato", Email: "plato@example.com"},
	}); err != nil {
		t.Fatal(err)
	}
	catalog, err := st.Prospects(ctx, store.PageArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ada, grace, plato := catalog.Edges[0].Node, catalog.Edges[1].Node, catalog.Edges[2].Node
	if p, err := st.Prospect(other, ada.ID); err != nil || p.Email != ada.Email {
		t.Errorf("the catalog is shared: another workspace reads %+v %v", p, err)
	}
	_, err = st.Prospect(ctx, "pro_nope")
	fxWantCode(t, "unknown prospect", err, apperr.ENOTFOUND, "")

	existing := fxContact(t, st, ctx, models.CreateContactInput{Email: "grace@example.com", FirstName: fxPtr("Amazing")})
	list := fxList(t, st, ctx, "Imported")
	foreignList := fxList(t, st, other, "Theirs")

	for _, tc := range []struct {
		name  string
		ids   []string
		list  *string
		field string
		code  apperr.Code
	}{
		{"no ids", nil, nil, "prospectIds", apperr.EINVALID},
		{"too many ids", make([]string, 1001), nil, "prospectIds", apperr.EINVALID},
		{"unknown prospect", []string{ada.ID, "pro_nope"}, nil, "prospectIds", apperr.ENOTFOUND},
		{"unknown list", []string{ada.ID}, fxPtr("lst_nope"), "listId", apperr.ENOTFOUND},
		{"another workspace's list", []string{ada.ID}, &foreignList.ID, "listId", apperr.ENOTFOUND},
	} {
		_, err := st.ImportProspects(ctx, tc.ids, tc.list)
		fxWantCode(t, tc.name, err, tc.code, tc.field)
	}
	if conn, _ := st.Contacts(ctx, store.PageArgs{}, nil, nil); len(conn.Edges) != 1 {
		t.Fatalf("refused imports left %d contacts, want only the existing one", len(conn.Edges))
	}

	out, err := st.ImportProspects(ctx, []string{ada.ID, grace.ID, ada.ID, plato.ID}, &list.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 {
		t.Fatalf("%d contacts, want one per distinct prospect", len(out))
	}
	a, g, p := out[0], out[1], out[2]
	if a.Email != "ada@example.com" || fxText(a.FirstName) != "Ada" || a.LastNameValue != "King Lovelace" ||
		fxText(a.Company) != "Analytical" || fxText(a.Title) != "Engineer" {
		t.Errorf("imported Ada: %+v", a)
	}
	if g.ID != existing.ID || fxText(g.FirstName) != "Amazing" {
		t.Errorf("a prospect whose email is a contact yields that contact unchanged: %+v", g)
	}
	if fxText(p.FirstName) != "Plato" || p.LastNameValue != "" {
		t.Errorf("a one-word name: first %q last %q", fxText(p.FirstName), p.LastNameValue)
	}
	members, err := st.Contacts(ctx, store.PageArgs{}, &models.ContactFilter{ListID: &list.ID}, nil)
	if err != nil || len(members.Edges) != 3 {
		t.Errorf("list members %d (%v), want all 3 imported", len(members.Edges), err)
	}
	// Importing again creates nothing new.
	again, err := st.ImportProspects(ctx, []string{ada.ID}, nil)
	if err != nil || len(again) != 1 || again[0].ID != a.ID {
		t.Errorf("second import: %+v %v, want Ada's existing contact", again, err)
	}
	if conn, _ := st.Contacts(context.WithoutCancel(ctx), store.PageArgs{}, nil, nil); len(conn.Edges) != 3 {
		t.Errorf("%d contacts after importing twice, want 3", len(conn.Edges))
	}
}
