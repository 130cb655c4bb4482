package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
)

// ---------------------------------------------------------------------------------------------
// prospects

func crudLoadProspects(t *testing.T, env *testenv.Env) map[string]string {
	t.Helper()
	records := []store.ProspectRecord{
		{FullName: "Ada Lovelace", Email: "Ada@Analytical.io", Title: "Chief Engineer", Company: "Analytical Engines", Industry: "Computing", Location: "London"},
		{FullName: "Grace Hopper", Email: "grace@navy.example", Title: "Rear Admiral", Company: "US Navy", Industry: "Government", Location: "Arlington"},
		{FullName: "Alan Turing", Email: "alan@bletchley.example", Title: "Cryptanalyst", Company: "Bletchley Park", Industry: "Government", Location: "London"},
		{FullName: "Linus", Email: "linus@kernel.example", Title: "Maintainer", Company: "Linux Foundation", Industry: "Software", Location: "Portland"},
		{FullName: "Katherine Coleman Johnson", Email: "katherine@nasa.example", Title: "Mathematician", Company: "NASA", Industry: "Aerospace", Location: "Hampton"},
	}
	n, err := env.Store.UpsertProspects(context.Background(), records)
	if err != nil || n != len(records) {
		t.Fatalf("UpsertProspects = %d, %v", n, err)
	}
	// Prospect ids by the first word of the name, read through the API.
	_, key := env.Tenant(t, "Catalog reader")
	d := testenv.Decode[struct {
		Prospects struct {
			TotalCount *int
			Nodes      []struct{ ID, FullName string }
		}
	}](t, env.Query(t, key, `{ prospects(first: 100) { totalCount nodes { id fullName } } }`, nil))
	if got := d.Prospects.TotalCount; got == nil || *got != len(records) {
		t.Fatalf("prospects totalCount = %s, want %d", crudIntString(got), len(records))
	}
	out := map[string]string{}
	for _, p := range d.Prospects.Nodes {
		first, _, _ := strings.Cut(p.FullName, " ")
		out[first] = p.ID
	}
	return out
}

func TestCrudProspects(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	p := crudLoadProspects(t, c.env)

	t.Run("read", func(t *testing.T) {
		type prospect struct {
			ID       string  `json:"id"`
			FullName string  `json:"fullName"`
			Email    string  `json:"email"`
			Title    *string `json:"title"`
			Company  *string `json:"company"`
			Industry *string `json:"industry"`
			Location *string `json:"location"`
		}
		d := crudDo[struct {
			Prospects struct {
				TotalCount *int       `json:"totalCount"`
				Nodes      []prospect `json:"nodes"`
			} `json:"prospects"`
		}](t, c, `query($f: ProspectFilter) { prospects(filter: $f) { totalCount nodes { id fullName email title company industry location } } }`,
			map[string]any{"f": map[string]any{"company": "analytical engines"}})
		crudEqual(t, "Ada", d.Prospects.Nodes, []prospect{{ID: p["Ada"], FullName: "Ada Lovelace", Email: "ada@analytical.io",
			Title: crudStr("Chief Engineer"), Company: crudStr("Analytical Engines"), Industry: crudStr("Computing"), Location: crudStr("London")}})
		if ids.Kind(p["Ada"]) != ids.Prospect {
			t.Errorf("prospect id %q is not a prs_ id", p["Ada"])
		}
	})

	t.Run("filters", func(t *testing.T) {
		for _, tc := range []struct {
			filter map[string]any
			want   []string
		}{
			{nil, []string{"Ada", "Grace", "Alan", "Linus", "Katherine"}},
			{map[string]any{}, []string{"Ada", "Grace", "Alan", "Linus", "Katherine"}},
			{map[string]any{"search": "ADA"}, []string{"Ada"}},
			{map[string]any{"search": "lovelace"}, []string{"Ada"}},
			{map[string]any{"search": "NAVY.EXAMPLE"}, []string{"Grace"}},         // email
			{map[string]any{"search": "engine"}, []string{"Ada"}},                 // title and company
			{map[string]any{"search": "bletchley park"}, []string{"Alan"}},        // company
			{map[string]any{"search": "admiral"}, []string{"Grace"}},              // title
			{map[string]any{"search": "%"}, []string{}},                           // no wildcard
			{map[string]any{"search": "nobody"}, []string{}},                      //
			{map[string]any{"company": "us navy"}, []string{"Grace"}},             //
			{map[string]any{"company": "  US NAVY "}, []string{"Grace"}},          //
			{map[string]any{"company": "navy"}, []string{}},                       // exact, not a substring
			{map[string]any{"title": "CRYPTANALYST"}, []string{"Alan"}},           //
			{map[string]any{"industry": "government"}, []string{"Grace", "Alan"}}, //
			{map[string]any{"location": "LONDON"}, []string{"Ada", "Alan"}},       //
			{map[string]any{"industry": "Government", "location": "london"}, []string{"Alan"}},
			{map[string]any{"search": "a", "industry": "aerospace"}, []string{"Katherine"}},
		} {
			d := crudDo[struct{ Prospects crudIDConn }](t, c, `query($f: ProspectFilter) { prospects(filter: $f) { totalCount nodes { id } } }`,
				map[string]any{"f": tc.filter})
			want := make([]string, len(tc.want))
			for i, name := range tc.want {
				want[i] = p[name]
			}
			crudEqual(t, fmt.Sprintf("prospects(filter: %v)", tc.filter), d.Prospects.ids(), testenv.Sorted(want...))
			n := len(want)
			crudEqual(t, fmt.Sprintf("prospects(filter: %v).totalCount", tc.filter), d.Prospects.TotalCount, &n)
		}
	})

	const imp = `mutation($p: [ID!]!, $l: ID) { importProspects(prospectIds: $p, listId: $l) { ` + crudContactFields + ` } }`
	existing := c.createContact(t, map[string]any{"email": "GRACE@navy.example", "firstName": "Amazing", "lastName": "Grace", "tags": []string{"hero"}})
	list := c.newList(t, "Imported")

	t.Run("import with a list", func(t *testing.T) {
		got := crudDo[struct{ ImportProspects []crudContact }](t, c, imp,
			map[string]any{"p": []string{p["Ada"], p["Grace"], p["Linus"], p["Katherine"], p["Ada"]}, "l": list}).ImportProspects
		if len(got) != 4 {
			t.Fatalf("importProspects returned %d contacts, want 4: %+v", len(got), got)
		}
		ada := got[0]
		if ids.Kind(ada.ID) != ids.Contact {
			t.Errorf("imported contact id %q is not a ctc_ id", ada.ID)
		}
		crudEqual(t, "Ada email", ada.Email, "ada@analytical.io")
		crudEqual(t, "Ada firstName", ada.FirstName, crudStr("Ada"))
		crudEqual(t, "Ada lastName", ada.LastName, crudStr("Lovelace"))
		crudEqual(t, "Ada fullName", ada.FullName, "Ada Lovelace")
		crudEqual(t, "Ada company", ada.Company, crudStr("Analytical Engines"))
		crudEqual(t, "Ada title", ada.Title, crudStr("Chief Engineer"))
		crudEqual(t, "Ada tags", ada.Tags, []string{})
		crudEqual(t, "contact(id) of Ada", crudGet[crudContact](t, c, "contact", ada.ID, crudContactFields), &ada)

		// A prospect whose email is already a contact yields that contact, unchanged.
		crudEqual(t, "Grace is the existing contact", got[1], existing)

		linus := got[2]
		crudEqual(t, "Linus firstName", linus.FirstName, crudStr("Linus"))
		crudEqual(t, "Linus lastName", linus.LastName, (*string)(nil))
		crudEqual(t, "Linus fullName", linus.FullName, "Linus")
		kat := got[3]
		crudEqual(t, "Katherine firstName", kat.FirstName, crudStr("Katherine"))
		crudEqual(t, "Katherine lastName", kat.LastName, crudStr("Coleman Johnson"))

		if n := c.contactCount(t); n != 4 {
			t.Errorf("contacts totalCount = %d, want 4 (no duplicate of Grace)", n)
		}
		l := crudGet[struct {
			ContactCount *int       `json:"contactCount"`
			Contacts     crudIDConn `json:"contacts"`
		}](t, c, "list", list, `contactCount contacts { nodes { id } }`)
		if l == nil {
			t.Fatal("the list is gone")
		}
		four := 4
		crudEqual(t, "list contactCount", l.ContactCount, &four)
		crudEqual(t, "list members", l.Contacts.ids(), testenv.Sorted(ada.ID, existing.ID, linus.ID, kat.ID))

		// Importing again creates nothing new.
		again := crudDo[struct{ ImportProspects []crudContact }](t, c, imp, map[string]any{"p": []string{p["Ada"]}}).ImportProspects
		if len(again) != 1 {
			t.Fatalf("re-import returned %d contacts, want 1", len(again))
		}
		crudEqual(t, "re-imported Ada", again[0].ID, ada.ID)
		if n := c.contactCount(t); n != 4 {
			t.Errorf("contacts totalCount after re-import = %d, want 4", n)
		}
	})

	t.Run("unknown ids import nothing", func(t *testing.T) {
		before := c.contactCount(t)
		c.fails(t, imp, map[string]any{"p": []string{p["Alan"], ids.New(ids.Prospect)}}, "NOT_FOUND", "prospectIds")
		c.fails(t, imp, map[string]any{"p": []string{p["Alan"], "prs_bogus"}}, "NOT_FOUND", "prospectIds")
		c.fails(t, imp, map[string]any{"p": []string{p["Alan"]}, "l": ids.New(ids.List)}, "NOT_FOUND", "listId")
		c.fails(t, imp, map[string]any{"p": []string{}}, "BAD_USER_INPUT", "prospectIds")
		many := make([]string, 1001)
		for i := range many {
			many[i] = p["Alan"]
		}
		c.fails(t, imp, map[string]any{"p": many}, "BAD_USER_INPUT", "prospectIds")
		if n := c.contactCount(t); n != before {
			t.Errorf("contacts totalCount after failed imports = %d, want %d", n, before)
		}
		n := c.count(t, `{ contacts(filter: {search: "alan@bletchley"}) { totalCount } }`, nil, "contacts")
		if n != 0 {
			t.Errorf("Alan was imported by a failed call")
		}
	})

	t.Run("the catalog is shared, imports are not", func(t *testing.T) {
		_, key2 := c.env.Tenant(t, "Second")
		d := testenv.Decode[struct{ Prospects, Contacts crudTotal }](t, c.env.Query(t, key2, `{ prospects { totalCount } contacts { totalCount } }`, nil))
		five, zero := 5, 0
		crudEqual(t, "prospects seen by another workspace", d.Prospects.TotalCount, &five)
		crudEqual(t, "contacts of another workspace", d.Contacts.TotalCount, &zero)
		imported := testenv.Decode[struct{ ImportProspects []crudContact }](t, c.env.Query(t, key2, imp, map[string]any{"p": []string{p["Ada"]}})).ImportProspects
		if len(imported) != 1 {
			t.Fatalf("import into the second workspace returned %d contacts, want 1", len(imported))
		}
		crudEqual(t, "Ada imported into the second workspace", imported[0].Email, "ada@analytical.io")
		if n := c.contactCount(t); n != 4 {
			t.Errorf("first workspace contacts = %d, want 4", n)
		}
	})
}
