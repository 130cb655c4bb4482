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

// BenchmarkShapes measures query shapes beyond the dashboard through the whole stack, with
// gqlfast and with gqlgen's generated executor alone (the same resolvers and batched reads):
// allocations per request are the machine-independent figure.
func BenchmarkShapes(b *testing.B) {
	for _, exec := range []string{"gqlfast", "gqlgen"} {
		env := testenv.New(b, testenv.Options{GenericExecution: exec == "gqlgen"})
		ws, key := env.Tenant(b, "Shapes")
		seedDashboard(b, env.Store, ws)
		ctx := store.WithWorkspace(context.Background(), ws.ID)
		lists, err := env.Store.Lists(ctx, store.PageArgs{}, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, l := range lists.Nodes() {
			if _, err := env.Store.CreateCampaign(ctx, models.CreateCampaignInput{Name: "Campaign " + l.Name, ListID: &l.ID}); err != nil {
				b.Fatal(err)
			}
		}
		contacts, err := env.Store.Contacts(ctx, store.PageArgs{First: diffIntPtr(50)}, nil, nil)
		if err != nil {
			b.Fatal(err)
		}
		var e1, e2 strings.Builder
		for i, c := range contacts.Nodes() {
			fmt.Fprintf(&e1, " c%d: contact(id: %q) { id email fullName company title createdAt }", i, c.ID)
			fmt.Fprintf(&e2, " c%d: node(id: %q) { ... on Contact { id email fullName company title createdAt } }", i, c.ID)
		}
		shapes := []struct{ name, query string }{
			{"a_dashboard", `{ contacts(first: 50) { nodes { id email firstName lastName company title createdAt
			  lists(first: 5) { nodes { id name } } deals(first: 5) { nodes { id title amount currency stage createdAt } } } } }`},
			{"b_lists", `{ lists(first: 20) { edges { node { name contactCount contacts(first: 20) { edges { node { id email fullName company } } } } } } }`},
			{"c_deals", `{ deals(first: 50) { edges { node { title amount stage contact { email fullName } } } } }`},
			{"d_campaigns", `{ campaigns(first: 20) { edges { node { id name subject status scheduledAt createdAt list { id name contactCount } } } } }`},
			{"e1_contact50", "{" + e1.String() + " }"},
			{"e2_node50", "{" + e2.String() + " }"},
			{"f_search", `{ contacts(first: 50, filter: {search: "c1"}) { totalCount nodes { id email firstName lastName company title createdAt } } }`},
		}
		for _, s := range shapes {
			b.Run(s.name+"/"+exec, func(b *testing.B) {
				benchServe(b, env.Handler, benchRequest(b, key, s.query, nil))
			})
		}
	}
}

// BenchmarkWrites measures the write mix of bench/load -writes through the whole stack: a
// createContact, then an updateContact of the contact it created.
func BenchmarkWrites(b *testing.B) {
	env := testenv.New(b)
	ws, _ := env.Tenant(b, "Writes")
	key := env.Key(b, ws, "read,write")
	create := `mutation($in: CreateContactInput!) { createContact(input: $in) { id email } }`
	update := `mutation($id: ID!, $t: String) { updateContact(id: $id, input: {title: $t}) { id title updatedAt } }`
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		in := map[string]any{"email": fmt.Sprintf("w%d@bench.example", i), "firstName": "Ann", "lastName": "Lee",
			"company": "Acme", "tags": []string{"vip", "bench"}}
		r := env.Query(b, key, create, map[string]any{"in": in})
		id := testenv.Decode[struct{ CreateContact struct{ ID, Email string } }](b, r).CreateContact.ID
		env.Query(b, key, update, map[string]any{"id": id, "t": "VP"}).MustData(b)
	}
}
