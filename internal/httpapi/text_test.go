package httpapi_test

import (
	"testing"

	"github.com/wbk/crm/internal/testenv"
)

// TestNULInTextArgumentsIsBadUserInput covers issue 7 finding 3: a NUL byte in any string
// argument or cursor, as a variable or written in the document, is BAD_USER_INPUT naming the
// argument, on SQLite and PostgreSQL alike (PostgreSQL answered INTERNAL_SERVER_ERROR, 22021).
func TestNULInTextArgumentsIsBadUserInput(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Text")
	const nul = "a\x00b"
	cases := []struct {
		name, query string
		vars        map[string]any
		field       string
	}{
		{"contacts search", `query($s: String) { contacts(filter: {search: $s}) { totalCount } }`, map[string]any{"s": nul}, "filter.search"},
		{"contacts company", `query($s: String) { contacts(filter: {company: $s}) { totalCount } }`, map[string]any{"s": nul}, "filter.company"},
		{"contacts listId", `query($s: ID) { contacts(filter: {listId: $s}) { totalCount } }`, map[string]any{"s": nul}, "filter.listId"},
		{"contacts filter object", `query($f: ContactFilter) { contacts(filter: $f) { totalCount } }`, map[string]any{"f": map[string]any{"tag": nul}}, "filter.tag"},
		{"prospects search", `query($s: String) { prospects(filter: {search: $s}) { totalCount } }`, map[string]any{"s": nul}, "filter.search"},
		{"contact id", `query($id: ID!) { contact(id: $id) { id } }`, map[string]any{"id": nul}, "id"},
		{"deals filter", `query($s: ID) { deals(filter: {contactId: $s}) { totalCount } }`, map[string]any{"s": nul}, "filter.contactId"},
		{"updateContact", `mutation($id: ID!) { updateContact(id: $id, input: {firstName: "x"}) { id } }`, map[string]any{"id": nul}, "id"},
		{"updateContact input", `mutation($n: String) { updateContact(id: "c_x", input: {firstName: $n}) { id } }`, map[string]any{"n": nul}, "input.firstName"},
		{"deleteList", `mutation($id: ID!) { deleteList(id: $id) }`, map[string]any{"id": nul}, "id"},
		{"lexiTask", `query($id: ID!) { lexiTask(id: $id) { id } }`, map[string]any{"id": nul}, "id"},
		{"contacts cursor", `query($c: String) { contacts(after: $c) { totalCount } }`, map[string]any{"c": nul}, "after"},
		{"lists cursor", `query($c: String) { lists(before: $c, last: 1) { totalCount } }`, map[string]any{"c": nul}, "before"},
		{"nested cursor", `query($c: String) { contacts { nodes { lists(after: $c) { totalCount } } } }`, map[string]any{"c": nul}, "after"},
		{"literal in the document", `{ contacts(filter: {search: "a\u0000b"}) { totalCount } }`, nil, "filter.search"},
		{"addContactsToList ids", `mutation($ids: [ID!]!) { addContactsToList(listId: "l_x", contactIds: $ids) { id } }`, map[string]any{"ids": []any{"c_1", nul}}, "contactIds"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := env.Query(t, key, c.query, c.vars)
			if r.Code() != "BAD_USER_INPUT" {
				t.Fatalf("status %d code %q, want BAD_USER_INPUT: %s", r.Status, r.Code(), r.Raw)
			}
			if got := r.Errors[0].Extensions["field"]; got != c.field {
				t.Errorf("field = %v, want %s", got, c.field)
			}
		})
	}
}
