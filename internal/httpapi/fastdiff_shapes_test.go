package httpapi_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestFastPathAnswersEveryShapeAsGqlgen: the query shapes frontends send besides the dashboard,
// each answered by gqlfast (not by a silent fallback) and byte for byte as gqlgen answers it.
func TestFastPathAnswersEveryShapeAsGqlgen(t *testing.T) {
	f := newDiffFixture(t)
	aliased := func(field, selection string, ids []string) string {
		var b strings.Builder
		b.WriteString("{")
		for i, id := range ids {
			fmt.Fprintf(&b, " c%d: %s(id: %q) %s", i, field, id, selection)
		}
		return b.String() + " }"
	}
	mixed := append(append(append(append([]string{}, f.contactIDs[:6]...), f.listIDs[:2]...), f.dealIDs[:3]...), f.campaignIDs...)
	mixed = append(mixed, f.foreign[0], "ctc_unknown", "nothing")
	cases := []struct{ name, root, query string }{
		{"lists with their count and members", "lists",
			`{ lists(first: 20) { edges { node { name contactCount contacts(first: 20) { edges { node { id email fullName company } } } } } } }`},
		{"deals with their contact", "deals", `{ deals(first: 50) { edges { node { title amount stage contact { email fullName } } } } }`},
		{"campaigns with their list", "campaigns",
			`{ campaigns(first: 20) { edges { node { id name subject status scheduledAt createdAt list { id name contactCount } } } } }`},
		{"contacts by id under aliases", "contact", aliased("contact", "{ id email fullName company title createdAt }", f.contactIDs[:30])},
		{"nodes of every kind by id under aliases", "node", aliased("node",
			"{ __typename id ... on Contact { email fullName } ... on List { name contactCount } ... on Deal { title stage } ... on Campaign { name list { name } } }", mixed)},
		{"search with totalCount", "contacts",
			`{ contacts(first: 50, filter: {search: "example"}) { totalCount nodes { id email firstName lastName company title createdAt } } }`},
		{"two levels below deals", "deals",
			`{ deals(first: 30) { totalCount pageInfo { hasNextPage endCursor } nodes { contact { lists(first: 2) { totalCount nodes { name } } deals(first: 2) { edges { cursor node { title } } } } } } }`},
		{"members' deals", "lists", `{ lists(first: 5) { nodes { contacts(first: 4) { totalCount nodes { email deals(first: 2) { nodes { title closeDate } } } } } } }`},
		{"list, deal and campaign by id", "list", fmt.Sprintf(`{ list(id: %q) { name contacts(first: 3) { nodes { email } } } deal(id: %q) { title contact { email } } campaign(id: %q) { name list { name } } }`,
			f.listIDs[0], f.dealIDs[0], f.campaignIDs[0])},
		{"viewer", "viewer", `{ viewer { workspace { id name plan } apiKey { id name prefix permissions createdAt expiresAt } } }`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := f.fastAnswered(c.root)
			f.ask(t, diffRequest{query: c.query})
			if f.fastAnswered(c.root) == before {
				t.Errorf("gqlfast did not answer %s", c.root)
			}
		})
	}
}
