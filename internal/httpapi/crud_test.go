package httpapi_test

// CRUD and validation tests for every entity, through the full HTTP handler. They run on
// SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set (see internal/testenv).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// ---------------------------------------------------------------------------------------------
// helpers

// crudClient is one workspace with a full-permission key on a fresh database.
type crudClient struct {
	env *testenv.Env
	ws  *models.Workspace
	key string
}

func crudSetup(t *testing.T) *crudClient {
	t.Helper()
	env := testenv.New(t)
	ws, key := env.Tenant(t, "Crud Co")
	return &crudClient{env: env, ws: ws, key: key}
}

// fails runs an operation that must fail with HTTP 200, the given extensions.code and, when
// field is not "", the given extensions.field. The failing root field must be null.
func (c *crudClient) fails(t *testing.T, query string, vars map[string]any, code, field string) *testenv.Response {
	t.Helper()
	r := c.env.Query(t, c.key, query, vars)
	crudCheckError(t, r, code, field)
	return r
}

func crudCheckError(t *testing.T, r *testenv.Response, code, field string) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("want HTTP 200 with a %s error, got %d: %s", code, r.Status, r.Raw)
	}
	if len(r.Errors) == 0 {
		t.Fatalf("want a %s error, got none: %s", code, r.Raw)
	}
	if got := r.Code(); got != code {
		t.Fatalf("extensions.code = %q, want %q: %s", got, code, r.Raw)
	}
	if r.Errors[0].Message == "" {
		t.Errorf("error without a message: %s", r.Raw)
	}
	if field != "" {
		if got, _ := r.Errors[0].Extensions["field"].(string); got != field {
			t.Errorf("extensions.field = %q, want %q: %s", got, field, r.Raw)
		}
	}
	for k, v := range r.Data {
		if v != nil {
			t.Errorf("data.%s = %v, want null after a failed mutation", k, v)
		}
	}
}

// del runs a delete mutation (root is its field, such as deleteList) that must succeed and
// answer the deleted id.
func (c *crudClient) del(t *testing.T, root, id string) {
	t.Helper()
	d := crudDo[map[string]*string](t, c, fmt.Sprintf(`mutation($id: ID!) { %s(id: $id) }`, root), map[string]any{"id": id})
	if got := d[root]; got == nil || *got != id {
		t.Fatalf("%s(%s) answered %v, want the id", root, id, got)
	}
}

// crudDo runs an operation that must succeed and decodes its data into a T, refusing any
// field T does not declare.
func crudDo[T any](t *testing.T, c *crudClient, query string, vars map[string]any) T {
	t.Helper()
	return testenv.Decode[T](t, c.env.Query(t, c.key, query, vars))
}

// crudGet fetches one object by a root query such as contact(id:) and decodes it into a T;
// nil when the server answers null.
func crudGet[T any](t *testing.T, c *crudClient, root, id, fields string) *T {
	t.Helper()
	q := fmt.Sprintf(`query($id: ID!) { %s(id: $id) { %s } }`, root, fields)
	d := crudDo[map[string]*T](t, c, q, map[string]any{"id": id})
	v, ok := d[root]
	if !ok {
		t.Fatalf("no %s in the answer", root)
	}
	return v
}

// crudTotal is a connection asked for its totalCount only; a pointer, so a missing count fails.
type crudTotal struct {
	TotalCount *int `json:"totalCount"`
}

// count runs a query whose only root field, root, is a connection asked for its totalCount.
func (c *crudClient) count(t *testing.T, query string, vars map[string]any, root string) int {
	t.Helper()
	d := crudDo[map[string]crudTotal](t, c, query, vars)
	if d[root].TotalCount == nil {
		t.Fatalf("no %s.totalCount in %v", root, d)
	}
	return *d[root].TotalCount
}

// crudIDConn is a connection asked for `totalCount nodes { id }`, the nodes perhaps with their
// name (lists) or email (contacts) too.
type crudIDConn struct {
	TotalCount *int `json:"totalCount"`
	Nodes      []struct {
		ID    string  `json:"id"`
		Name  *string `json:"name"`
		Email *string `json:"email"`
	} `json:"nodes"`
}

// ids returns the ids of the nodes, sorted; never nil.
func (cn crudIDConn) ids() []string {
	out := make([]string, 0, len(cn.Nodes))
	for _, n := range cn.Nodes {
		out = append(out, n.ID)
	}
	sort.Strings(out)
	return out
}

// crudContact is a contact asked for crudContactFields. Optional fields are pointers so null
// is told apart from a value; timestamps stay strings and are checked with crudTime.
type crudContact struct {
	ID        string   `json:"id"`
	Email     string   `json:"email"`
	FirstName *string  `json:"firstName"`
	LastName  *string  `json:"lastName"`
	FullName  string   `json:"fullName"`
	Company   *string  `json:"company"`
	Title     *string  `json:"title"`
	Phone     *string  `json:"phone"`
	Tags      []string `json:"tags"`
	CreatedAt string   `json:"createdAt"`
	UpdatedAt string   `json:"updatedAt"`
}

// crudStr is a pointer to s, for comparing optional fields.
func crudStr(s string) *string { return &s }

// crudIntString is *n in decimal, or "null", for messages.
func crudIntString(n *int) string {
	if n == nil {
		return "null"
	}
	return fmt.Sprint(*n)
}

// crudDeref is *s, or "" for nil, for messages.
func crudDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (c *crudClient) contactCount(t *testing.T) int {
	t.Helper()
	return c.count(t, `{ contacts { totalCount } }`, nil, "contacts")
}

func (c *crudClient) listCount(t *testing.T, listID string) int {
	t.Helper()
	d := crudDo[struct {
		List *struct {
			ContactCount *int `json:"contactCount"`
		} `json:"list"`
	}](t, c, `query($id: ID!) { list(id: $id) { contactCount } }`, map[string]any{"id": listID})
	if d.List == nil || d.List.ContactCount == nil {
		t.Fatalf("no contactCount for list %s", listID)
	}
	return *d.List.ContactCount
}

const crudContactFields = `id email firstName lastName fullName company title phone tags createdAt updatedAt`

const crudCreateContact = `mutation($in: CreateContactInput!) { createContact(input: $in) { ` + crudContactFields + ` } }`

const crudUpdateContact = `mutation($id: ID!, $in: UpdateContactInput!) { updateContact(id: $id, input: $in) { ` + crudContactFields + ` } }`

func (c *crudClient) createContact(t *testing.T, in map[string]any) crudContact {
	t.Helper()
	d := crudDo[struct {
		CreateContact *crudContact `json:"createContact"`
	}](t, c, crudCreateContact, map[string]any{"in": in})
	if d.CreateContact == nil {
		t.Fatal("createContact answered null")
	}
	return *d.CreateContact
}

func (c *crudClient) newContact(t *testing.T, email string) string {
	t.Helper()
	return c.createContact(t, map[string]any{"email": email}).ID
}

func (c *crudClient) newList(t *testing.T, name string) string {
	t.Helper()
	d := crudDo[struct {
		CreateList struct {
			ID string `json:"id"`
		} `json:"createList"`
	}](t, c, `mutation($n: String!) { createList(input: {name: $n}) { id } }`, map[string]any{"n": name})
	if d.CreateList.ID == "" {
		t.Fatal("createList answered no id")
	}
	return d.CreateList.ID
}

func (c *crudClient) addToList(t *testing.T, listID string, contactIDs ...string) {
	t.Helper()
	d := crudDo[struct{ AddContactsToList *struct{ ID string } }](t, c,
		`mutation($l: ID!, $c: [ID!]!) { addContactsToList(listId: $l, contactIds: $c) { id } }`,
		map[string]any{"l": listID, "c": contactIDs})
	if d.AddContactsToList == nil || d.AddContactsToList.ID != listID {
		t.Fatalf("addContactsToList answered %+v, want list %s", d.AddContactsToList, listID)
	}
}

func crudTime(t *testing.T, s, what string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%s = %q is not an RFC 3339 time: %v", what, s, err)
	}
	if ts.Location() != time.UTC {
		t.Errorf("%s = %q, want UTC", what, s)
	}
	return ts
}

func crudEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %s, want %s", what, crudShow(got), crudShow(want))
	}
}

// crudShow renders v for a message: as JSON, so pointers show their values (null when nil),
// or with %#v when v does not marshal.
func crudShow(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// crudPost sends one operation without a *testing.T, for use in goroutines.
func crudPost(h http.Handler, key, query string, vars map[string]any) (*testenv.Response, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := &testenv.Response{Status: rec.Code, Raw: rec.Body.Bytes()}
	var doc struct {
		Data   map[string]any  `json:"data"`
		Errors []testenv.Error `json:"errors"`
	}
	if err := json.Unmarshal(res.Raw, &doc); err != nil {
		return nil, fmt.Errorf("status %d, body not JSON: %s", rec.Code, res.Raw)
	}
	res.Data, res.Errors = doc.Data, doc.Errors
	return res, nil
}

// ---------------------------------------------------------------------------------------------
// contacts

func TestCrudContactCreateAndRead(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)

	t.Run("all fields, normalised", func(t *testing.T) {
		before := time.Now().UTC()
		got := c.createContact(t, map[string]any{
			"email":     "  Ann.Lee@Example.COM ",
			"firstName": "Ann",
			"lastName":  "Lee",
			"company":   "Acme",
			"title":     "CTO",
			"phone":     "+1 555 0100",
			"tags":      []string{"VIP", "vip", " Lead ", "lead", "Partner", "VIP"},
		})
		after := time.Now().UTC()
		id := got.ID
		if !strings.HasPrefix(id, "ctc_") || ids.Kind(id) != ids.Contact {
			t.Errorf("id = %q, want an opaque ctc_ id", id)
		}
		crudEqual(t, "email", got.Email, "ann.lee@example.com")
		crudEqual(t, "firstName", got.FirstName, crudStr("Ann"))
		crudEqual(t, "lastName", got.LastName, crudStr("Lee"))
		crudEqual(t, "fullName", got.FullName, "Ann Lee")
		crudEqual(t, "company", got.Company, crudStr("Acme"))
		crudEqual(t, "title", got.Title, crudStr("CTO"))
		crudEqual(t, "phone", got.Phone, crudStr("+1 555 0100"))
		crudEqual(t, "tags", got.Tags, []string{"vip", "lead", "partner"})
		created := crudTime(t, got.CreatedAt, "createdAt")
		updated := crudTime(t, got.UpdatedAt, "updatedAt")
		if created.Before(before.Add(-time.Second)) || created.After(after.Add(time.Second)) {
			t.Errorf("createdAt = %v, want the time of the request (%v … %v)", created, before, after)
		}
		if updated.Before(created) {
			t.Errorf("updatedAt %v is before createdAt %v", updated, created)
		}

		// Reading it back by id gives exactly what the mutation returned.
		read := crudGet[crudContact](t, c, "contact", id, crudContactFields)
		crudEqual(t, "contact(id)", read, &got)

		// The stored tags are what the tag filter finds, whatever the case of the filter.
		d := crudDo[struct{ Contacts crudIDConn }](t, c, `{ contacts(filter: {tag: "LEAD"}) { totalCount nodes { id } } }`, nil)
		crudEqual(t, "contacts tagged lead", d.Contacts.ids(), []string{id})
	})

	t.Run("email only", func(t *testing.T) {
		got := c.createContact(t, map[string]any{"email": "solo@example.org"})
		crudEqual(t, "email", got.Email, "solo@example.org")
		crudEqual(t, "fullName falls back to the email", got.FullName, "solo@example.org")
		for f, v := range map[string]*string{"firstName": got.FirstName, "lastName": got.LastName,
			"company": got.Company, "title": got.Title, "phone": got.Phone} {
			if v != nil {
				t.Errorf("%s = %q, want null", f, *v)
			}
		}
		crudEqual(t, "tags", got.Tags, []string{})
	})

	t.Run("empty optional strings are null", func(t *testing.T) {
		got := c.createContact(t, map[string]any{"email": "blank@example.org", "firstName": "", "lastName": "  ",
			"company": "", "tags": []string{}})
		for f, v := range map[string]*string{"firstName": got.FirstName, "lastName": got.LastName, "company": got.Company} {
			if v != nil {
				t.Errorf("%s = %q, want null", f, *v)
			}
		}
		crudEqual(t, "fullName", got.FullName, "blank@example.org")
	})

	t.Run("first name only", func(t *testing.T) {
		got := c.createContact(t, map[string]any{"email": "first@example.org", "firstName": "  Zoë  "})
		crudEqual(t, "firstName is trimmed", got.FirstName, crudStr("Zoë"))
		crudEqual(t, "fullName", got.FullName, "Zoë")
	})

	t.Run("unknown or malformed id reads as null", func(t *testing.T) {
		for _, id := range []string{ids.New(ids.Contact), "nope", "", ids.New(ids.List)} {
			if got := crudGet[struct{ ID string }](t, c, "contact", id, "id"); got != nil {
				t.Errorf("contact(%q) = %+v, want null", id, *got)
			}
		}
	})

	if n := c.contactCount(t); n != 4 {
		t.Errorf("contacts totalCount = %d, want 4", n)
	}
}

func TestCrudContactUpdate(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	orig := c.createContact(t, map[string]any{
		"email": "bo@example.com", "firstName": "Bo", "lastName": "Diddley", "company": "Chess",
		"title": "Singer", "phone": "555-0101", "tags": []string{"vip", "music"},
	})
	id := orig.ID
	prev := orig

	// step applies one update and checks that exactly the fields edit changes in the previous
	// answer changed: every field but updatedAt is compared, updatedAt must not go backwards.
	step := func(t *testing.T, in map[string]any, edit func(want *crudContact)) {
		t.Helper()
		d := crudDo[struct {
			UpdateContact *crudContact `json:"updateContact"`
		}](t, c, crudUpdateContact, map[string]any{"id": id, "in": in})
		if d.UpdateContact == nil {
			t.Fatal("updateContact answered null")
		}
		got := *d.UpdateContact
		want := prev
		want.Tags = append([]string{}, prev.Tags...)
		if edit != nil {
			edit(&want)
		}
		want.UpdatedAt = got.UpdatedAt
		crudEqual(t, "updateContact", got, want)
		if crudTime(t, got.UpdatedAt, "updatedAt").Before(crudTime(t, prev.UpdatedAt, "previous updatedAt")) {
			t.Errorf("updatedAt went backwards: %v -> %v", prev.UpdatedAt, got.UpdatedAt)
		}
		crudEqual(t, "contact(id) after update", crudGet[crudContact](t, c, "contact", id, crudContactFields), &got)
		prev = got
	}

	t.Run("one field changes, the others stay", func(t *testing.T) {
		step(t, map[string]any{"title": "Guitarist"}, func(w *crudContact) { w.Title = crudStr("Guitarist") })
	})
	t.Run("empty input changes nothing", func(t *testing.T) {
		step(t, map[string]any{}, nil)
	})
	t.Run("names and fullName", func(t *testing.T) {
		step(t, map[string]any{"firstName": "Ellas", "lastName": "McDaniel"}, func(w *crudContact) {
			w.FirstName, w.LastName, w.FullName = crudStr("Ellas"), crudStr("McDaniel"), "Ellas McDaniel"
		})
	})
	t.Run("empty string clears optional fields", func(t *testing.T) {
		step(t, map[string]any{"lastName": "", "company": "", "phone": ""}, func(w *crudContact) {
			w.LastName, w.Company, w.Phone, w.FullName = nil, nil, nil, "Ellas"
		})
		step(t, map[string]any{"firstName": "", "title": " "}, func(w *crudContact) {
			w.FirstName, w.Title, w.FullName = nil, nil, "bo@example.com"
		})
	})
	t.Run("email is normalised; own address in another case is no conflict", func(t *testing.T) {
		step(t, map[string]any{"email": " BO@Example.com "}, nil)
		step(t, map[string]any{"email": "Bo.Diddley@Example.com"}, func(w *crudContact) {
			w.Email, w.FullName = "bo.diddley@example.com", "bo.diddley@example.com"
		})
	})
	t.Run("tags are replaced, not merged", func(t *testing.T) {
		step(t, map[string]any{"tags": []string{"Legend", "LEGEND", "rock"}},
			func(w *crudContact) { w.Tags = []string{"legend", "rock"} })
		for tag, want := range map[string]int{"vip": 0, "music": 0, "legend": 1, "rock": 1} {
			n := c.count(t, `query($t: String) { contacts(filter: {tag: $t}) { totalCount } }`,
				map[string]any{"t": tag}, "contacts")
			if n != want {
				t.Errorf("contacts tagged %q = %d, want %d", tag, n, want)
			}
		}
		step(t, map[string]any{"tags": []string{}}, func(w *crudContact) { w.Tags = []string{} })
		n := c.count(t, `{ contacts(filter: {tag: "legend"}) { totalCount } }`, nil, "contacts")
		if n != 0 {
			t.Errorf("contacts tagged legend after clearing tags = %d, want 0", n)
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		for _, bad := range []string{ids.New(ids.Contact), "nope"} {
			c.fails(t, crudUpdateContact, map[string]any{"id": bad, "in": map[string]any{"title": "x"}}, "NOT_FOUND", "")
		}
	})
}

func TestCrudContactDelete(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	gone := c.newContact(t, "gone@example.com")
	stays := c.newContact(t, "stays@example.com")
	list := c.newList(t, "Members")
	c.addToList(t, list, gone, stays)
	deal := crudDo[struct {
		CreateDeal struct {
			ID string `json:"id"`
		} `json:"createDeal"`
	}](t, c, `mutation($c: ID) { createDeal(input: {title: "Big one", contactId: $c}) { id } }`, map[string]any{"c": gone}).CreateDeal.ID
	if n := c.listCount(t, list); n != 2 {
		t.Fatalf("contactCount before delete = %d, want 2", n)
	}

	const del = `mutation($id: ID!) { deleteContact(id: $id) }`
	d := crudDo[struct {
		DeleteContact *string `json:"deleteContact"`
	}](t, c, del, map[string]any{"id": gone})
	crudEqual(t, "deleteContact", d.DeleteContact, &gone)

	if got := crudGet[struct{ ID string }](t, c, "contact", gone, "id"); got != nil {
		t.Errorf("contact(id) after delete = %+v, want null", *got)
	}
	if n := c.contactCount(t); n != 1 {
		t.Errorf("contacts totalCount = %d, want 1", n)
	}
	// Its list memberships are gone.
	l := crudGet[struct {
		ContactCount *int       `json:"contactCount"`
		Contacts     crudIDConn `json:"contacts"`
	}](t, c, "list", list, `contactCount contacts { totalCount nodes { id } }`)
	if l == nil {
		t.Fatal("the list is gone")
	}
	one := 1
	crudEqual(t, "list contactCount", l.ContactCount, &one)
	crudEqual(t, "list contacts.totalCount", l.Contacts.TotalCount, &one)
	crudEqual(t, "list members", l.Contacts.ids(), []string{stays})
	n := c.count(t, `query($l: ID) { contacts(filter: {listId: $l}) { totalCount } }`, map[string]any{"l": list}, "contacts")
	if n != 1 {
		t.Errorf("contacts in list = %d, want 1", n)
	}
	// Its deals stay, without a contact.
	dl := crudGet[struct {
		ID      string
		Title   string
		Contact *struct{ ID string }
	}](t, c, "deal", deal, `id title contact { id }`)
	if dl == nil {
		t.Fatal("the deal of a deleted contact was deleted too")
	}
	crudEqual(t, "deal", dl.ID, deal)
	crudEqual(t, "deal title", dl.Title, "Big one")
	if dl.Contact != nil {
		t.Errorf("deal.contact = %+v, want null", *dl.Contact)
	}
	n = c.count(t, `query($c: ID) { deals(filter: {contactId: $c}) { totalCount } }`, map[string]any{"c": gone}, "deals")
	if n != 0 {
		t.Errorf("deals filtered by the deleted contact = %d, want 0", n)
	}
	if n := c.count(t, `{ deals { totalCount } }`, nil, "deals"); n != 1 {
		t.Errorf("deals totalCount = %d, want 1", n)
	}
	// Deleting again, or an unknown id, is NOT_FOUND.
	c.fails(t, del, map[string]any{"id": gone}, "NOT_FOUND", "")
	c.fails(t, del, map[string]any{"id": ids.New(ids.Contact)}, "NOT_FOUND", "")
	c.fails(t, del, map[string]any{"id": "garbage"}, "NOT_FOUND", "")
	// Updating a deleted contact is NOT_FOUND as well, and the address is free again.
	c.fails(t, crudUpdateContact, map[string]any{"id": gone, "in": map[string]any{"title": "x"}}, "NOT_FOUND", "")
	again := c.createContact(t, map[string]any{"email": "gone@example.com"})
	if again.ID == gone {
		t.Errorf("a new contact reused the deleted id %s", gone)
	}
	zero := 0
	crudEqual(t, "lists of the re-created contact", crudGet[struct{ Lists crudTotal }](t, c, "contact", again.ID, "lists { totalCount }"),
		&struct{ Lists crudTotal }{crudTotal{&zero}})
}

func TestCrudContactValidation(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	long := func(n int) string { return strings.Repeat("a", n) }
	tags := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("tag%d", i)
		}
		return out
	}

	invalid := []struct {
		name  string
		in    map[string]any
		field string
	}{
		{"empty email", map[string]any{"email": ""}, "input.email"},
		{"blank email", map[string]any{"email": "   "}, "input.email"},
		{"email without @", map[string]any{"email": "no-at"}, "input.email"},
		{"email without a dot in the domain", map[string]any{"email": "a@b"}, "input.email"},
		{"email with a space", map[string]any{"email": "a b@c.com"}, "input.email"},
		{"email with a display name", map[string]any{"email": "Name <a@b.co>"}, "input.email"},
		{"email without local part", map[string]any{"email": "@b.co"}, "input.email"},
		{"email ending in a dot", map[string]any{"email": "a@b.co."}, "input.email"},
		{"two addresses", map[string]any{"email": "a@b.co, c@d.co"}, "input.email"},
		{"email over 254 characters", map[string]any{"email": long(243) + "@example.com"}, "input.email"},
		{"email with a control character", map[string]any{"email": "a\x01b@c.co"}, "input.email"},
		{"email with a newline", map[string]any{"email": "a@b.co\nBcc: x@y.co"}, "input.email"},
		{"firstName over 255", map[string]any{"email": "x@y.co", "firstName": long(256)}, "input.firstName"},
		{"firstName over 255 runes", map[string]any{"email": "x@y.co", "firstName": strings.Repeat("é", 256)}, "input.firstName"},
		{"lastName over 255", map[string]any{"email": "x@y.co", "lastName": long(256)}, "input.lastName"},
		{"company over 255", map[string]any{"email": "x@y.co", "company": long(256)}, "input.company"},
		{"title over 255", map[string]any{"email": "x@y.co", "title": long(256)}, "input.title"},
		{"phone over 50", map[string]any{"email": "x@y.co", "phone": long(51)}, "input.phone"},
		{"more than 50 tags", map[string]any{"email": "x@y.co", "tags": tags(51)}, "input.tags"},
		{"tag over 64", map[string]any{"email": "x@y.co", "tags": []string{"ok", long(65)}}, "input.tags"},
		{"empty tag", map[string]any{"email": "x@y.co", "tags": []string{"ok", ""}}, "input.tags"},
		{"blank tag", map[string]any{"email": "x@y.co", "tags": []string{"  "}}, "input.tags"},
		{"NUL in firstName", map[string]any{"email": "x@y.co", "firstName": "Ann\x00"}, "input.firstName"},
		{"BEL in lastName", map[string]any{"email": "x@y.co", "lastName": "Lee\x07"}, "input.lastName"},
		{"ESC in company", map[string]any{"email": "x@y.co", "company": "\x1b[31mAcme"}, "input.company"},
		{"DEL in title", map[string]any{"email": "x@y.co", "title": "Boss\x7f"}, "input.title"},
		{"C1 control in phone", map[string]any{"email": "x@y.co", "phone": "555\u009b0100"}, "input.phone"},
		{"control character in a tag", map[string]any{"email": "x@y.co", "tags": []string{"v\x01ip"}}, "input.tags"},
	}
	for _, tc := range invalid {
		t.Run("create/"+tc.name, func(t *testing.T) {
			c.fails(t, crudCreateContact, map[string]any{"in": tc.in}, "BAD_USER_INPUT", tc.field)
		})
	}
	if n := c.contactCount(t); n != 0 {
		t.Fatalf("invalid creates left %d contacts, want 0", n)
	}

	// The same rules hold for updates, and a rejected update changes nothing.
	target := c.createContact(t, map[string]any{"email": "target@example.com", "firstName": "Tia", "tags": []string{"keep"}})
	id := target.ID
	for _, tc := range invalid {
		in := map[string]any{}
		for k, v := range tc.in {
			if k != "email" || tc.field == "input.email" {
				in[k] = v
			}
		}
		t.Run("update/"+tc.name, func(t *testing.T) {
			c.fails(t, crudUpdateContact, map[string]any{"id": id, "in": in}, "BAD_USER_INPUT", tc.field)
		})
	}
	crudEqual(t, "contact after rejected updates", crudGet[crudContact](t, c, "contact", id, crudContactFields), &target)

	// Values at the limits are accepted.
	valid := []struct {
		name  string
		in    map[string]any
		check func(t *testing.T, got crudContact)
	}{
		{"255-character names", map[string]any{"firstName": long(255), "lastName": long(255), "company": long(255), "title": long(255)},
			func(t *testing.T, got crudContact) { crudEqual(t, "firstName", got.FirstName, crudStr(long(255))) }},
		{"255 two-byte runes", map[string]any{"firstName": strings.Repeat("é", 255)},
			func(t *testing.T, got crudContact) {
				crudEqual(t, "firstName", got.FirstName, crudStr(strings.Repeat("é", 255)))
			}},
		{"50 tags", map[string]any{"tags": tags(50)},
			func(t *testing.T, got crudContact) { crudEqual(t, "tags", got.Tags, tags(50)) }},
		{"51 tags that are 50 after de-duplication", map[string]any{"tags": append(tags(50), "TAG0")},
			nil}, // either answer is defensible; only the count of distinct tags must never exceed 50
		{"64-character tag", map[string]any{"tags": []string{long(64)}},
			func(t *testing.T, got crudContact) {
				crudEqual(t, "tags", got.Tags, []string{long(64)})
			}},
		{"50-character phone", map[string]any{"phone": strings.Repeat("5", 50)},
			func(t *testing.T, got crudContact) {
				crudEqual(t, "phone", got.Phone, crudStr(strings.Repeat("5", 50)))
			}},
		{"tab and newline are not control characters here", map[string]any{"company": "Acme\tInc.\nLondon"},
			func(t *testing.T, got crudContact) {
				crudEqual(t, "company", got.Company, crudStr("Acme\tInc.\nLondon"))
			}},
		{"unicode names", map[string]any{"firstName": "Zoë", "lastName": "Núñez-渡辺"},
			func(t *testing.T, got crudContact) {
				crudEqual(t, "fullName", got.FullName, "Zoë Núñez-渡辺")
			}},
	}
	for i, tc := range valid {
		t.Run("accepted/"+tc.name, func(t *testing.T) {
			in := map[string]any{"email": fmt.Sprintf("limit%d@example.com", i)}
			for k, v := range tc.in {
				in[k] = v
			}
			r := c.env.Query(t, c.key, crudCreateContact, map[string]any{"in": in})
			if tc.check == nil {
				if len(r.Errors) > 0 {
					crudCheckError(t, r, "BAD_USER_INPUT", "input.tags")
				} else if d := testenv.Decode[struct{ CreateContact crudContact }](t, r); len(d.CreateContact.Tags) > 50 {
					t.Errorf("stored %d tags, want at most 50", len(d.CreateContact.Tags))
				}
				return
			}
			tc.check(t, testenv.Decode[struct{ CreateContact crudContact }](t, r).CreateContact)
		})
	}
}

func TestCrudContactConflicts(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	first := c.createContact(t, map[string]any{"email": "dup@example.com", "firstName": "First"})

	for _, email := range []string{"dup@example.com", "DUP@Example.COM", "  dup@example.com  "} {
		t.Run("create "+email, func(t *testing.T) {
			c.fails(t, crudCreateContact, map[string]any{"in": map[string]any{"email": email, "firstName": "Second"}}, "CONFLICT", "")
		})
	}
	if n := c.contactCount(t); n != 1 {
		t.Fatalf("contacts totalCount = %d, want 1", n)
	}
	crudEqual(t, "first contact", crudGet[crudContact](t, c, "contact", first.ID, crudContactFields), &first)

	other := c.createContact(t, map[string]any{"email": "other@example.com", "firstName": "Other", "tags": []string{"orig"}})
	otherID := other.ID

	t.Run("update to another contact's email", func(t *testing.T) {
		c.fails(t, crudUpdateContact, map[string]any{"id": otherID, "in": map[string]any{"email": "Dup@example.com"}}, "CONFLICT", "")
		crudEqual(t, "contact after conflict", crudGet[crudContact](t, c, "contact", otherID, crudContactFields), &other)
	})

	t.Run("transactional: valid firstName with invalid email changes nothing", func(t *testing.T) {
		c.fails(t, crudUpdateContact, map[string]any{"id": otherID, "in": map[string]any{"firstName": "Changed", "email": "not-an-email"}},
			"BAD_USER_INPUT", "input.email")
		crudEqual(t, "contact after rejected update", crudGet[crudContact](t, c, "contact", otherID, crudContactFields), &other)
	})

	t.Run("transactional: a conflict rolls back names and tags", func(t *testing.T) {
		c.fails(t, crudUpdateContact, map[string]any{"id": otherID, "in": map[string]any{
			"firstName": "Changed", "tags": []string{"changed"}, "email": "dup@example.com"}}, "CONFLICT", "")
		crudEqual(t, "contact after conflict", crudGet[crudContact](t, c, "contact", otherID, crudContactFields), &other)
		for tag, want := range map[string]int{"changed": 0, "orig": 1} {
			n := c.count(t, `query($t: String) { contacts(filter: {tag: $t}) { totalCount } }`, map[string]any{"t": tag}, "contacts")
			if n != want {
				t.Errorf("contacts tagged %q = %d, want %d", tag, n, want)
			}
		}
	})

	t.Run("the same email in another workspace is no conflict", func(t *testing.T) {
		_, key2 := c.env.Tenant(t, "Other Co")
		r := c.env.Query(t, key2, crudCreateContact, map[string]any{"in": map[string]any{"email": "dup@example.com"}})
		crudEqual(t, "email", testenv.Decode[struct{ CreateContact crudContact }](t, r).CreateContact.Email, "dup@example.com")
	})
}

// crudRace sends n operations at once (vars(i) gives the i-th one's variables) and sorts the
// answers into successes and error codes.
func (c *crudClient) race(t *testing.T, n int, query string, vars func(i int) map[string]any) (ok []*testenv.Response, codes map[string]int) {
	t.Helper()
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		results = make([]*testenv.Response, n)
		errs    = make([]error, n)
	)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			<-start
			results[i], errs[i] = crudPost(c.env.Handler, c.key, query, vars(i))
		}(i)
	}
	close(start)
	wg.Wait()
	codes = map[string]int{}
	for i, r := range results {
		if errs[i] != nil {
			t.Fatalf("request %d: %v", i, errs[i])
		}
		switch {
		case r.Status != http.StatusOK:
			t.Errorf("request %d: HTTP %d: %s", i, r.Status, r.Raw)
		case len(r.Errors) == 0:
			ok = append(ok, r)
		default:
			codes[r.Code()]++
		}
	}
	return ok, codes
}

func TestCrudConcurrentWrites(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	const n = 10

	t.Run("creating one email at once", func(t *testing.T) {
		ok, codes := c.race(t, n, crudCreateContact, func(i int) map[string]any {
			email := "race@example.com"
			if i%2 == 1 {
				email = "Race@Example.com" // the same address after normalisation
			}
			return map[string]any{"in": map[string]any{"email": email, "firstName": fmt.Sprint("writer ", i)}}
		})
		if len(ok) != 1 || codes["CONFLICT"] != n-1 {
			t.Fatalf("got %d successes and errors %v, want 1 success and %d CONFLICT", len(ok), codes, n-1)
		}
		crudEqual(t, "email", testenv.Decode[struct{ CreateContact crudContact }](t, ok[0]).CreateContact.Email, "race@example.com")
		if got := c.contactCount(t); got != 1 {
			t.Errorf("contacts totalCount = %d, want exactly 1 row", got)
		}
	})

	t.Run("moving several contacts to one email at once", func(t *testing.T) {
		movers := make([]string, 5)
		for i := range movers {
			movers[i] = c.newContact(t, fmt.Sprintf("mover%d@example.com", i))
		}
		ok, codes := c.race(t, len(movers), crudUpdateContact, func(i int) map[string]any {
			return map[string]any{"id": movers[i], "in": map[string]any{"email": "target@example.com"}}
		})
		if len(ok) != 1 || codes["CONFLICT"] != len(movers)-1 {
			t.Fatalf("got %d successes and errors %v, want 1 success and %d CONFLICT", len(ok), codes, len(movers)-1)
		}
		winner := testenv.Decode[struct{ UpdateContact crudContact }](t, ok[0]).UpdateContact.ID
		d := crudDo[struct {
			Contacts struct{ Nodes []struct{ ID, Email string } }
		}](t, c, `{ contacts(filter: {search: "@example.com"}, orderBy: {field: EMAIL, direction: ASC}) { nodes { id email } } }`, nil)
		var emails []string
		for _, node := range d.Contacts.Nodes {
			emails = append(emails, node.Email)
			if node.Email == "target@example.com" {
				crudEqual(t, "holder of the target email", node.ID, winner)
			}
		}
		want := []string{}
		for i := range movers {
			if movers[i] != winner {
				want = append(want, fmt.Sprintf("mover%d@example.com", i))
			}
		}
		want = append(want, "race@example.com", "target@example.com")
		crudEqual(t, "emails after the race", emails, testenv.Sorted(want...))
	})

	t.Run("creating one list name at once", func(t *testing.T) {
		ok, codes := c.race(t, n, `mutation($n: String!) { createList(input: {name: $n}) { id name } }`, func(i int) map[string]any {
			return map[string]any{"n": []string{"Launch", "LAUNCH", "launch"}[i%3]}
		})
		if len(ok) != 1 || codes["CONFLICT"] != n-1 {
			t.Fatalf("got %d successes and errors %v, want 1 success and %d CONFLICT", len(ok), codes, n-1)
		}
		if got := c.count(t, `{ lists { totalCount } }`, nil, "lists"); got != 1 {
			t.Errorf("lists totalCount = %d, want 1", got)
		}
	})

	t.Run("adding the same members at once", func(t *testing.T) {
		list := c.newList(t, "Crowd")
		var members []string
		for i := 0; i < 3; i++ {
			members = append(members, c.newContact(t, fmt.Sprintf("crowd%d@example.com", i)))
		}
		ok, codes := c.race(t, n, `mutation($l: ID!, $c: [ID!]!) { addContactsToList(listId: $l, contactIds: $c) { id } }`,
			func(i int) map[string]any {
				return map[string]any{"l": list, "c": []string{members[i%3], members[(i+1)%3]}}
			})
		if len(ok) != n {
			t.Fatalf("got %d successes and errors %v, want %d successes", len(ok), codes, n)
		}
		if got := c.listCount(t, list); got != 3 {
			t.Errorf("contactCount = %d, want 3", got)
		}

		// Adding and removing overlapping members at once: every call succeeds and the count
		// agrees with the members.
		const addOrRemove = `mutation($l: ID!, $c: [ID!]!, $add: Boolean!) {
			a: addContactsToList(listId: $l, contactIds: $c) @include(if: $add) { id }
			r: removeContactsFromList(listId: $l, contactIds: $c) @skip(if: $add) { id } }`
		ok, codes = c.race(t, n, addOrRemove, func(i int) map[string]any {
			ids := []string{members[i%3], members[(i+1)%3], members[(i+2)%3]}
			if i%2 == 1 {
				ids[0], ids[2] = ids[2], ids[0]
			}
			return map[string]any{"l": list, "c": ids[:2], "add": i%2 == 0}
		})
		if len(ok) != n {
			t.Fatalf("got %d successes and errors %v, want %d successes", len(ok), codes, n)
		}
		l := crudGet[struct {
			ContactCount *int
			Contacts     crudIDConn
		}](t, c, "list", list, `contactCount contacts { totalCount nodes { id } }`)
		if l == nil {
			t.Fatal("the list is gone")
		}
		nodes := len(l.Contacts.Nodes)
		if !reflect.DeepEqual(l.ContactCount, &nodes) || !reflect.DeepEqual(l.Contacts.TotalCount, &nodes) || nodes > 3 {
			t.Errorf("list after the race: contactCount %v, contacts.totalCount %v, %d nodes",
				crudIntString(l.ContactCount), crudIntString(l.Contacts.TotalCount), nodes)
		}
	})
}

func TestCrudVerbatimText(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	const (
		html    = `<script>alert(1)</script>`
		sql     = `Robert'); DROP TABLE contacts;--`
		company = `100% "Quotes" & 'Apostrophes' <b>bold</b> \back\slash`
		title   = `1' OR '1'='1`
		tagSQL  = `'; drop table contact_tags;--`
		tagHTML = `<img src=x onerror=alert(1)>`
	)
	c.newContact(t, "plain.person@example.com")
	got := c.createContact(t, map[string]any{"email": "bobby@tables.example", "firstName": html, "lastName": sql,
		"company": company, "title": title, "tags": []string{tagSQL, tagHTML}})
	id := got.ID
	crudEqual(t, "firstName", got.FirstName, crudStr(html))
	crudEqual(t, "lastName", got.LastName, crudStr(sql))
	crudEqual(t, "fullName", got.FullName, html+" "+sql)
	crudEqual(t, "company", got.Company, crudStr(company))
	crudEqual(t, "title", got.Title, crudStr(title))
	crudEqual(t, "tags", got.Tags, []string{tagSQL, tagHTML})
	crudEqual(t, "contact(id)", crudGet[crudContact](t, c, "contact", id, crudContactFields), &got)

	// Nothing broke: both contacts are still there, and searches treat the text as text.
	if n := c.contactCount(t); n != 2 {
		t.Errorf("contacts totalCount = %d, want 2", n)
	}
	searches := []struct {
		filter map[string]any
		want   []string
	}{
		{map[string]any{"search": "drop table"}, []string{id}},
		{map[string]any{"search": "<SCRIPT>"}, []string{id}},
		{map[string]any{"search": "%"}, []string{id}}, // a LIKE wildcard only matches itself
		{map[string]any{"search": "_"}, []string{}},
		{map[string]any{"search": `\back`}, []string{id}},
		{map[string]any{"search": "' OR '1'='1"}, []string{}},
		{map[string]any{"company": strings.ToUpper(company)}, []string{id}},
		{map[string]any{"tag": tagSQL}, []string{id}},
		{map[string]any{"tag": strings.ToUpper(tagHTML)}, []string{id}},
	}
	for _, s := range searches {
		d := crudDo[struct{ Contacts crudIDConn }](t, c, `query($f: ContactFilter) { contacts(filter: $f) { totalCount nodes { id } } }`,
			map[string]any{"f": s.filter})
		crudEqual(t, fmt.Sprintf("contacts(filter: %v)", s.filter), d.Contacts.ids(), testenv.Sorted(s.want...))
	}

	// Lists, campaigns and deals keep such text verbatim too.
	type verbatim struct {
		ID          string  `json:"id"`
		Name        string  `json:"name"`
		Description *string `json:"description"`
	}
	l := crudDo[struct{ CreateList *verbatim }](t, c,
		`mutation($n: String!, $d: String) { createList(input: {name: $n, description: $d}) { id name description } }`,
		map[string]any{"n": "x'); DELETE FROM lists;--", "d": html}).CreateList
	if l == nil {
		t.Fatal("createList answered null")
	}
	crudEqual(t, "list", l.Name, "x'); DELETE FROM lists;--")
	crudEqual(t, "list description", l.Description, crudStr(html))
	type campaign struct {
		Name    string  `json:"name"`
		Subject *string `json:"subject"`
		Body    *string `json:"body"`
	}
	camp := crudDo[struct{ CreateCampaign *campaign }](t, c,
		`mutation($b: String) { createCampaign(input: {name: "<h1>Hi</h1>", subject: "'; --", body: $b}) { name subject body } }`,
		map[string]any{"b": "<html><body onload=\"x()\">Hi ${name} {{name}} %s</body></html>"}).CreateCampaign
	crudEqual(t, "campaign", camp, &campaign{Name: "<h1>Hi</h1>", Subject: crudStr("'; --"),
		Body: crudStr("<html><body onload=\"x()\">Hi ${name} {{name}} %s</body></html>")})
	deal := crudDo[struct{ CreateDeal *struct{ Title string } }](t, c,
		`mutation { createDeal(input: {title: "Robert'); DROP TABLE deals;--"}) { title } }`, nil).CreateDeal
	if deal == nil {
		t.Fatal("createDeal answered null")
	}
	crudEqual(t, "deal title", deal.Title, "Robert'); DROP TABLE deals;--")
	for _, root := range []string{"lists", "campaigns", "deals"} {
		q := fmt.Sprintf(`{ %s { totalCount } }`, root)
		crudEqual(t, q, c.count(t, q, nil, root), 1)
	}
}

// ---------------------------------------------------------------------------------------------
// lists

const crudListFields = `id name description contactCount createdAt updatedAt`

// crudList is a list asked for crudListFields.
type crudList struct {
	ID           string  `json:"id"`
	Name         string  `json:"name"`
	Description  *string `json:"description"`
	ContactCount *int    `json:"contactCount"`
	CreatedAt    string  `json:"createdAt"`
	UpdatedAt    string  `json:"updatedAt"`
}

// crudInt is a pointer to n, for comparing counts that must be present.
func crudInt(n int) *int { return &n }

func TestCrudLists(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	const create = `mutation($in: CreateListInput!) { createList(input: $in) { ` + crudListFields + ` } }`
	const update = `mutation($id: ID!, $in: UpdateListInput!) { updateList(id: $id, input: $in) { ` + crudListFields + ` } }`
	const del = `mutation($id: ID!) { deleteList(id: $id) }`

	write := crudWrite[crudList]
	vip := write(t, c, create, map[string]any{"in": map[string]any{"name": "  VIP Customers ", "description": "Top accounts"}})
	vipID := vip.ID
	if ids.Kind(vipID) != ids.List {
		t.Errorf("list id %q is not a lst_ id", vipID)
	}
	crudEqual(t, "name is trimmed", vip.Name, "VIP Customers")
	crudEqual(t, "description", vip.Description, crudStr("Top accounts"))
	crudEqual(t, "contactCount", vip.ContactCount, crudInt(0))
	if crudTime(t, vip.UpdatedAt, "updatedAt").Before(crudTime(t, vip.CreatedAt, "createdAt")) {
		t.Errorf("updatedAt before createdAt: %+v", vip)
	}
	crudEqual(t, "list(id)", crudGet[crudList](t, c, "list", vipID, crudListFields), &vip)

	plain := write(t, c, create, map[string]any{"in": map[string]any{"name": "Plain"}})
	if plain.Description != nil {
		t.Errorf("description without input = %q, want null", *plain.Description)
	}
	plainID := plain.ID

	t.Run("validation", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			in    map[string]any
			field string
		}{
			{"empty name", map[string]any{"name": ""}, "input.name"},
			{"blank name", map[string]any{"name": "   "}, "input.name"},
			{"name over 255", map[string]any{"name": strings.Repeat("n", 256)}, "input.name"},
			{"control character in name", map[string]any{"name": "a\x00b"}, "input.name"},
			{"description over 2000", map[string]any{"name": "Desc", "description": strings.Repeat("d", 2001)}, "input.description"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c.fails(t, create, map[string]any{"in": tc.in}, "BAD_USER_INPUT", tc.field)
			})
		}
		for _, tc := range []struct {
			name  string
			in    map[string]any
			field string
		}{
			{"empty name", map[string]any{"name": ""}, "input.name"},
			{"name over 255", map[string]any{"name": strings.Repeat("n", 256)}, "input.name"},
			{"description over 2000", map[string]any{"description": strings.Repeat("d", 2001)}, "input.description"},
		} {
			t.Run("update "+tc.name, func(t *testing.T) {
				c.fails(t, update, map[string]any{"id": vipID, "in": tc.in}, "BAD_USER_INPUT", tc.field)
			})
		}
		crudEqual(t, "list after rejected updates", crudGet[crudList](t, c, "list", vipID, crudListFields), &vip)
	})

	t.Run("duplicate names conflict, ignoring case", func(t *testing.T) {
		for _, name := range []string{"VIP Customers", "vip customers", "  VIP CUSTOMERS  "} {
			c.fails(t, create, map[string]any{"in": map[string]any{"name": name}}, "CONFLICT", "")
		}
		c.fails(t, update, map[string]any{"id": plainID, "in": map[string]any{"name": "vip CUSTOMERS", "description": "changed"}}, "CONFLICT", "")
		crudEqual(t, "list after conflicting rename", crudGet[crudList](t, c, "list", plainID, crudListFields), &plain)
		if n := c.count(t, `{ lists { totalCount } }`, nil, "lists"); n != 2 {
			t.Errorf("lists totalCount = %d, want 2", n)
		}
	})

	t.Run("update is partial", func(t *testing.T) {
		got := write(t, c, update, map[string]any{"id": vipID, "in": map[string]any{"name": "Gold"}})
		crudEqual(t, "name", got.Name, "Gold")
		crudEqual(t, "description unchanged", got.Description, crudStr("Top accounts"))
		crudEqual(t, "createdAt unchanged", got.CreatedAt, vip.CreatedAt)
		got = write(t, c, update, map[string]any{"id": vipID, "in": map[string]any{"description": "Gold tier"}})
		crudEqual(t, "name unchanged", got.Name, "Gold")
		crudEqual(t, "description", got.Description, crudStr("Gold tier"))
		got = write(t, c, update, map[string]any{"id": vipID, "in": map[string]any{"description": ""}})
		if got.Description != nil {
			t.Errorf(`description after "" = %q, want null`, *got.Description)
		}
		// Renaming to its own name in another case is fine; the old name is free again.
		got = write(t, c, update, map[string]any{"id": vipID, "in": map[string]any{"name": "GOLD"}})
		crudEqual(t, "name", got.Name, "GOLD")
		write(t, c, create, map[string]any{"in": map[string]any{"name": "VIP Customers"}})
		crudEqual(t, "list(id)", crudGet[crudList](t, c, "list", vipID, crudListFields), &got)
	})

	t.Run("search lists by name", func(t *testing.T) {
		d := crudDo[struct{ Lists crudIDConn }](t, c, `{ lists(filter: {search: "gol"}) { totalCount nodes { id } } }`, nil)
		crudEqual(t, "lists matching gol", d.Lists.ids(), []string{vipID})
	})

	t.Run("unknown ids", func(t *testing.T) {
		c.fails(t, update, map[string]any{"id": ids.New(ids.List), "in": map[string]any{"name": "x"}}, "NOT_FOUND", "")
		c.fails(t, del, map[string]any{"id": ids.New(ids.List)}, "NOT_FOUND", "")
		if got := crudGet[struct{ ID string }](t, c, "list", ids.New(ids.List), "id"); got != nil {
			t.Errorf("list(unknown) = %+v, want null", *got)
		}
	})

	t.Run("delete", func(t *testing.T) {
		d := crudDo[struct{ DeleteList *string }](t, c, del, map[string]any{"id": plainID})
		crudEqual(t, "deleteList", d.DeleteList, &plainID)
		if got := crudGet[struct{ ID string }](t, c, "list", plainID, "id"); got != nil {
			t.Errorf("list(id) after delete = %+v, want null", *got)
		}
		c.fails(t, del, map[string]any{"id": plainID}, "NOT_FOUND", "")
		c.fails(t, update, map[string]any{"id": plainID, "in": map[string]any{"name": "x"}}, "NOT_FOUND", "")
		// Its name can be used again.
		write(t, c, create, map[string]any{"in": map[string]any{"name": "plain"}})
	})
}

func TestCrudListMembership(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	c1 := c.newContact(t, "one@example.com")
	c2 := c.newContact(t, "two@example.com")
	c3 := c.newContact(t, "three@example.com")
	list := c.newList(t, "Newsletter")
	other := c.newList(t, "Events")

	const add = `mutation($l: ID!, $c: [ID!]!) { addContactsToList(listId: $l, contactIds: $c) { id name contactCount contacts { totalCount nodes { id } } } }`
	const remove = `mutation($l: ID!, $c: [ID!]!) { removeContactsFromList(listId: $l, contactIds: $c) { id contactCount contacts { totalCount nodes { id } } } }`
	// membership is the list that add and remove answer; Name only add asks for.
	type membership struct {
		ID           string     `json:"id"`
		Name         *string    `json:"name"`
		ContactCount *int       `json:"contactCount"`
		Contacts     crudIDConn `json:"contacts"`
	}
	members := func(t *testing.T, op, root string, vars map[string]any, want ...string) {
		t.Helper()
		l := crudDo[map[string]*membership](t, c, op, vars)[root]
		if l == nil {
			t.Fatalf("%s answered null or nothing", root)
		}
		crudEqual(t, root+".id", l.ID, vars["l"])
		crudEqual(t, root+".contactCount", l.ContactCount, crudInt(len(want)))
		crudEqual(t, root+".contacts.totalCount", l.Contacts.TotalCount, crudInt(len(want)))
		crudEqual(t, root+" members", l.Contacts.ids(), testenv.Sorted(want...))
	}
	vars := func(l string, c ...string) map[string]any {
		return map[string]any{"l": l, "c": append([]string{}, c...)}
	}

	t.Run("add, idempotent", func(t *testing.T) {
		members(t, add, "addContactsToList", vars(list, c1, c2), c1, c2)
		members(t, add, "addContactsToList", vars(list, c1, c2), c1, c2)
		members(t, add, "addContactsToList", vars(list, c2, c3, c3), c1, c2, c3)
		members(t, add, "addContactsToList", vars(other, c1), c1)
	})

	t.Run("List.contacts and Contact.lists", func(t *testing.T) {
		l := crudGet[membership](t, c, "list", list, `contactCount contacts(first: 10) { totalCount nodes { id email } }`)
		if l == nil {
			t.Fatal("the list is gone")
		}
		crudEqual(t, "contactCount", l.ContactCount, crudInt(3))
		crudEqual(t, "members", l.Contacts.ids(), testenv.Sorted(c1, c2, c3))
		type lists struct{ Lists crudIDConn }
		ct := crudGet[lists](t, c, "contact", c1, `lists { totalCount nodes { id name } }`)
		if ct == nil {
			t.Fatal("contact c1 is gone")
		}
		crudEqual(t, "c1 lists", ct.Lists.ids(), testenv.Sorted(list, other))
		crudEqual(t, "c1 lists.totalCount", ct.Lists.TotalCount, crudInt(2))
		ct = crudGet[lists](t, c, "contact", c3, `lists { totalCount nodes { id name } }`)
		if ct == nil {
			t.Fatal("contact c3 is gone")
		}
		crudEqual(t, "c3 lists", ct.Lists.ids(), []string{list})
		if len(ct.Lists.Nodes) == 1 {
			crudEqual(t, "c3 list name", ct.Lists.Nodes[0].Name, crudStr("Newsletter"))
		}
		n := c.count(t, `query($l: ID) { contacts(filter: {listId: $l}) { totalCount } }`, map[string]any{"l": list}, "contacts")
		if n != 3 {
			t.Errorf("contacts(filter: {listId}) = %d, want 3", n)
		}
	})

	t.Run("all or nothing", func(t *testing.T) {
		c4 := c.newContact(t, "four@example.com")
		unknown := ids.New(ids.Contact)
		r := c.fails(t, add, vars(list, c4, unknown), "NOT_FOUND", "contactIds")
		if !strings.Contains(r.Errors[0].Message, unknown) {
			t.Errorf("error %q does not name the unknown id %s", r.Errors[0].Message, unknown)
		}
		c.fails(t, add, vars(list, c4, "not-an-id"), "NOT_FOUND", "contactIds")
		if n := c.listCount(t, list); n != 3 {
			t.Errorf("contactCount after failed add = %d, want 3", n)
		}
		ct := crudGet[struct{ Lists crudTotal }](t, c, "contact", c4, `lists { totalCount }`)
		if ct == nil {
			t.Fatal("contact c4 is gone")
		}
		crudEqual(t, "lists of c4", ct.Lists.TotalCount, crudInt(0))
		// A contact of another workspace is as unknown as a made-up id.
		_, key2 := c.env.Tenant(t, "Elsewhere")
		foreign := testenv.Decode[struct{ CreateContact crudContact }](t,
			c.env.Query(t, key2, crudCreateContact, map[string]any{"in": map[string]any{"email": "f@example.com"}})).CreateContact.ID
		c.fails(t, add, vars(list, c4, foreign), "NOT_FOUND", "contactIds")
		if n := c.listCount(t, list); n != 3 {
			t.Errorf("contactCount after adding a foreign contact = %d, want 3", n)
		}
		// Unknown lists.
		c.fails(t, add, vars(ids.New(ids.List), c1), "NOT_FOUND", "")
		c.fails(t, remove, vars(ids.New(ids.List), c1), "NOT_FOUND", "")
	})

	t.Run("id count limits", func(t *testing.T) {
		tooMany := make([]string, 1001)
		for i := range tooMany {
			tooMany[i] = c1
		}
		c.fails(t, add, vars(list, tooMany...), "BAD_USER_INPUT", "contactIds")
		c.fails(t, remove, vars(list, tooMany...), "BAD_USER_INPUT", "contactIds")
		c.fails(t, add, vars(list), "BAD_USER_INPUT", "contactIds")
		c.fails(t, remove, vars(list), "BAD_USER_INPUT", "contactIds")
		// Exactly 1000 ids are accepted (here the same one, which is already a member).
		members(t, add, "addContactsToList", vars(list, tooMany[:1000]...), c1, c2, c3)
	})

	t.Run("remove", func(t *testing.T) {
		members(t, remove, "removeContactsFromList", vars(list, c1), c2, c3)
		members(t, remove, "removeContactsFromList", vars(list, c1), c2, c3) // not a member any more: ignored
		c.fails(t, remove, vars(list, c2, ids.New(ids.Contact)), "NOT_FOUND", "contactIds")
		if n := c.listCount(t, list); n != 2 {
			t.Errorf("contactCount after failed remove = %d, want 2", n)
		}
		// The contact itself and its other memberships stay.
		ct := crudGet[struct {
			ID    string
			Lists crudIDConn
		}](t, c, "contact", c1, `id lists { nodes { id } }`)
		if ct == nil {
			t.Fatal("contact c1 is gone")
		}
		crudEqual(t, "c1", ct.ID, c1)
		crudEqual(t, "c1 lists after removal", ct.Lists.ids(), []string{other})
	})

	t.Run("deleting a list keeps contacts and unlinks campaigns", func(t *testing.T) {
		type ref struct{ ID string }
		created := crudDo[struct {
			CreateCampaign struct {
				ID   string
				List *ref
			}
		}](t, c, `mutation($l: ID) { createCampaign(input: {name: "Promo", listId: $l}) { id list { id } } }`, map[string]any{"l": list}).CreateCampaign
		camp := created.ID
		crudEqual(t, "createCampaign.list", created.List, &ref{list})
		before := crudGet[struct{ List *ref }](t, c, "campaign", camp, `list { id }`)
		if before == nil {
			t.Fatal("the campaign is missing")
		}
		crudEqual(t, "campaign.list before", before.List, &ref{list})
		c.del(t, "deleteList", list)
		got := crudGet[struct {
			ID     string
			Status string
			List   *ref
		}](t, c, "campaign", camp, `id status list { id }`)
		if got == nil {
			t.Fatal("deleting a list deleted its campaign")
		}
		if got.List != nil {
			t.Errorf("campaign.list after deleting the list = %+v, want null", *got.List)
		}
		crudEqual(t, "campaign status", got.Status, "DRAFT")
		if n := c.contactCount(t); n != 4 {
			t.Errorf("contacts totalCount after deleting a list = %d, want 4", n)
		}
		ct := crudGet[struct{ Lists crudIDConn }](t, c, "contact", c2, `lists { totalCount nodes { id } }`)
		if ct == nil {
			t.Fatal("contact c2 is gone")
		}
		crudEqual(t, "c2 lists after list deletion", ct.Lists.TotalCount, crudInt(0))
		n := c.count(t, `query($l: ID) { campaigns(filter: {listId: $l}) { totalCount } }`, map[string]any{"l": list}, "campaigns")
		if n != 0 {
			t.Errorf("campaigns of the deleted list = %d, want 0", n)
		}
		if n := c.listCount(t, other); n != 1 {
			t.Errorf("the other list lost members: contactCount = %d, want 1", n)
		}
	})
}

// ---------------------------------------------------------------------------------------------
// campaigns

const crudCampaignFields = `id name subject body status list { id name } scheduledAt createdAt updatedAt`

// crudCampaign is a campaign asked for crudCampaignFields.
type crudCampaign struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Subject     *string      `json:"subject"`
	Body        *string      `json:"body"`
	Status      string       `json:"status"`
	List        *crudListRef `json:"list"`
	ScheduledAt *string      `json:"scheduledAt"`
	CreatedAt   string       `json:"createdAt"`
	UpdatedAt   string       `json:"updatedAt"`
}

// crudListRef is a campaign's list asked for `id name`.
type crudListRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// crudWrite runs a mutation whose one root field answers a T, and returns it.
func crudWrite[T any](t *testing.T, c *crudClient, op string, vars map[string]any) T {
	t.Helper()
	d := crudDo[map[string]*T](t, c, op, vars)
	if len(d) != 1 {
		t.Fatalf("answer has %d root fields, want 1: %v", len(d), d)
	}
	for root, v := range d {
		if v == nil {
			t.Fatalf("%s answered null", root)
		}
		return *v
	}
	panic("unreachable")
}

func TestCrudCampaigns(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	const create = `mutation($in: CreateCampaignInput!) { createCampaign(input: $in) { ` + crudCampaignFields + ` } }`
	const update = `mutation($id: ID!, $in: UpdateCampaignInput!) { updateCampaign(id: $id, input: $in) { ` + crudCampaignFields + ` } }`
	const del = `mutation($id: ID!) { deleteCampaign(id: $id) }`
	list := c.newList(t, "Audience")
	future := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Second)
	mk := func(t *testing.T, in map[string]any) crudCampaign {
		t.Helper()
		return crudWrite[crudCampaign](t, c, create, map[string]any{"in": in})
	}
	upd := func(t *testing.T, id string, in map[string]any) crudCampaign {
		t.Helper()
		return crudWrite[crudCampaign](t, c, update, map[string]any{"id": id, "in": in})
	}
	// scheduledAt reads a campaign's scheduledAt, which must be set.
	scheduledAt := func(t *testing.T, cp crudCampaign) time.Time {
		t.Helper()
		if cp.ScheduledAt == nil {
			t.Fatalf("scheduledAt of %s is null", cp.ID)
		}
		return crudTime(t, *cp.ScheduledAt, "scheduledAt")
	}

	draft := mk(t, map[string]any{"name": "Spring launch"})
	draftID := draft.ID
	if ids.Kind(draftID) != ids.Campaign {
		t.Errorf("campaign id %q is not a cmp_ id", draftID)
	}
	crudEqual(t, "status", draft.Status, "DRAFT")
	if draft.Subject != nil || draft.Body != nil || draft.List != nil || draft.ScheduledAt != nil {
		t.Errorf("subject, body, list, scheduledAt = %v, %v, %v, %v; want null", draft.Subject, draft.Body, draft.List, draft.ScheduledAt)
	}
	crudEqual(t, "campaign(id)", crudGet[crudCampaign](t, c, "campaign", draftID, crudCampaignFields), &draft)

	sched := mk(t, map[string]any{"name": "Summer", "listId": list, "subject": "Hello", "body": "<p>Hi</p>",
		"scheduledAt": future.Format(time.RFC3339)})
	schedID := sched.ID
	crudEqual(t, "status with scheduledAt", sched.Status, "SCHEDULED")
	crudEqual(t, "list", sched.List, &crudListRef{ID: list, Name: "Audience"})
	crudEqual(t, "subject", sched.Subject, crudStr("Hello"))
	crudEqual(t, "body", sched.Body, crudStr("<p>Hi</p>"))
	if at := scheduledAt(t, sched); !at.Equal(future) {
		t.Errorf("scheduledAt = %v, want %v", at, future)
	}
	crudEqual(t, "campaign(id)", crudGet[crudCampaign](t, c, "campaign", schedID, crudCampaignFields), &sched)

	t.Run("scheduledAt in another zone is stored as the same instant", func(t *testing.T) {
		got := mk(t, map[string]any{"name": "Zoned", "scheduledAt": future.In(time.FixedZone("", 5*3600+1800)).Format(time.RFC3339)})
		if at := scheduledAt(t, got); !at.Equal(future) {
			t.Errorf("scheduledAt = %v, want %v", at, future)
		}
	})

	t.Run("body size", func(t *testing.T) {
		exact := strings.Repeat("a", 102400)
		got := mk(t, map[string]any{"name": "Exactly 100 KB", "body": exact})
		if got.Body == nil || *got.Body != exact {
			t.Errorf("a 100 KB body came back as %d bytes", len(crudDeref(got.Body)))
		}
		read := crudGet[struct{ Body *string }](t, c, "campaign", got.ID, "body")
		if read == nil {
			t.Fatal("the campaign is missing")
		}
		if read.Body == nil || *read.Body != exact {
			t.Errorf("a stored 100 KB body reads back as %d bytes", len(crudDeref(read.Body)))
		}
	})

	t.Run("validation", func(t *testing.T) {
		before := c.count(t, `{ campaigns { totalCount } }`, nil, "campaigns")
		for _, tc := range []struct {
			name  string
			in    map[string]any
			code  string
			field string
		}{
			{"scheduledAt in the past", map[string]any{"name": "Past", "scheduledAt": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)}, "BAD_USER_INPUT", "input.scheduledAt"},
			{"scheduledAt long ago", map[string]any{"name": "Past", "scheduledAt": "2001-01-01T00:00:00Z"}, "BAD_USER_INPUT", "input.scheduledAt"},
			{"scheduledAt not a time", map[string]any{"name": "Bad", "scheduledAt": "tomorrow"}, "BAD_USER_INPUT", "input.scheduledAt"},
			{"body one byte over 100 KB", map[string]any{"name": "Big", "body": strings.Repeat("a", 102401)}, "BAD_USER_INPUT", "input.body"},
			{"body over 100 KB in bytes, not runes", map[string]any{"name": "Big", "body": strings.Repeat("é", 51201)}, "BAD_USER_INPUT", "input.body"},
			{"empty name", map[string]any{"name": ""}, "BAD_USER_INPUT", "input.name"},
			{"name over 255", map[string]any{"name": strings.Repeat("n", 256)}, "BAD_USER_INPUT", "input.name"},
			{"subject over 998", map[string]any{"name": "S", "subject": strings.Repeat("s", 999)}, "BAD_USER_INPUT", "input.subject"},
			{"unknown listId", map[string]any{"name": "L", "listId": ids.New(ids.List)}, "NOT_FOUND", "input.listId"},
			{"malformed listId", map[string]any{"name": "L", "listId": "nope"}, "NOT_FOUND", "input.listId"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c.fails(t, create, map[string]any{"in": tc.in}, tc.code, tc.field)
			})
		}
		after := c.count(t, `{ campaigns { totalCount } }`, nil, "campaigns")
		if after != before {
			t.Errorf("invalid creates changed campaigns totalCount from %d to %d", before, after)
		}
	})

	t.Run("update is partial", func(t *testing.T) {
		got := upd(t, draftID, map[string]any{"subject": "New subject"})
		crudEqual(t, "subject", got.Subject, crudStr("New subject"))
		crudEqual(t, "name unchanged", got.Name, "Spring launch")
		crudEqual(t, "status unchanged", got.Status, "DRAFT")
		crudEqual(t, "createdAt unchanged", got.CreatedAt, draft.CreatedAt)
		got = upd(t, draftID, map[string]any{"listId": list})
		crudEqual(t, "list", got.List, &crudListRef{ID: list, Name: "Audience"})
		got = upd(t, draftID, map[string]any{"listId": "", "subject": ""})
		if got.List != nil || got.Subject != nil {
			t.Errorf(`list and subject after "" = %v, %v; want null`, got.List, got.Subject)
		}
		c.fails(t, update, map[string]any{"id": draftID, "in": map[string]any{"status": "SCHEDULED"}}, "BAD_USER_INPUT", "input.status")
		c.fails(t, update, map[string]any{"id": draftID, "in": map[string]any{"subject": "x", "scheduledAt": "2001-01-01T00:00:00Z"}},
			"BAD_USER_INPUT", "input.scheduledAt")
		c.fails(t, update, map[string]any{"id": draftID, "in": map[string]any{"listId": ids.New(ids.List)}}, "NOT_FOUND", "input.listId")
		crudEqual(t, "campaign after rejected updates", crudGet[crudCampaign](t, c, "campaign", draftID, crudCampaignFields), &got)
		got = upd(t, draftID, map[string]any{"scheduledAt": future.Format(time.RFC3339)})
		crudEqual(t, "status after scheduling a draft", got.Status, "SCHEDULED")
	})

	t.Run("cancel", func(t *testing.T) {
		got := upd(t, schedID, map[string]any{"status": "CANCELLED"})
		crudEqual(t, "status", got.Status, "CANCELLED")
		crudEqual(t, "name unchanged", got.Name, "Summer")
		crudEqual(t, "list unchanged", got.List, &crudListRef{ID: list, Name: "Audience"})
		crudEqual(t, "campaign(id)", crudGet[struct{ Status string }](t, c, "campaign", schedID, "status"), &struct{ Status string }{"CANCELLED"})
		d := crudDo[struct{ Campaigns crudIDConn }](t, c, `{ campaigns(filter: {status: CANCELLED}) { totalCount nodes { id } } }`, nil)
		crudEqual(t, "cancelled campaigns", d.Campaigns.ids(), []string{schedID})
	})

	t.Run("a sent campaign can no longer change", func(t *testing.T) {
		sent := mk(t, map[string]any{"name": "Sent one", "subject": "Final"})
		id := sent.ID
		sent = upd(t, id, map[string]any{"status": "SENT"})
		crudEqual(t, "status", sent.Status, "SENT")
		for _, in := range []map[string]any{{"name": "Edited"}, {"status": "CANCELLED"}, {"status": "DRAFT"}, {"subject": "Oops"}} {
			c.fails(t, update, map[string]any{"id": id, "in": in}, "CONFLICT", "")
		}
		crudEqual(t, "sent campaign", crudGet[crudCampaign](t, c, "campaign", id, crudCampaignFields), &sent)
	})

	t.Run("delete", func(t *testing.T) {
		d := crudDo[struct{ DeleteCampaign *string }](t, c, del, map[string]any{"id": draftID})
		crudEqual(t, "deleteCampaign", d.DeleteCampaign, &draftID)
		if got := crudGet[struct{ ID string }](t, c, "campaign", draftID, "id"); got != nil {
			t.Errorf("campaign(id) after delete = %+v, want null", *got)
		}
		c.fails(t, del, map[string]any{"id": draftID}, "NOT_FOUND", "")
		c.fails(t, update, map[string]any{"id": draftID, "in": map[string]any{"name": "x"}}, "NOT_FOUND", "")
		c.fails(t, del, map[string]any{"id": ids.New(ids.Campaign)}, "NOT_FOUND", "")
		// The list it used is untouched.
		if got := crudGet[struct{ ID string }](t, c, "list", list, "id"); got == nil || got.ID != list {
			t.Errorf("deleting a campaign deleted its list: list(id) = %+v", got)
		}
	})
}

// ---------------------------------------------------------------------------------------------
// deals

const crudDealFields = `id title amount currency stage contact { id email } closeDate createdAt updatedAt`

// crudDeal is a deal asked for crudDealFields.
type crudDeal struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Stage    string `json:"stage"`
	Contact  *struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	} `json:"contact"`
	CloseDate *string `json:"closeDate"`
	CreatedAt string  `json:"createdAt"`
	UpdatedAt string  `json:"updatedAt"`
}

func TestCrudDeals(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	const create = `mutation($in: CreateDealInput!) { createDeal(input: $in) { ` + crudDealFields + ` } }`
	const update = `mutation($id: ID!, $in: UpdateDealInput!) { updateDeal(id: $id, input: $in) { ` + crudDealFields + ` } }`
	const del = `mutation($id: ID!) { deleteDeal(id: $id) }`
	mk := func(t *testing.T, in map[string]any) crudDeal {
		t.Helper()
		return crudWrite[crudDeal](t, c, create, map[string]any{"in": in})
	}
	upd := func(t *testing.T, id string, in map[string]any) crudDeal {
		t.Helper()
		return crudWrite[crudDeal](t, c, update, map[string]any{"id": id, "in": in})
	}
	alice := c.newContact(t, "alice@example.com")
	bob := c.newContact(t, "bob@example.com")

	plain := mk(t, map[string]any{"title": "Starter"})
	plainID := plain.ID
	if ids.Kind(plainID) != ids.Deal {
		t.Errorf("deal id %q is not a dea_ id", plainID)
	}
	crudEqual(t, "default amount", plain.Amount, int64(0))
	crudEqual(t, "default currency", plain.Currency, "USD")
	crudEqual(t, "default stage", plain.Stage, "LEAD")
	if plain.Contact != nil || plain.CloseDate != nil {
		t.Errorf("contact, closeDate = %v, %v; want null", plain.Contact, plain.CloseDate)
	}
	crudEqual(t, "deal(id)", crudGet[crudDeal](t, c, "deal", plainID, crudDealFields), &plain)

	full := mk(t, map[string]any{"title": "Enterprise", "amount": 1250000, "currency": "usd", "stage": "PROPOSAL",
		"contactId": alice, "closeDate": "2026-12-31"})
	fullID := full.ID
	crudEqual(t, "amount", full.Amount, int64(1250000))
	crudEqual(t, "currency upper-cased", full.Currency, "USD")
	crudEqual(t, "stage", full.Stage, "PROPOSAL")
	if full.Contact == nil || full.Contact.ID != alice || full.Contact.Email != "alice@example.com" {
		t.Errorf("contact = %+v, want %s alice@example.com", full.Contact, alice)
	}
	crudEqual(t, "closeDate", full.CloseDate, crudStr("2026-12-31"))
	crudEqual(t, "deal(id) round trip", crudGet[crudDeal](t, c, "deal", fullID, crudDealFields), &full)

	t.Run("currencies", func(t *testing.T) {
		for in, want := range map[string]string{"eur": "EUR", " gbp ": "GBP", "JPY": "JPY", "Chf": "CHF"} {
			got := mk(t, map[string]any{"title": "FX " + in, "currency": in})
			crudEqual(t, "currency "+in, got.Currency, want)
		}
	})

	t.Run("empty closeDate is no date", func(t *testing.T) {
		got := mk(t, map[string]any{"title": "Undated", "closeDate": ""})
		if got.CloseDate != nil {
			t.Errorf(`closeDate "" = %q, want null`, *got.CloseDate)
		}
	})

	t.Run("large amounts are exact", func(t *testing.T) {
		got := mk(t, map[string]any{"title": "Whale", "amount": 9007199254740991})
		crudEqual(t, "amount", got.Amount, int64(9007199254740991))
		type amount struct{ Amount int64 }
		crudEqual(t, "deal(id).amount", crudGet[amount](t, c, "deal", got.ID, "amount"), &amount{9007199254740991})
	})

	t.Run("validation", func(t *testing.T) {
		before := c.count(t, `{ deals { totalCount } }`, nil, "deals")
		for _, tc := range []struct {
			name  string
			in    map[string]any
			code  string
			field string
		}{
			{"negative amount", map[string]any{"title": "T", "amount": -1}, "BAD_USER_INPUT", "input.amount"},
			{"currency XXX1", map[string]any{"title": "T", "currency": "XXX1"}, "BAD_USER_INPUT", "input.currency"},
			{"currency ABC", map[string]any{"title": "T", "currency": "ABC"}, "BAD_USER_INPUT", "input.currency"},
			{"currency empty", map[string]any{"title": "T", "currency": ""}, "BAD_USER_INPUT", "input.currency"},
			{"currency symbol", map[string]any{"title": "T", "currency": "$"}, "BAD_USER_INPUT", "input.currency"},
			{"closeDate month 13", map[string]any{"title": "T", "closeDate": "2026-13-01"}, "BAD_USER_INPUT", "input.closeDate"},
			{"closeDate February 30", map[string]any{"title": "T", "closeDate": "2026-02-30"}, "BAD_USER_INPUT", "input.closeDate"},
			{"closeDate day first", map[string]any{"title": "T", "closeDate": "31/12/2026"}, "BAD_USER_INPUT", "input.closeDate"},
			{"closeDate with a time", map[string]any{"title": "T", "closeDate": "2026-12-31T00:00:00Z"}, "BAD_USER_INPUT", "input.closeDate"},
			{"closeDate words", map[string]any{"title": "T", "closeDate": "next week"}, "BAD_USER_INPUT", "input.closeDate"},
			{"empty title", map[string]any{"title": " "}, "BAD_USER_INPUT", "input.title"},
			{"title over 255", map[string]any{"title": strings.Repeat("t", 256)}, "BAD_USER_INPUT", "input.title"},
			{"unknown contactId", map[string]any{"title": "T", "contactId": ids.New(ids.Contact)}, "NOT_FOUND", "input.contactId"},
			{"malformed contactId", map[string]any{"title": "T", "contactId": "nope"}, "NOT_FOUND", "input.contactId"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c.fails(t, create, map[string]any{"in": tc.in}, tc.code, tc.field)
			})
		}
		after := c.count(t, `{ deals { totalCount } }`, nil, "deals")
		if after != before {
			t.Errorf("invalid creates changed deals totalCount from %d to %d", before, after)
		}
	})

	t.Run("update is partial", func(t *testing.T) {
		got := upd(t, fullID, map[string]any{"stage": "WON"})
		want := full
		want.Stage, want.UpdatedAt = "WON", got.UpdatedAt // only the stage changes (and updatedAt)
		crudEqual(t, "updateDeal(stage)", got, want)
		got = upd(t, fullID, map[string]any{"contactId": bob, "closeDate": "2027-01-15", "amount": 5, "currency": "eur"})
		if got.Contact == nil || got.Contact.ID != bob {
			t.Errorf("contact = %+v, want %s", got.Contact, bob)
		}
		crudEqual(t, "closeDate", got.CloseDate, crudStr("2027-01-15"))
		crudEqual(t, "amount", got.Amount, int64(5))
		crudEqual(t, "currency", got.Currency, "EUR")
		crudEqual(t, "stage unchanged", got.Stage, "WON")
		for _, tc := range []struct {
			in    map[string]any
			code  string
			field string
		}{
			{map[string]any{"title": "Changed", "amount": -5}, "BAD_USER_INPUT", "input.amount"},
			{map[string]any{"title": "Changed", "currency": "ABC"}, "BAD_USER_INPUT", "input.currency"},
			{map[string]any{"title": "Changed", "closeDate": "2027-02-29"}, "BAD_USER_INPUT", "input.closeDate"},
			{map[string]any{"title": "Changed", "contactId": ids.New(ids.Contact)}, "NOT_FOUND", "input.contactId"},
			{map[string]any{"title": ""}, "BAD_USER_INPUT", "input.title"},
		} {
			c.fails(t, update, map[string]any{"id": fullID, "in": tc.in}, tc.code, tc.field)
		}
		crudEqual(t, "deal after rejected updates", crudGet[crudDeal](t, c, "deal", fullID, crudDealFields), &got)
		c.fails(t, update, map[string]any{"id": ids.New(ids.Deal), "in": map[string]any{"title": "x"}}, "NOT_FOUND", "")
	})

	t.Run("filters and Contact.deals", func(t *testing.T) {
		// Now: fullID is WON with bob; plain is LEAD without contact; the currency and whale
		// deals are LEAD without contact.
		a1 := mk(t, map[string]any{"title": "A1", "contactId": alice, "stage": "QUALIFIED"}).ID
		a2 := mk(t, map[string]any{"title": "A2", "contactId": alice, "stage": "WON"}).ID
		for _, tc := range []struct {
			filter map[string]any
			want   []string
		}{
			{map[string]any{"stage": "WON"}, []string{fullID, a2}},
			{map[string]any{"stage": "QUALIFIED"}, []string{a1}},
			{map[string]any{"stage": "NEGOTIATION"}, []string{}},
			{map[string]any{"contactId": alice}, []string{a1, a2}},
			{map[string]any{"contactId": bob}, []string{fullID}},
			{map[string]any{"contactId": alice, "stage": "WON"}, []string{a2}},
			{map[string]any{"contactId": ids.New(ids.Contact)}, []string{}},
		} {
			d := crudDo[struct{ Deals crudIDConn }](t, c, `query($f: DealFilter) { deals(filter: $f) { totalCount nodes { id } } }`,
				map[string]any{"f": tc.filter})
			crudEqual(t, fmt.Sprintf("deals(filter: %v)", tc.filter), d.Deals.ids(), testenv.Sorted(tc.want...))
			crudEqual(t, fmt.Sprintf("deals(filter: %v).totalCount", tc.filter), d.Deals.TotalCount, crudInt(len(tc.want)))
		}
		type ref struct{ ID string }
		ct := crudGet[struct {
			Deals struct {
				TotalCount *int
				Nodes      []struct {
					ID, Title, Stage string
					Contact          *ref
				}
			}
		}](t, c, "contact", alice, `deals { totalCount nodes { id title stage contact { id } } }`)
		if ct == nil {
			t.Fatal("alice is gone")
		}
		var aliceDeals []string
		for _, n := range ct.Deals.Nodes {
			aliceDeals = append(aliceDeals, n.ID)
		}
		crudEqual(t, "alice's deals", testenv.Sorted(aliceDeals...), testenv.Sorted(a1, a2))
		crudEqual(t, "alice's deals totalCount", ct.Deals.TotalCount, crudInt(2))
		for _, n := range ct.Deals.Nodes {
			crudEqual(t, "deal.contact inside Contact.deals", n.Contact, &ref{alice})
		}
		type perContact struct {
			Email string
			Deals crudTotal
		}
		d := crudDo[struct{ Contacts struct{ Nodes []perContact } }](t, c,
			`{ contacts(orderBy: {field: EMAIL, direction: ASC}) { nodes { email deals { totalCount } } } }`, nil)
		crudEqual(t, "deals per contact", d.Contacts.Nodes, []perContact{
			{"alice@example.com", crudTotal{crudInt(2)}},
			{"bob@example.com", crudTotal{crudInt(1)}},
		})
	})

	t.Run("unlink contact and delete", func(t *testing.T) {
		got := upd(t, fullID, map[string]any{"contactId": "", "closeDate": ""})
		if got.Contact != nil {
			t.Errorf("contact after unlinking = %+v, want null", *got.Contact)
		}
		if got.CloseDate != nil {
			t.Errorf("closeDate after clearing = %q, want null", *got.CloseDate)
		}
		d := crudDo[struct{ DeleteDeal *string }](t, c, del, map[string]any{"id": fullID})
		crudEqual(t, "deleteDeal", d.DeleteDeal, &fullID)
		if got := crudGet[struct{ ID string }](t, c, "deal", fullID, "id"); got != nil {
			t.Errorf("deal(id) after delete = %+v, want null", *got)
		}
		c.fails(t, del, map[string]any{"id": fullID}, "NOT_FOUND", "")
		c.fails(t, del, map[string]any{"id": "dea_nope"}, "NOT_FOUND", "")
		type withDeals struct {
			ID    string
			Deals crudTotal
		}
		got2 := crudGet[withDeals](t, c, "contact", bob, "id deals { totalCount }")
		crudEqual(t, "bob after deleting his deal", got2, &withDeals{bob, crudTotal{crudInt(0)}})
	})
}

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

// ---------------------------------------------------------------------------------------------
// node(id)

func TestCrudNode(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	p := crudLoadProspects(t, c.env)
	contact := c.newContact(t, "node@example.com")
	list := c.newList(t, "Node list")
	campaign := crudDo[struct{ CreateCampaign struct{ ID string } }](t, c, `mutation { createCampaign(input: {name: "Node campaign"}) { id } }`, nil).CreateCampaign.ID
	deal := crudDo[struct{ CreateDeal struct{ ID string } }](t, c, `mutation { createDeal(input: {title: "Node deal"}) { id } }`, nil).CreateDeal.ID

	const q = `query($id: ID!) { node(id: $id) { __typename id
		... on Contact { email }
		... on List { name }
		... on Campaign { name status }
		... on Deal { title }
		... on Prospect { fullName }
	} }`
	// node is every type's fields at once: a field another type's fragment asks for must be
	// absent, which decodes as nil.
	type node struct {
		Typename string  `json:"__typename"`
		ID       string  `json:"id"`
		Email    *string `json:"email"`
		Name     *string `json:"name"`
		Status   *string `json:"status"`
		Title    *string `json:"title"`
		FullName *string `json:"fullName"`
	}
	for _, tc := range []node{
		{Typename: "Contact", ID: contact, Email: crudStr("node@example.com")},
		{Typename: "List", ID: list, Name: crudStr("Node list")},
		{Typename: "Campaign", ID: campaign, Name: crudStr("Node campaign"), Status: crudStr("DRAFT")},
		{Typename: "Deal", ID: deal, Title: crudStr("Node deal")},
		{Typename: "Prospect", ID: p["Ada"], FullName: crudStr("Ada Lovelace")},
	} {
		t.Run(tc.Typename, func(t *testing.T) {
			d := crudDo[struct{ Node *node }](t, c, q, map[string]any{"id": tc.ID})
			crudEqual(t, "node", d.Node, &tc)
		})
	}
	// nodeOf asks for node(id) with key and returns it; the answer must hold node, null or not.
	nodeOf := func(t *testing.T, key, id string) *node {
		t.Helper()
		d := testenv.Decode[map[string]*node](t, c.env.Query(t, key, q, map[string]any{"id": id}))
		v, present := d["node"]
		if !present {
			t.Fatalf("node(%q) is missing from the answer", id)
		}
		return v
	}

	wsID := c.ws.ID
	nulls := []string{
		ids.New(ids.Contact), ids.New(ids.List), ids.New(ids.Campaign), ids.New(ids.Deal), ids.New(ids.Prospect),
		"", "nope", "ctc_", "ctc_123", "ctc_ZZZZZZZZZZZZZZZZZZZZZZZZZZ", "xyz_" + strings.TrimPrefix(contact, "ctc_"),
		strings.ToLower(contact), " " + contact, wsID, "'; DROP TABLE contacts;--",
	}
	for _, id := range nulls {
		t.Run(fmt.Sprintf("null for %q", id), func(t *testing.T) {
			if v := nodeOf(t, c.key, id); v != nil {
				t.Errorf("node(%q) = %+v, want null", id, *v)
			}
		})
	}

	t.Run("deleted objects are null", func(t *testing.T) {
		c.del(t, "deleteContact", contact)
		c.del(t, "deleteDeal", deal)
		for _, id := range []string{contact, deal} {
			if v := nodeOf(t, c.key, id); v != nil {
				t.Errorf("node(%q) after delete = %+v, want null", id, *v)
			}
		}
	})

	t.Run("another workspace's objects are null", func(t *testing.T) {
		_, key2 := c.env.Tenant(t, "Snoop")
		for _, id := range []string{list, campaign} {
			if v := nodeOf(t, key2, id); v != nil {
				t.Errorf("node(%q) from another workspace = %+v, want null", id, *v)
			}
		}
		// The shared catalog is visible to everyone.
		v := nodeOf(t, key2, p["Grace"])
		if v == nil {
			t.Fatal("prospect from another workspace is null")
		}
		crudEqual(t, "prospect from another workspace", v.Typename, "Prospect")
	})
}
