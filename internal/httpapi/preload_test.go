package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/testenv"
)

// TestPreloadedNestedPagesMatchTheLoaders: a page of contacts reads its nested connections up
// front (one statement per nested field), a contact read on its own goes through the
// dataloaders. Both must answer the same, whatever the selection: cursors asked for in
// fragments or only in pageInfo, two aliases with different page sizes, none at all.
func TestPreloadedNestedPagesMatchTheLoaders(t *testing.T) {
	env := testenv.New(t)
	ws, key := env.Tenant(t, "Preload")
	seedDashboard(t, env.Store, ws)
	cases := []struct {
		name, fragment string
	}{
		{"nodes only", `fragment F on Contact { lists(first: 2) { nodes { id name } } deals(first: 1) { nodes { id title } } }`},
		{"cursors in fragments", `fragment F on Contact { lists(first: 2) { edges { ...E node { id } } pageInfo { ...P } } }
		  fragment E on ListEdge { cursor } fragment P on PageInfo { hasNextPage endCursor }`},
		{"pageInfo cursor only", `fragment F on Contact { deals(first: 1) { pageInfo { startCursor hasNextPage } totalCount } }`},
		{"two aliases", `fragment F on Contact { a: lists(first: 1) { nodes { id } pageInfo { endCursor } } b: lists(first: 3) { edges { cursor } } lists(first: 1) { nodes { id } } }`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Each contact is kept as the server wrote it: the comparison below is byte for byte.
			page := testenv.Decode[struct {
				Contacts struct{ Nodes []json.RawMessage }
			}](t,
				env.Query(t, key, `{ contacts(first: 5) { nodes { id ...F } } } `+c.fragment, nil))
			nodes := page.Contacts.Nodes
			if len(nodes) != 5 {
				t.Fatalf("%d contacts, want 5", len(nodes))
			}
			for _, got := range nodes {
				var node struct{ ID string }
				if err := json.Unmarshal(got, &node); err != nil || node.ID == "" {
					t.Fatalf("contact without id: %s", got)
				}
				id := node.ID
				want := testenv.Decode[struct{ Contact json.RawMessage }](t,
					env.Query(t, key, `query($id: ID!) { contact(id: $id) { id ...F } } `+c.fragment, map[string]any{"id": id})).Contact
				// Every seeded contact has lists and deals: a selected cursor is never empty.
				if strings.Contains(string(got), `"cursor":""`) || strings.Contains(string(got), `Cursor":null`) {
					t.Errorf("contact %s: a selected cursor is empty: %s", id, got)
				}
				if string(got) != string(want) {
					t.Errorf("contact %s in a page:\n%s\nread alone:\n%s", id, got, want)
				}
			}
		})
	}
}
