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

// TestStatementsPerShapeDoNotGrowWithObjects: every query shape reads each relation once for
// all the objects that show it, so its SQL statements are the same for 3 objects as for 30:
// nested connections, counts and references through the batch resolvers, and lookups by id
// under aliases (contact(id:) and node(id:) thirty times) in one statement per kind.
func TestStatementsPerShapeDoNotGrowWithObjects(t *testing.T) {
	counter := &statementCounter{}
	env := testenv.New(t, testenv.Options{SQLLogger: counter})
	ws, key := env.Tenant(t, "Shapes")
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	var contacts, lists []string
	for i := 0; i < 30; i++ {
		l, err := env.Store.CreateList(ctx, models.CreateListInput{Name: fmt.Sprintf("List %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		lists = append(lists, l.ID)
		if _, err := env.Store.CreateCampaign(ctx, models.CreateCampaignInput{Name: fmt.Sprintf("Campaign %d", i), ListID: &l.ID}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 30; i++ {
		c, err := env.Store.CreateContact(ctx, models.CreateContactInput{Email: fmt.Sprintf("s%02d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		contacts = append(contacts, c.ID)
		if _, err := env.Store.CreateDeal(ctx, models.CreateDealInput{Title: fmt.Sprintf("Deal %d", i), ContactID: &c.ID}); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range lists {
		if _, err := env.Store.AddContactsToList(ctx, l, contacts[:5]); err != nil {
			t.Fatal(err)
		}
	}
	aliased := func(field, fragment string) func(n int) string {
		return func(n int) string {
			var b strings.Builder
			b.WriteString("{")
			for i := 0; i < n; i++ {
				fmt.Fprintf(&b, " c%d: %s(id: %q) { %s }", i, field, contacts[i], fragment)
			}
			return b.String() + " }"
		}
	}
	cases := []struct {
		name  string
		query func(n int) string
		// statements beyond the key lookup
		want int
	}{
		{"lists with their count and members", func(n int) string {
			return fmt.Sprintf(`{ lists(first: %d) { edges { node { name contactCount contacts(first: 3) { edges { node { id email fullName } } } } } } }`, n)
		}, 3},
		{"deals with their contact", func(n int) string {
			return fmt.Sprintf(`{ deals(first: %d) { edges { node { title amount stage contact { email fullName } } } } }`, n)
		}, 2},
		{"campaigns with their list and its count", func(n int) string {
			return fmt.Sprintf(`{ campaigns(first: %d) { edges { node { name status list { id name contactCount } } } } }`, n)
		}, 3},
		{"contacts by id under aliases", aliased("contact", "id email fullName"), 1},
		{"nodes by id under aliases", aliased("node", "id ... on Contact { email }"), 1},
		{"deals of contacts of deals", func(n int) string {
			return fmt.Sprintf(`{ deals(first: %d) { nodes { contact { lists(first: 2) { totalCount nodes { name } } deals(first: 2) { nodes { title } } } } } }`, n)
		}, 5},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			measure := func(n int) (int, []string) {
				env.Query(t, key, c.query(n), nil).MustData(t) // warm the query cache
				counter.reset()
				env.Query(t, key, c.query(n), nil).MustData(t)
				return counter.count()
			}
			small, smallSQL := measure(3)
			large, largeSQL := measure(30)
			if small != large {
				t.Fatalf("statements grow with the objects: %d for 3, %d for 30\n3: %q\n30: %q", small, large, smallSQL, largeSQL)
			}
			if large != c.want+1 {
				t.Fatalf("%d statements, want %d and the key lookup: %q", large, c.want, largeSQL)
			}
		})
	}
}
