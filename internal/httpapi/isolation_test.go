package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// Tenant isolation: workspace B's key must neither see nor change workspace A's data through
// any route, and a foreign id must be indistinguishable from one that never existed.

// isoTenant is one workspace with one row of every kind (two contacts) and its key.
type isoTenant struct {
	ws                                  *models.Workspace
	key                                 string
	contact, contact2, list, camp, deal string
}

const isoSharedEmail = "shared@example.com"

// isoData runs query with key and decodes its data into a T.
func isoData[T any](t *testing.T, env *testenv.Env, key, query string, vars map[string]any) T {
	t.Helper()
	return testenv.Decode[T](t, env.Query(t, key, query, vars))
}

// isoCreated is a mutation's answer by response key, each selecting only id.
type isoCreated map[string]struct{ ID string }

// id is the id created under response key k; it fails the test when there is none.
func (c isoCreated) id(t *testing.T, k string) string {
	t.Helper()
	if c[k].ID == "" {
		t.Fatalf("no %s.id in %v", k, c)
	}
	return c[k].ID
}

// isoConn is a connection selected as { totalCount nodes { id } }.
type isoConn struct {
	TotalCount *int
	Nodes      []struct{ ID string }
}

// total is the connection's totalCount; it fails the test when it was not answered.
func (c isoConn) total(t *testing.T) int {
	t.Helper()
	if c.TotalCount == nil {
		t.Fatal("totalCount missing")
	}
	return *c.TotalCount
}

// isoSeed creates a tenant whose first contact has the email every tenant shares and whose
// list has the name every tenant shares.
func isoSeed(t *testing.T, env *testenv.Env, name string) *isoTenant {
	t.Helper()
	ws, key := env.Tenant(t, name)
	tn := &isoTenant{ws: ws, key: key}
	d := isoData[isoCreated](t, env, key, `mutation($e2: String!, $n: String!) {
		c1: createContact(input: {email: "`+isoSharedEmail+`", firstName: $n, lastName: "Owner", company: "Acme", tags: ["vip"]}) { id }
		c2: createContact(input: {email: $e2, firstName: $n}) { id }
		l: createList(input: {name: "Shared", description: $n}) { id }
	}`, map[string]any{"e2": strings.ToLower(name) + "@example.com", "n": name})
	tn.contact, tn.contact2, tn.list = d.id(t, "c1"), d.id(t, "c2"), d.id(t, "l")
	d = isoData[isoCreated](t, env, key, `mutation($l: ID!, $c: ID!, $n: String!) {
		add: addContactsToList(listId: $l, contactIds: [$c]) { id }
		cm: createCampaign(input: {name: $n, listId: $l, subject: "Hello"}) { id }
		d: createDeal(input: {title: $n, amount: 5000, stage: QUALIFIED, contactId: $c}) { id }
	}`, map[string]any{"l": tn.list, "c": tn.contact, "n": name + " launch"})
	d.id(t, "add")
	tn.camp, tn.deal = d.id(t, "cm"), d.id(t, "d")
	return tn
}

// isoSnapshot reads everything a tenant has, with every field that a write would change.
func isoSnapshot(t *testing.T, env *testenv.Env, tn *isoTenant) string {
	t.Helper()
	r := env.Query(t, tn.key, `query($c1: ID!, $c2: ID!, $l: ID!, $cm: ID!, $d: ID!) {
		c1: contact(id: $c1) { ...C }
		c2: contact(id: $c2) { ...C }
		l: list(id: $l) { id name description contactCount updatedAt contacts(first: 10) { totalCount nodes { id email } } }
		cm: campaign(id: $cm) { id name subject body status scheduledAt updatedAt list { id } }
		d: deal(id: $d) { id title amount currency stage closeDate updatedAt contact { id } }
		contacts(first: 100) { totalCount nodes { id email } }
		lists(first: 100) { totalCount nodes { id name contactCount } }
		campaigns(first: 100) { totalCount nodes { id name } }
		deals(first: 100) { totalCount nodes { id title } }
	}
	fragment C on Contact { id email firstName lastName company title phone tags updatedAt
		lists(first: 10) { totalCount nodes { id name } } deals(first: 10) { totalCount nodes { id title } } }`,
		map[string]any{"c1": tn.contact, "c2": tn.contact2, "l": tn.list, "cm": tn.camp, "d": tn.deal})
	r.MustData(t)
	for _, k := range []string{"c1", "c2", "l", "cm", "d"} {
		if r.Data[k] == nil {
			t.Fatalf("snapshot of %s: %s is null: %s", tn.ws.Name, k, r.Raw)
		}
	}
	b, err := json.Marshal(r.Data)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ids returns the ids of the connection's nodes, sorted; it fails the test when nodes was
// not answered or a node has no id.
func (c isoConn) ids(t *testing.T) []string {
	t.Helper()
	if c.Nodes == nil {
		t.Fatal("nodes missing")
	}
	out := make([]string, len(c.Nodes))
	for i, n := range c.Nodes {
		if n.ID == "" {
			t.Fatalf("a node without id in %+v", c.Nodes)
		}
		out[i] = n.ID
	}
	sort.Strings(out)
	return out
}

// isoComparable is a response without its top-level extensions (rate-limit counters differ
// from call to call) and with id replaced by a placeholder.
func isoComparable(t *testing.T, raw []byte, id string) string {
	t.Helper()
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatalf("response is not JSON: %s", raw)
	}
	delete(doc, "extensions")
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	b = isoRequestID.ReplaceAll(b, []byte(`"requestId":"<REQ>"`)) // differs per request by design
	return string(bytes.ReplaceAll(b, []byte(id), []byte("<ID>")))
}

var isoRequestID = regexp.MustCompile(`"requestId":"[^"]*"`)

func TestIsolation(t *testing.T) {
	env := testenv.New(t)
	a := isoSeed(t, env, "Alpha")
	b := isoSeed(t, env, "Bravo") // same contact email and list name as Alpha: allowed
	if _, err := env.Store.UpsertProspects(context.Background(), []store.ProspectRecord{
		{FullName: "Pat Prospect", Email: "pat@prospect.example", Company: "Initech"},
	}); err != nil {
		t.Fatal(err)
	}
	prospects := isoData[struct{ Prospects isoConn }](t, env, b.key, `{ prospects(first: 1) { nodes { id } } }`, nil).Prospects.ids(t)
	if len(prospects) != 1 {
		t.Fatalf("prospects = %v, want one", prospects)
	}
	prospect := prospects[0]

	beforeA, beforeB := isoSnapshot(t, env, a), isoSnapshot(t, env, b)

	t.Run("reads by id are null", func(t *testing.T) {
		r := env.Query(t, b.key, `query($c: ID!, $l: ID!, $cm: ID!, $d: ID!) {
			contact(id: $c) { id } list(id: $l) { id } campaign(id: $cm) { id } deal(id: $d) { id }
			nc: node(id: $c) { id } nl: node(id: $l) { id } ncm: node(id: $cm) { id } nd: node(id: $d) { id }
		}`, map[string]any{"c": a.contact, "l": a.list, "cm": a.camp, "d": a.deal})
		d := r.MustData(t)
		for k, v := range d {
			if v != nil {
				t.Errorf("%s of A read with B's key = %v, want null", k, v)
			}
		}
		if len(d) != 8 {
			t.Errorf("got %d fields, want 8: %s", len(d), r.Raw)
		}
		// The same query with A's key finds them all: the ids are real.
		r = env.Query(t, a.key, `query($c: ID!, $l: ID!, $cm: ID!, $d: ID!) {
			contact(id: $c) { id } list(id: $l) { id } campaign(id: $cm) { id } deal(id: $d) { id }
			nc: node(id: $c) { id } nl: node(id: $l) { id } ncm: node(id: $cm) { id } nd: node(id: $d) { id }
		}`, map[string]any{"c": a.contact, "l": a.list, "cm": a.camp, "d": a.deal})
		for k, v := range r.MustData(t) {
			if v == nil {
				t.Errorf("%s read with A's key is null", k)
			}
		}
	})

	t.Run("reads by id are indistinguishable from unknown ids", func(t *testing.T) {
		for _, tc := range []struct{ name, query, id, kind string }{
			{"contact", `query($id: ID!) { r: contact(id: $id) { id email } }`, a.contact, ids.Contact},
			{"list", `query($id: ID!) { r: list(id: $id) { id name } }`, a.list, ids.List},
			{"campaign", `query($id: ID!) { r: campaign(id: $id) { id name } }`, a.camp, ids.Campaign},
			{"deal", `query($id: ID!) { r: deal(id: $id) { id title } }`, a.deal, ids.Deal},
			{"node", `query($id: ID!) { r: node(id: $id) { id } }`, a.contact, ids.Contact},
		} {
			t.Run(tc.name, func(t *testing.T) {
				fresh := ids.New(tc.kind)
				foreign := env.Query(t, b.key, tc.query, map[string]any{"id": tc.id})
				unknown := env.Query(t, b.key, tc.query, map[string]any{"id": fresh})
				if foreign.Status != unknown.Status {
					t.Errorf("status %d for a foreign id, %d for an unknown one", foreign.Status, unknown.Status)
				}
				if f, u := isoComparable(t, foreign.Raw, tc.id), isoComparable(t, unknown.Raw, fresh); f != u {
					t.Errorf("foreign id: %s\nunknown id: %s", f, u)
				}
			})
		}
	})

	t.Run("connections hold only the caller's rows", func(t *testing.T) {
		const q = `{
			contacts(first: 100) { totalCount nodes { id } }
			lists(first: 100) { totalCount nodes { id } }
			campaigns(first: 100) { totalCount nodes { id } }
			deals(first: 100) { totalCount nodes { id } }
			shared: contacts(first: 100, filter: {search: "shared"}) { totalCount nodes { id } }
			acme: contacts(first: 100, filter: {company: "acme"}) { totalCount nodes { id } }
			vip: contacts(first: 100, filter: {tag: "vip"}) { totalCount nodes { id } }
			byEmail: contacts(first: 100, orderBy: {field: EMAIL, direction: ASC}) { totalCount nodes { id } }
			listSearch: lists(first: 100, filter: {search: "shared"}) { totalCount nodes { id } }
			qualified: deals(first: 100, filter: {stage: QUALIFIED}) { totalCount nodes { id } }
			drafts: campaigns(first: 100, filter: {status: DRAFT}) { totalCount nodes { id } }
		}`
		for _, tn := range []*isoTenant{a, b} {
			d := isoData[map[string]isoConn](t, env, tn.key, q, nil)
			want := map[string][]string{
				"contacts": testenv.Sorted(tn.contact, tn.contact2), "byEmail": testenv.Sorted(tn.contact, tn.contact2),
				"lists": {tn.list}, "listSearch": {tn.list},
				"campaigns": {tn.camp}, "drafts": {tn.camp},
				"deals": {tn.deal}, "qualified": {tn.deal},
				"shared": {tn.contact}, "acme": {tn.contact}, "vip": {tn.contact},
			}
			for field, ids := range want {
				got := d[field].ids(t)
				if strings.Join(got, ",") != strings.Join(ids, ",") {
					t.Errorf("%s: %s = %v, want %v", tn.ws.Name, field, got, ids)
				}
				if n := d[field].total(t); n != len(ids) {
					t.Errorf("%s: %s.totalCount = %v, want %d", tn.ws.Name, field, n, len(ids))
				}
			}
		}
	})

	t.Run("filters by a foreign id are empty", func(t *testing.T) {
		for _, tc := range []struct{ name, query, id string }{
			{"contacts by A's list", `query($id: ID!) { r: contacts(filter: {listId: $id}) { totalCount nodes { id } } }`, a.list},
			{"deals by A's contact", `query($id: ID!) { r: deals(filter: {contactId: $id}) { totalCount nodes { id } } }`, a.contact},
			{"campaigns by A's list", `query($id: ID!) { r: campaigns(filter: {listId: $id}) { totalCount nodes { id } } }`, a.list},
		} {
			t.Run(tc.name, func(t *testing.T) {
				// A sees one row through the filter; B sees none.
				type filtered struct{ R isoConn }
				if n := isoData[filtered](t, env, a.key, tc.query, map[string]any{"id": tc.id}).R.total(t); n != 1 {
					t.Fatalf("A's own filter: totalCount %v, want 1", n)
				}
				d := isoData[filtered](t, env, b.key, tc.query, map[string]any{"id": tc.id})
				if got := d.R.ids(t); len(got) != 0 {
					t.Errorf("B sees %v", got)
				}
				if n := d.R.total(t); n != 0 {
					t.Errorf("B's totalCount = %v, want 0", n)
				}
			})
		}
	})

	t.Run("writes with foreign ids are NOT_FOUND like unknown ids", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			query   string
			foreign string // A's id, passed as $id
			kind    string
			field   string // extensions.field, if any
		}{
			{"updateContact", `mutation($id: ID!) { r: updateContact(id: $id, input: {firstName: "Mallory", email: "m@evil.example"}) { id } }`, a.contact, ids.Contact, ""},
			{"deleteContact", `mutation($id: ID!) { r: deleteContact(id: $id) }`, a.contact, ids.Contact, ""},
			{"updateList", `mutation($id: ID!) { r: updateList(id: $id, input: {name: "Pwned"}) { id } }`, a.list, ids.List, ""},
			{"deleteList", `mutation($id: ID!) { r: deleteList(id: $id) }`, a.list, ids.List, ""},
			{"updateCampaign", `mutation($id: ID!) { r: updateCampaign(id: $id, input: {name: "Pwned"}) { id } }`, a.camp, ids.Campaign, ""},
			{"deleteCampaign", `mutation($id: ID!) { r: deleteCampaign(id: $id) }`, a.camp, ids.Campaign, ""},
			{"updateDeal", `mutation($id: ID!) { r: updateDeal(id: $id, input: {stage: LOST, amount: 1}) { id } }`, a.deal, ids.Deal, ""},
			{"deleteDeal", `mutation($id: ID!) { r: deleteDeal(id: $id) }`, a.deal, ids.Deal, ""},
			{"addContactsToList with A's contact", `mutation($id: ID!) { r: addContactsToList(listId: "` + b.list + `", contactIds: [$id]) { id } }`, a.contact, ids.Contact, "contactIds"},
			{"addContactsToList with A's contact among B's", `mutation($id: ID!) { r: addContactsToList(listId: "` + b.list + `", contactIds: ["` + b.contact2 + `", $id]) { id } }`, a.contact, ids.Contact, "contactIds"},
			{"addContactsToList to A's list", `mutation($id: ID!) { r: addContactsToList(listId: $id, contactIds: ["` + b.contact2 + `"]) { id } }`, a.list, ids.List, ""},
			{"removeContactsFromList of A's list", `mutation($id: ID!) { r: removeContactsFromList(listId: $id, contactIds: ["` + b.contact + `"]) { id } }`, a.list, ids.List, ""},
			{"removeContactsFromList of A's list and contact", `mutation($id: ID!) { r: removeContactsFromList(listId: $id, contactIds: ["` + a.contact + `"]) { id } }`, a.list, ids.List, ""},
			{"removeContactsFromList with A's contact", `mutation($id: ID!) { r: removeContactsFromList(listId: "` + b.list + `", contactIds: [$id]) { id } }`, a.contact, ids.Contact, "contactIds"},
			{"createCampaign for A's list", `mutation($id: ID!) { r: createCampaign(input: {name: "Sneaky", listId: $id}) { id } }`, a.list, ids.List, "input.listId"},
			{"updateCampaign to A's list", `mutation($id: ID!) { r: updateCampaign(id: "` + b.camp + `", input: {listId: $id}) { id } }`, a.list, ids.List, "input.listId"},
			{"createDeal for A's contact", `mutation($id: ID!) { r: createDeal(input: {title: "Sneaky", contactId: $id}) { id } }`, a.contact, ids.Contact, "input.contactId"},
			{"updateDeal to A's contact", `mutation($id: ID!) { r: updateDeal(id: "` + b.deal + `", input: {contactId: $id}) { id } }`, a.contact, ids.Contact, "input.contactId"},
			{"importProspects into A's list", `mutation($id: ID!) { r: importProspects(prospectIds: ["` + prospect + `"], listId: $id) { id } }`, a.list, ids.List, "listId"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				foreign := env.Query(t, b.key, tc.query, map[string]any{"id": tc.foreign})
				if foreign.Status != 200 || foreign.Code() != "NOT_FOUND" || len(foreign.Errors) != 1 {
					t.Fatalf("want one NOT_FOUND error, got status %d: %s", foreign.Status, foreign.Raw)
				}
				if foreign.Data["r"] != nil {
					t.Errorf("data with the error: %s", foreign.Raw)
				}
				if got, _ := foreign.Errors[0].Extensions["field"].(string); got != tc.field {
					t.Errorf("extensions.field = %q, want %q", got, tc.field)
				}
				for _, leak := range []string{a.ws.ID, a.ws.Name, "Alpha", "workspace"} {
					if strings.Contains(string(foreign.Raw), leak) {
						t.Errorf("the error mentions %q: %s", leak, foreign.Raw)
					}
				}
				fresh := ids.New(tc.kind)
				unknown := env.Query(t, b.key, tc.query, map[string]any{"id": fresh})
				if foreign.Status != unknown.Status {
					t.Errorf("status %d for a foreign id, %d for an unknown one", foreign.Status, unknown.Status)
				}
				if f, u := isoComparable(t, foreign.Raw, tc.foreign), isoComparable(t, unknown.Raw, fresh); f != u {
					t.Errorf("a foreign id and an unknown id answer differently\nforeign: %s\nunknown: %s", f, u)
				}
			})
		}
	})

	t.Run("nothing changed", func(t *testing.T) {
		if after := isoSnapshot(t, env, a); after != beforeA {
			t.Errorf("A's data changed\nbefore: %s\nafter:  %s", beforeA, after)
		}
		if after := isoSnapshot(t, env, b); after != beforeB {
			t.Errorf("B's data changed by failed writes\nbefore: %s\nafter:  %s", beforeB, after)
		}
	})

	t.Run("nested fields stay in the workspace", func(t *testing.T) {
		const q = `query($c: ID!, $l: ID!) {
			contact(id: $c) { lists(first: 10) { totalCount nodes { id } } deals(first: 10) { totalCount nodes { id } } }
			list(id: $l) { contactCount contacts(first: 10) { totalCount nodes { id } } }
			contacts(first: 100) { nodes { id lists(first: 10) { totalCount nodes { id } } } }
			lists(first: 100) { nodes { id contactCount contacts(first: 10) { totalCount nodes { id } } } }
			campaigns(first: 100) { nodes { list { id } } }
			deals(first: 100) { nodes { contact { id } } }
		}`
		for _, tc := range []struct{ own, other *isoTenant }{{a, b}, {b, a}} {
			r := env.Query(t, tc.own.key, q, map[string]any{"c": tc.own.contact, "l": tc.own.list})
			// The lists of every kind are checked below only for the other workspace's ids.
			d := testenv.Decode[struct {
				Contact struct{ Lists, Deals isoConn }
				List    struct {
					ContactCount *int
					Contacts     isoConn
				}
				Contacts, Lists, Campaigns, Deals json.RawMessage
			}](t, r)
			for path, c := range map[string]struct {
				conn isoConn
				want []string
			}{
				"contact.lists": {d.Contact.Lists, []string{tc.own.list}},
				"contact.deals": {d.Contact.Deals, []string{tc.own.deal}},
				"list.contacts": {d.List.Contacts, []string{tc.own.contact}},
			} {
				if got := c.conn.ids(t); strings.Join(got, ",") != strings.Join(c.want, ",") {
					t.Errorf("%s: %s = %v, want %v", tc.own.ws.Name, path, got, c.want)
				}
				if n := c.conn.total(t); n != 1 {
					t.Errorf("%s: %s.totalCount = %v, want 1", tc.own.ws.Name, path, n)
				}
			}
			if n := d.List.ContactCount; n == nil || *n != 1 {
				t.Errorf("%s: contactCount = %v, want 1", tc.own.ws.Name, n)
			}
			// No id of the other workspace appears anywhere in the answer.
			raw := r.Raw
			for _, id := range []string{tc.other.contact, tc.other.contact2, tc.other.list, tc.other.camp, tc.other.deal} {
				if strings.Contains(string(raw), id) {
					t.Errorf("%s's answer contains %s's id %s: %s", tc.own.ws.Name, tc.other.ws.Name, id, raw)
				}
			}
		}
	})
}

// The data layer itself fails closed and keeps every statement inside its workspace, whatever
// the caller writes.
func TestIsolationStore(t *testing.T) {
	env := testenv.New(t)
	wsA, _ := env.Tenant(t, "A")
	wsB, _ := env.Tenant(t, "B")
	bg := context.Background()
	ctxA, ctxB := store.WithWorkspace(bg, wsA.ID), store.WithWorkspace(bg, wsB.ID)
	db := env.Store.DB()

	seed := func(ctx context.Context, emails ...string) []*models.Contact {
		var out []*models.Contact
		for _, e := range emails {
			c, err := env.Store.CreateContact(ctx, models.CreateContactInput{Email: e, Company: new("Acme")})
			if err != nil {
				t.Fatalf("create %s: %v", e, err)
			}
			out = append(out, c)
		}
		return out
	}
	contactsA := seed(ctxA, isoSharedEmail, "a1@example.com", "a2@example.com")
	contactsB := seed(ctxB, isoSharedEmail, "b1@example.com")

	count := func(ctx context.Context) int64 {
		t.Helper()
		var n int64
		if err := db.WithContext(ctx).Model(&models.Contact{}).Count(&n).Error; err != nil {
			t.Fatalf("count: %v", err)
		}
		return n
	}
	unchanged := func(t *testing.T) {
		t.Helper()
		if n := count(ctxA); n != int64(len(contactsA)) {
			t.Errorf("A has %d contacts, want %d", n, len(contactsA))
		}
		if n := count(ctxB); n != int64(len(contactsB)) {
			t.Errorf("B has %d contacts, want %d", n, len(contactsB))
		}
		for _, ctx := range []context.Context{ctxA, ctxB} {
			var companies []string
			if err := db.WithContext(ctx).Model(&models.Contact{}).Distinct("company").Pluck("company", &companies).Error; err != nil {
				t.Fatal(err)
			}
			if len(companies) != 1 || companies[0] != "Acme" {
				t.Errorf("companies = %v, want [Acme]", companies)
			}
		}
	}

	t.Run("store methods without a workspace fail closed", func(t *testing.T) {
		for name, call := range map[string]func() error{
			"Contacts": func() error {
				conn, err := env.Store.Contacts(bg, store.PageArgs{}, nil, nil)
				if conn != nil {
					t.Errorf("Contacts returned a connection: %+v", conn)
				}
				return err
			},
			"Contact":      func() error { _, err := env.Store.Contact(bg, contactsA[0].ID); return err },
			"ContactsByID": func() error { _, err := env.Store.ContactsByID(bg, []string{contactsA[0].ID}); return err },
			"Lists":        func() error { _, err := env.Store.Lists(bg, store.PageArgs{}, nil); return err },
			"Deals":        func() error { _, err := env.Store.Deals(bg, store.PageArgs{}, nil); return err },
			"Campaigns":    func() error { _, err := env.Store.Campaigns(bg, store.PageArgs{}, nil); return err },
			"CreateContact": func() error {
				_, err := env.Store.CreateContact(bg, models.CreateContactInput{Email: "nobody@example.com"})
				return err
			},
			"UpdateContact": func() error {
				_, err := env.Store.UpdateContact(bg, contactsA[0].ID, models.UpdateContactInput{Company: new("Pwned")})
				return err
			},
			"DeleteContact": func() error { return env.Store.DeleteContact(bg, contactsA[0].ID) },
		} {
			if err := call(); err == nil {
				t.Errorf("%s without a workspace succeeded", name)
			}
		}
		var rows []models.Contact
		if err := db.WithContext(bg).Find(&rows).Error; !errors.Is(err, store.ErrUnscoped) {
			t.Errorf("Find without a workspace: err = %v, rows = %d; want ErrUnscoped", err, len(rows))
		}
		unchanged(t)
	})

	t.Run("raw SQL without a workspace fails", func(t *testing.T) {
		for name, ctx := range map[string]context.Context{"no workspace": bg, "workspace A": ctxA} {
			var rows []map[string]any
			err := db.WithContext(ctx).Raw("SELECT * FROM contacts").Scan(&rows).Error
			if err == nil || len(rows) != 0 {
				t.Errorf("%s: SELECT * FROM contacts: err = %v, %d rows; want an error", name, err, len(rows))
			}
			if err := db.WithContext(ctx).Exec("DELETE FROM contacts").Error; err == nil {
				t.Errorf("%s: DELETE FROM contacts succeeded", name)
			}
			if err := db.WithContext(ctx).Exec("UPDATE contacts SET company = 'Pwned'").Error; err == nil {
				t.Errorf("%s: UPDATE contacts succeeded", name)
			}
		}
		unchanged(t)
	})

	t.Run("an OR cannot escape the scope", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			q    func(*gorm.DB) *gorm.DB
		}{
			{"Where with OR", func(q *gorm.DB) *gorm.DB { return q.Where("email = ? OR 1=1", isoSharedEmail) }},
			{"Or clause", func(q *gorm.DB) *gorm.DB { return q.Where("email = ?", isoSharedEmail).Or("1 = 1") }},
			{"OR with a workspace condition", func(q *gorm.DB) *gorm.DB {
				return q.Where("workspace_id = ? OR workspace_id = ?", wsA.ID, wsB.ID)
			}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var rows []models.Contact
				if err := tc.q(db.WithContext(ctxA)).Find(&rows).Error; err != nil {
					t.Fatal(err)
				}
				if len(rows) != len(contactsA) {
					t.Errorf("%d rows, want A's %d", len(rows), len(contactsA))
				}
				for _, r := range rows {
					if r.WorkspaceID != wsA.ID {
						t.Errorf("row %s of workspace %s in A's scope", r.ID, r.WorkspaceID)
					}
				}
				var n int64
				if err := tc.q(db.WithContext(ctxB).Model(&models.Contact{})).Count(&n).Error; err != nil || n != int64(len(contactsB)) {
					t.Errorf("count in B's scope = %d, %v; want %d", n, err, len(contactsB))
				}
				// Writes with the same condition stay in the scope too.
				res := tc.q(db.WithContext(ctxB).Model(&models.Contact{})).Update("title", "B only")
				if res.Error != nil || res.RowsAffected != int64(len(contactsB)) {
					t.Errorf("update in B's scope: %d rows, %v; want %d", res.RowsAffected, res.Error, len(contactsB))
				}
				var titled int64
				db.WithContext(ctxA).Model(&models.Contact{}).Where("title IS NOT NULL").Count(&titled)
				if titled != 0 {
					t.Errorf("B's update reached %d of A's contacts", titled)
				}
			})
		}
	})

	t.Run("delete and update without a where clause are refused", func(t *testing.T) {
		for name, op := range map[string]func(*gorm.DB) *gorm.DB{
			"Delete": func(q *gorm.DB) *gorm.DB { return q.Delete(&models.Contact{}) },
			"Update": func(q *gorm.DB) *gorm.DB { return q.Model(&models.Contact{}).Update("company", "Pwned") },
			"Updates": func(q *gorm.DB) *gorm.DB {
				return q.Model(&models.Contact{}).Updates(map[string]any{"company": "Pwned"})
			},
			"Delete members": func(q *gorm.DB) *gorm.DB { return q.Delete(&models.ListMembership{}) },
		} {
			res := op(db.WithContext(ctxA))
			if !errors.Is(res.Error, gorm.ErrMissingWhereClause) {
				t.Errorf("%s: err = %v, want gorm.ErrMissingWhereClause", name, res.Error)
			}
			if res.RowsAffected != 0 {
				t.Errorf("%s: %d rows affected", name, res.RowsAffected)
			}
		}
		unchanged(t)
	})

	t.Run("another workspace's primary key matches nothing", func(t *testing.T) {
		victim := contactsB[0]
		res := db.WithContext(ctxA).Delete(&models.Contact{ID: victim.ID})
		if res.Error != nil || res.RowsAffected != 0 {
			t.Errorf("delete of B's contact in A's scope: %d rows, %v", res.RowsAffected, res.Error)
		}
		res = db.WithContext(ctxA).Model(&models.Contact{ID: victim.ID}).Update("company", "Pwned")
		if res.Error != nil || res.RowsAffected != 0 {
			t.Errorf("update of B's contact in A's scope: %d rows, %v", res.RowsAffected, res.Error)
		}
		var c models.Contact
		if err := db.WithContext(ctxA).Where("id = ?", victim.ID).Take(&c).Error; !errors.Is(err, gorm.ErrRecordNotFound) {
			t.Errorf("B's contact by id in A's scope: %v, want not found", err)
		}
		unchanged(t)
	})

	t.Run("a table alias or another case does not escape the scope", func(t *testing.T) {
		tables := []string{"contacts AS c", "contacts c"}
		if env.Store.Dialect() == store.SQLite { // PostgreSQL has no table "CONTACTS"
			tables = append(tables, "CONTACTS")
		}
		for _, table := range tables {
			var rows []models.Contact
			if err := db.WithContext(ctxA).Table(table).Where("email = ? OR 1=1", isoSharedEmail).Find(&rows).Error; err != nil {
				t.Errorf("Table(%q) in A's scope: %v", table, err)
			}
			for _, r := range rows {
				if r.WorkspaceID != wsA.ID {
					t.Errorf("Table(%q) in A's scope returned %s of workspace %s", table, r.ID, r.WorkspaceID)
				}
			}
			if len(rows) != len(contactsA) {
				t.Errorf("Table(%q) in A's scope: %d rows, want %d", table, len(rows), len(contactsA))
			}
			rows = nil
			if err := db.WithContext(bg).Table(table).Find(&rows).Error; !errors.Is(err, store.ErrUnscoped) {
				t.Errorf("Table(%q) without a workspace: %d rows, err %v; want ErrUnscoped", table, len(rows), err)
			}
		}
	})

	t.Run("inserts without a model are refused", func(t *testing.T) {
		for name, ctx := range map[string]context.Context{"workspace A": ctxA, "no workspace": bg} {
			row := map[string]any{"id": ids.New(ids.Contact), "workspace_id": wsB.ID, "email": "map@example.com",
				"company": "Acme", "last_name": "", "tags": "[]", "created_at": store.Now(), "updated_at": store.Now()}
			if err := db.WithContext(ctx).Table("contacts").Create(row).Error; !errors.Is(err, store.ErrUnscoped) {
				t.Errorf("%s: insert of a map into contacts: %v, want ErrUnscoped", name, err)
			}
		}
		unchanged(t)
	})

	t.Run("inserts are stamped with the scope's workspace", func(t *testing.T) {
		intruder := &models.Contact{ID: ids.New(ids.Contact), WorkspaceID: wsB.ID, Email: "intruder@example.com", Company: new("Acme")}
		if err := db.WithContext(ctxA).Create(intruder).Error; !errors.Is(err, store.ErrUnscoped) {
			t.Errorf("insert into B from A's scope: %v, want ErrUnscoped", err)
		}
		orphan := &models.Contact{ID: ids.New(ids.Contact), Email: "orphan@example.com", Company: new("Acme")}
		if err := db.WithContext(bg).Create(orphan).Error; !errors.Is(err, store.ErrUnscoped) {
			t.Errorf("insert without a workspace: %v, want ErrUnscoped", err)
		}
		unchanged(t)
	})
}
