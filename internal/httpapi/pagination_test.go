package httpapi_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// Keyset pagination through the HTTP handler: every connection is walked forwards
// (first/after) and backwards (last/before) in pages of pgPageSize, and the concatenation must
// be exactly the order the test computes on its own from the data it created.

const pgPageSize = 7

// pgClient sends operations for one workspace. It switches to a fresh key every pgKeyBudget
// calls so that the walks below stay clear of the ORG plan's per-key minute limit.
type pgClient struct {
	env   *testenv.Env
	ws    *models.Workspace
	key   string
	calls int
}

const pgKeyBudget = 100

func pgNewClient(t *testing.T, env *testenv.Env, name string) *pgClient {
	t.Helper()
	ws, key := env.Tenant(t, name)
	return &pgClient{env: env, ws: ws, key: key}
}

func (c *pgClient) query(t *testing.T, query string, vars map[string]any) *testenv.Response {
	t.Helper()
	if c.calls++; c.calls%pgKeyBudget == 0 {
		c.key = c.env.Key(t, c.ws, "read", "write")
	}
	return c.env.Query(t, c.key, query, vars)
}

func (c *pgClient) data(t *testing.T, query string, vars map[string]any) pgAnswer {
	t.Helper()
	return testenv.Decode[pgAnswer](t, c.query(t, query, vars))
}

// pgAnswer is every answer the pagination tests read; each declares only what it selects.
type pgAnswer struct {
	Conn, Contacts, Lists, Prospects *pgConn
	Contact                          *struct{ Lists *pgConn }
	List                             *pgRecord
	CreateContact, UpdateContact     *pgRecord
	CreateList, AddContactsToList    *pgRecord
}

// pgConn is a connection as the tests below select it: any of totalCount, edges, nodes and
// pageInfo.
type pgConn struct {
	TotalCount *int
	Edges      []struct {
		Cursor string
		Node   struct{ ID string }
	}
	Nodes    []pgNode
	PageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
}

// pgNode is a node of a connection: its id, and for some its email or a nested page.
type pgNode struct {
	ID, Email string
	Lists     *pgConn
}

// pgRecord is what a mutation (or list(id:)) below selects of its record.
type pgRecord struct {
	ID, Email, LastName, UpdatedAt string
	Company                        *string
	Tags                           []string
	ContactCount                   *int
	Contacts                       *pgConn
}

// pgID is the id of the record the mutation wrote; it fails the test when there is none.
func pgID(t *testing.T, r *pgRecord) string {
	t.Helper()
	if r == nil || r.ID == "" {
		t.Fatal("the mutation answered no id")
	}
	return r.ID
}

// pgPage is one decoded page of a connection.
type pgPage struct {
	IDs       []string
	Cursors   []string
	HasNext   bool
	HasPrev   bool
	Start     *string
	End       *string
	Total     int
	HasTotal  bool
	RawLength int
}

// pgDecodePage decodes a connection selected as
// { totalCount edges { cursor node { id } } nodes { id } pageInfo { … } } and checks that its
// parts agree with each other.
func pgDecodePage(t *testing.T, conn *pgConn) pgPage {
	t.Helper()
	if conn == nil {
		t.Fatal("connection is null or missing")
	}
	var p pgPage
	edges, nodes := conn.Edges, conn.Nodes
	if edges == nil || nodes == nil {
		t.Fatalf("connection without edges or nodes: %+v", conn)
	}
	if len(edges) != len(nodes) {
		t.Fatalf("%d edges but %d nodes", len(edges), len(nodes))
	}
	for i, e := range edges {
		id, cur := e.Node.ID, e.Cursor
		if id == "" || cur == "" {
			t.Fatalf("edge %d without node id or cursor: %+v", i, e)
		}
		if nid := nodes[i].ID; nid != id {
			t.Fatalf("nodes[%d].id = %q but edges[%d].node.id = %q", i, nid, i, id)
		}
		p.IDs = append(p.IDs, id)
		p.Cursors = append(p.Cursors, cur)
	}
	p.RawLength = len(edges)
	p.HasNext, p.HasPrev = conn.PageInfo.HasNextPage, conn.PageInfo.HasPreviousPage
	p.Start, p.End = conn.PageInfo.StartCursor, conn.PageInfo.EndCursor
	if conn.TotalCount != nil {
		p.Total, p.HasTotal = *conn.TotalCount, true
	}
	if len(p.IDs) == 0 {
		if p.Start != nil || p.End != nil {
			t.Fatalf("empty page with startCursor %v / endCursor %v; want both null", pgStr(p.Start), pgStr(p.End))
		}
	} else {
		if p.Start == nil || *p.Start != p.Cursors[0] {
			t.Fatalf("startCursor %s is not the first edge's cursor %q", pgStr(p.Start), p.Cursors[0])
		}
		if p.End == nil || *p.End != p.Cursors[len(p.Cursors)-1] {
			t.Fatalf("endCursor %s is not the last edge's cursor %q", pgStr(p.End), p.Cursors[len(p.Cursors)-1])
		}
	}
	return p
}

func pgInt(n *int) string {
	if n == nil {
		return "null"
	}
	return fmt.Sprint(*n)
}

func pgStr(s *string) string {
	if s == nil {
		return "null"
	}
	return fmt.Sprintf("%q", *s)
}

// pgFetch reads one page; args holds any of first, after, last, before.
type pgFetch func(t *testing.T, args map[string]any) pgPage

// pgConnQuery is the operation for a root connection with the Relay arguments plus extra
// declared variables (decls, e.g. ", $filter: DealFilter") passed on as args.
func pgConnQuery(field, decls, args string) string {
	return fmt.Sprintf(`query($first: Int, $after: String, $last: Int, $before: String%s) {
  conn: %s(first: $first, after: $after, last: $last, before: $before%s) {
    totalCount
    edges { cursor node { id } }
    nodes { id }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`, decls, field, args)
}

// pgRootFetch pages a root connection with fixed extra variables (filter, orderBy).
func pgRootFetch(c *pgClient, query string, extra map[string]any) pgFetch {
	return func(t *testing.T, args map[string]any) pgPage {
		t.Helper()
		vars := map[string]any{}
		for k, v := range extra {
			vars[k] = v
		}
		for k, v := range args {
			vars[k] = v
		}
		return pgDecodePage(t, c.data(t, query, vars).Conn)
	}
}

func pgSameIDs(t *testing.T, what string, got, want []string) {
	t.Helper()
	seen := map[string]int{}
	for i, id := range got {
		if j, dup := seen[id]; dup {
			t.Errorf("%s: %s appears at %d and %d", what, id, j, i)
		}
		seen[id] = i
	}
	if len(got) != len(want) {
		t.Errorf("%s: got %d items, want %d\n got: %v\nwant: %v", what, len(got), len(want), got, want)
		return
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%s: first difference at %d: got %s, want %s\n got: %v\nwant: %v", what, i, got[i], want[i], got, want)
			return
		}
	}
}

func pgCheckTotal(t *testing.T, what string, p pgPage, want int) {
	t.Helper()
	if !p.HasTotal || p.Total != want {
		t.Errorf("%s: totalCount = %d (present %v), want %d", what, p.Total, p.HasTotal, want)
	}
}

// pgWalkForward reads every page with first/after and checks pageInfo on each.
func pgWalkForward(t *testing.T, fetch pgFetch, size int, want []string, total bool) {
	t.Helper()
	var got []string
	var after *string
	for i := 0; ; i++ {
		if i > len(want)+2 {
			t.Fatalf("forward walk does not end after %d pages", i)
		}
		args := map[string]any{"first": size}
		if after != nil {
			args["after"] = *after
		}
		p := fetch(t, args)
		what := fmt.Sprintf("forward page %d", i)
		if total {
			pgCheckTotal(t, what, p, len(want))
		}
		if len(p.IDs) > size {
			t.Fatalf("%s: %d items, more than first: %d", what, len(p.IDs), size)
		}
		if p.HasPrev != (i > 0) {
			t.Errorf("%s: hasPreviousPage = %v, want %v", what, p.HasPrev, i > 0)
		}
		got = append(got, p.IDs...)
		if !p.HasNext {
			if len(got) != len(want) {
				t.Errorf("%s: hasNextPage = false after %d of %d items", what, len(got), len(want))
			}
			break
		}
		if len(p.IDs) != size {
			t.Errorf("%s: hasNextPage = true on a short page of %d", what, len(p.IDs))
		}
		if p.End == nil {
			t.Fatalf("%s: hasNextPage = true but endCursor is null", what)
		}
		after = p.End
	}
	pgSameIDs(t, "forward walk", got, want)

	// Past the end: nothing more, and no way forward.
	if len(want) > 0 {
		p := fetch(t, map[string]any{"first": size, "after": pgLastCursor(t, fetch, want)})
		if len(p.IDs) != 0 || p.HasNext || !p.HasPrev {
			t.Errorf("after the last item: got %v hasNextPage=%v hasPreviousPage=%v; want no items, false, true", p.IDs, p.HasNext, p.HasPrev)
		}
	}
}

// pgLastCursor returns the cursor of the last item of the whole connection.
func pgLastCursor(t *testing.T, fetch pgFetch, want []string) string {
	t.Helper()
	p := fetch(t, map[string]any{"first": models.MaxPageSize})
	if len(p.IDs) != len(want) || p.IDs[len(p.IDs)-1] != want[len(want)-1] {
		t.Fatalf("first: %d does not return the whole connection: %v", models.MaxPageSize, p.IDs)
	}
	return p.Cursors[len(p.Cursors)-1]
}

// pgWalkBackward reads every page with last/before, from the end to the start.
func pgWalkBackward(t *testing.T, fetch pgFetch, size int, want []string) {
	t.Helper()
	var pages [][]string
	var before *string
	var firstCursor string
	for i := 0; ; i++ {
		if i > len(want)+2 {
			t.Fatalf("backward walk does not end after %d pages", i)
		}
		args := map[string]any{"last": size}
		if before != nil {
			args["before"] = *before
		}
		p := fetch(t, args)
		what := fmt.Sprintf("backward page %d", i)
		pgCheckTotal(t, what, p, len(want))
		if len(p.IDs) > size {
			t.Fatalf("%s: %d items, more than last: %d", what, len(p.IDs), size)
		}
		if p.HasNext != (i > 0) {
			t.Errorf("%s: hasNextPage = %v, want %v", what, p.HasNext, i > 0)
		}
		pages = append(pages, p.IDs)
		if len(p.Cursors) > 0 {
			firstCursor = p.Cursors[0]
		}
		if !p.HasPrev {
			break
		}
		if len(p.IDs) != size {
			t.Errorf("%s: hasPreviousPage = true on a short page of %d", what, len(p.IDs))
		}
		if p.Start == nil {
			t.Fatalf("%s: hasPreviousPage = true but startCursor is null", what)
		}
		before = p.Start
	}
	var got []string
	for i := len(pages) - 1; i >= 0; i-- {
		got = append(got, pages[i]...)
	}
	pgSameIDs(t, "backward walk", got, want)

	// Before the start: nothing more, and no way back.
	if len(want) > 0 {
		p := fetch(t, map[string]any{"last": size, "before": firstCursor})
		if len(p.IDs) != 0 || p.HasPrev || !p.HasNext {
			t.Errorf("before the first item: got %v hasNextPage=%v hasPreviousPage=%v; want no items, true, false", p.IDs, p.HasNext, p.HasPrev)
		}
	}
}

// pgCheckConnection checks one connection with one set of extra arguments against want: the
// whole of it in one page of 100, then walked both ways in pages of pgPageSize.
func pgCheckConnection(t *testing.T, fetch pgFetch, want []string) {
	t.Helper()
	p := fetch(t, map[string]any{"first": models.MaxPageSize})
	pgCheckTotal(t, "first: 100", p, len(want))
	pgSameIDs(t, "first: 100", p.IDs, want)
	if p.HasNext || p.HasPrev {
		t.Errorf("first: 100 on %d items: hasNextPage=%v hasPreviousPage=%v, want false, false", len(want), p.HasNext, p.HasPrev)
	}
	pgWalkForward(t, fetch, pgPageSize, want, true)
	pgWalkBackward(t, fetch, pgPageSize, want)
}

// pgWantError checks that r failed with BAD_USER_INPUT about field ("" accepts any field).
func pgWantError(t *testing.T, r *testenv.Response, code, field string) {
	t.Helper()
	if r.Status != 200 || len(r.Errors) == 0 {
		t.Fatalf("want a %s error, got status %d: %s", code, r.Status, r.Raw)
	}
	if r.Code() != code {
		t.Fatalf("code = %q, want %q: %s", r.Code(), code, r.Raw)
	}
	got, _ := r.Errors[0].Extensions["field"].(string)
	if field != "" && got != field {
		t.Errorf("extensions.field = %q, want %q: %s", got, field, r.Raw)
	}
	if field == "" && got == "" {
		t.Errorf("extensions.field is missing: %s", r.Raw)
	}
}

// ---- contacts ----

// ---- lists, deals, campaigns, prospects ----

// pgIDs runs a mutation n times and returns the ids it created, in order.
func pgCreate(t *testing.T, c *pgClient, n int, mutation, field string, input func(i int) map[string]any) []string {
	t.Helper()
	ids := make([]string, n)
	for i := range ids {
		d := testenv.Decode[map[string]pgRecord](t, c.query(t, mutation, map[string]any{"in": input(i)}))
		if ids[i] = d[field].ID; ids[i] == "" {
			t.Fatalf("%s %d: no id", field, i)
		}
	}
	return ids
}

// pgSelect returns the ids whose index matches, in index order.
func pgSelect(ids []string, match func(i int) bool) []string {
	var out []string
	for i, id := range ids {
		if match(i) {
			out = append(out, id)
		}
	}
	return out
}

type pgCase struct {
	name   string
	filter map[string]any
	want   []string
}

func pgRunCases(t *testing.T, c *pgClient, query string, cases []pgCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			extra := map[string]any{}
			if tc.filter != nil {
				extra["filter"] = tc.filter
			}
			pgCheckConnection(t, pgRootFetch(c, query, extra), tc.want)
		})
	}
}

func TestPaginationProspects(t *testing.T) {
	env := testenv.New(t)
	c := pgNewClient(t, env, "Prospects")
	companies := []string{"Acme", "Globex", "Initech"}
	var records []store.ProspectRecord
	for i := 0; i < 25; i++ {
		records = append(records, store.ProspectRecord{
			FullName: fmt.Sprintf("Prospect %02d", i), Email: fmt.Sprintf("p%02d@%s.example", i, strings.ToLower(companies[i%3])),
			Title: []string{"CEO", "CTO", "Buyer", "Engineer"}[i%4], Company: companies[i%3], Industry: "Software", Location: "Berlin",
		})
	}
	if n, err := env.Store.UpsertProspects(context.Background(), records); err != nil || n != len(records) {
		t.Fatalf("UpsertProspects = %d, %v", n, err)
	}
	// The catalog is read oldest first; ids are time-ordered, so that is the load order.
	d := c.data(t, `{ prospects(first: 100) { nodes { id email } } }`, nil)
	if d.Prospects == nil {
		t.Fatal("prospects is null")
	}
	nodes := d.Prospects.Nodes
	if len(nodes) != len(records) {
		t.Fatalf("%d prospects, want %d", len(nodes), len(records))
	}
	ids := make([]string, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID
		if got, want := n.Email, records[i].Email; got != want {
			t.Fatalf("prospect %d: %s, want %s (load order)", i, got, want)
		}
		if i > 0 && ids[i] <= ids[i-1] {
			t.Fatalf("prospect ids not ascending: %s after %s", ids[i], ids[i-1])
		}
	}
	query := pgConnQuery("prospects", ", $filter: ProspectFilter", ", filter: $filter")
	pgRunCases(t, c, query, []pgCase{
		{"none", nil, ids},
		{"company", map[string]any{"company": "ACME"}, pgSelect(ids, func(i int) bool { return i%3 == 0 })},
		{"title", map[string]any{"title": "cto"}, pgSelect(ids, func(i int) bool { return i%4 == 1 })},
		{"search", map[string]any{"search": "globex"}, pgSelect(ids, func(i int) bool { return i%3 == 1 })},
		{"company and title", map[string]any{"company": "Initech", "title": "Buyer"}, pgSelect(ids, func(i int) bool { return i%3 == 2 && i%4 == 2 })},
	})
}

// ---- nested connections ----

func TestPaginationNested(t *testing.T) {
	env := testenv.New(t)
	c := pgNewClient(t, env, "Nested")
	lists := pgCreate(t, c, 5, `mutation($in: CreateListInput!) { createList(input: $in) { id } }`, "createList",
		func(i int) map[string]any { return map[string]any{"name": fmt.Sprintf("List %d", i)} })
	contacts := pgCreate(t, c, 7, `mutation($in: CreateContactInput!) { createContact(input: $in) { id } }`, "createContact",
		func(i int) map[string]any { return map[string]any{"email": fmt.Sprintf("member%d@example.com", i)} })
	const add = `mutation($l: ID!, $c: [ID!]!) { addContactsToList(listId: $l, contactIds: $c) { id } }`
	// contacts[0] joins every list, newest list first, so that "oldest first" is not the order
	// of joining; every contact joins lists[0], in creation order.
	for i := len(lists) - 1; i >= 1; i-- {
		c.data(t, add, map[string]any{"l": lists[i], "c": []string{contacts[0]}})
	}
	c.data(t, add, map[string]any{"l": lists[0], "c": contacts})
	// Another list with other members must not leak into either page.
	other := pgID(t, c.data(t, `mutation { createList(input: {name: "Other"}) { id } }`, nil).CreateList)
	extra := pgID(t, c.data(t, `mutation { createContact(input: {email: "other@example.com"}) { id } }`, nil).CreateContact)
	c.data(t, add, map[string]any{"l": other, "c": []string{extra, contacts[3]}})

	const pageSel = `totalCount edges { cursor node { id } } nodes { id } pageInfo { hasNextPage hasPreviousPage startCursor endCursor }`
	nested := func(query, parent, field, id string) pgFetch {
		return func(t *testing.T, args map[string]any) pgPage {
			t.Helper()
			vars := map[string]any{"id": id, "first": args["first"]}
			if a, ok := args["after"]; ok {
				vars["after"] = a
			}
			d := c.data(t, query, vars)
			var conn *pgConn
			switch {
			case parent == "contact" && field == "lists" && d.Contact != nil:
				conn = d.Contact.Lists
			case parent == "list" && field == "contacts" && d.List != nil:
				conn = d.List.Contacts
			}
			return pgDecodePage(t, conn)
		}
	}

	t.Run("Contact.lists", func(t *testing.T) {
		q := `query($id: ID!, $first: Int, $after: String) { contact(id: $id) { lists(first: $first, after: $after) { ` + pageSel + ` } } }`
		fetch := nested(q, "contact", "lists", contacts[0])
		pgWalkForward(t, fetch, 2, lists, true)
		pgWalkForward(t, nested(q, "contact", "lists", contacts[3]), 2, []string{lists[0], other}, true)
		pgWalkForward(t, nested(q, "contact", "lists", extra), 2, []string{other}, true)
	})

	t.Run("List.contacts", func(t *testing.T) {
		q := `query($id: ID!, $first: Int, $after: String) { list(id: $id) { contactCount contacts(first: $first, after: $after) { ` + pageSel + ` } } }`
		pgWalkForward(t, nested(q, "list", "contacts", lists[0]), 2, contacts, true)
		pgWalkForward(t, nested(q, "list", "contacts", lists[4]), 2, contacts[:1], true)
		d := c.data(t, q, map[string]any{"id": lists[0], "first": 0})
		if d.List == nil {
			t.Fatal("list is null")
		}
		if n := d.List.ContactCount; n == nil || *n != len(contacts) {
			t.Errorf("contactCount = %v, want %d", pgInt(n), len(contacts))
		}
		p := pgDecodePage(t, d.List.Contacts)
		if len(p.IDs) != 0 {
			t.Errorf("contacts(first: 0) = %v, want none", p.IDs)
		}
		pgCheckTotal(t, "contacts(first: 0)", p, len(contacts))
	})

	t.Run("batched under a page of parents", func(t *testing.T) {
		// Every parent of one page gets its own window of two, in one request.
		d := c.data(t, `{ contacts(first: 100, orderBy: {field: CREATED_AT, direction: ASC}) { nodes { id lists(first: 2) { `+pageSel+` } } } }`, nil)
		if d.Contacts == nil {
			t.Fatal("contacts is null")
		}
		nodes := d.Contacts.Nodes
		want := map[string][]string{contacts[0]: lists[:2], contacts[3]: {lists[0], other}, extra: {other}}
		total := map[string]int{contacts[0]: 5, contacts[3]: 2, extra: 1}
		for _, n := range nodes {
			id := n.ID
			p := pgDecodePage(t, n.Lists)
			w, ok := want[id]
			if !ok {
				w, total[id] = lists[:1], 1
			}
			pgSameIDs(t, "lists of "+id, p.IDs, w)
			pgCheckTotal(t, "lists of "+id, p, total[id])
			if p.HasNext != (total[id] > 2) || p.HasPrev {
				t.Errorf("lists of %s: hasNextPage=%v hasPreviousPage=%v", id, p.HasNext, p.HasPrev)
			}
		}
		if len(nodes) != len(contacts)+1 {
			t.Errorf("%d contacts, want %d", len(nodes), len(contacts)+1)
		}
	})

	t.Run("errors", func(t *testing.T) {
		for _, tc := range []struct {
			name, query, field string
		}{
			{"lists first over 100", `query($id: ID!) { contact(id: $id) { lists(first: 101) { totalCount } } }`, "first"},
			{"lists first negative", `query($id: ID!) { contact(id: $id) { lists(first: -1) { totalCount } } }`, "first"},
			{"lists garbage after", `query($id: ID!) { contact(id: $id) { lists(first: 2, after: "garbage") { totalCount } } }`, "after"},
			{"deals first over 100", `query($id: ID!) { contact(id: $id) { deals(first: 101) { totalCount } } }`, "first"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				pgWantError(t, c.query(t, tc.query, map[string]any{"id": contacts[0]}), "BAD_USER_INPUT", tc.field)
			})
		}
		r := c.query(t, `query($id: ID!) { list(id: $id) { contacts(first: 101) { totalCount } } }`, map[string]any{"id": lists[0]})
		pgWantError(t, r, "BAD_USER_INPUT", "first")
	})
}

func TestPaginationCursorBelongsToItsConnection(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Cursors")
	for _, m := range []string{
		`mutation { createList(input: {name: "L1"}) { id } }`,
		`mutation { createList(input: {name: "L2"}) { id } }`,
		`mutation { createContact(input: {email: "c1@example.com"}) { id } }`,
	} {
		env.Query(t, key, m, nil).MustData(t)
	}
	listCursor := pgEndCursor(t, env, key, "lists")
	tests := []struct{ name, query string }{
		{"lists cursor on contacts", `query($c: String) { contacts(first: 1, after: $c) { totalCount } }`},
		{"lists cursor on deals", `query($c: String) { deals(first: 1, after: $c) { totalCount } }`},
		{"lists cursor on nested lists", `query($c: String) { contacts { nodes { lists(first: 1, after: $c) { totalCount } } } }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.Query(t, key, tt.query, map[string]any{"c": listCursor})
			if r.Code() != "BAD_USER_INPUT" || r.Errors[0].Extensions["field"] != "after" {
				t.Fatalf("want BAD_USER_INPUT on after, got %s", r.Raw)
			}
		})
	}
}

// pgEndCursor is the endCursor of the first page of one of field (contacts or lists).
func pgEndCursor(t *testing.T, env *testenv.Env, key, field string) string {
	t.Helper()
	r := env.Query(t, key, `{ `+field+`(first: 1) { pageInfo { endCursor } } }`, nil)
	d := testenv.Decode[pgAnswer](t, r)
	conn := map[string]*pgConn{"contacts": d.Contacts, "lists": d.Lists}[field]
	if conn == nil || conn.PageInfo.EndCursor == nil || *conn.PageInfo.EndCursor == "" {
		t.Fatalf("no %s endCursor: %s", field, r.Raw)
	}
	return *conn.PageInfo.EndCursor
}
