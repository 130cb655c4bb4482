package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// benchRequest builds one POST /graphql request body for b.N replays.
func benchRequest(b *testing.B, key, query string, vars map[string]any) func() *http.Request {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		b.Fatal(err)
	}
	return func() *http.Request {
		req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+key)
		return req
	}
}

func benchServe(b *testing.B, h http.Handler, req func() *http.Request) {
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req())
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
}

// BenchmarkRequestPath measures what every request pays before and after its resolvers: the
// key lookup, pricing, both rate-limit windows and the usage count, around the cheapest query.
func BenchmarkRequestPath(b *testing.B) {
	stores := []string{"memory"}
	if os.Getenv("TEST_REDIS_URL") != "" {
		stores = append(stores, "redis")
	}
	for _, kind := range stores {
		b.Run(kind, func(b *testing.B) {
			st := testenv.OpenStore(b)
			limits := testenv.LimitStore(b, testenv.UniquePrefix())
			if kind == "memory" {
				b.Setenv("TEST_REDIS_URL", "")
				limits = testenv.LimitStore(b, "")
			}
			env := testenv.NewOn(b, st, limits, testenv.Options{})
			_, key := env.Tenant(b, "Bench")
			benchServe(b, env.Handler, benchRequest(b, key, `{ viewer { apiKey { id } } }`, nil))
		})
	}
}

// BenchmarkDashboard measures the dashboard read: the 50 newest contacts with their first 5
// lists and 5 deals, through the whole stack.
func BenchmarkDashboard(b *testing.B) {
	env := testenv.New(b)
	ws, key := env.Tenant(b, "Dashboard")
	seedDashboard(b, env.Store, ws)
	query := `{ contacts(first: 50) { nodes { id email fullName company
	  lists(first: 5) { nodes { id name } } deals(first: 5) { nodes { id title amount stage } } } } }`
	benchServe(b, env.Handler, benchRequest(b, key, query, nil))
}

// seedDashboard gives a workspace 60 contacts, each in 3 lists and with 2 deals.
func seedDashboard(tb testing.TB, st *store.Store, ws *models.Workspace) {
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	var lists []string
	for i := 0; i < 3; i++ {
		l, err := st.CreateList(ctx, models.CreateListInput{Name: fmt.Sprintf("List %d", i)})
		if err != nil {
			tb.Fatal(err)
		}
		lists = append(lists, l.ID)
	}
	var contacts []string
	for i := 0; i < 60; i++ {
		first, last, company := fmt.Sprintf("First%d", i), fmt.Sprintf("Last%d", i), "Acme"
		c, err := st.CreateContact(ctx, models.CreateContactInput{Email: fmt.Sprintf("c%02d@example.com", i),
			FirstName: &first, LastName: &last, Company: &company, Tags: []string{"vip"}})
		if err != nil {
			tb.Fatal(err)
		}
		contacts = append(contacts, c.ID)
		for d := 0; d < 2; d++ {
			amount := 1000 * (d + 1)
			if _, err := st.CreateDeal(ctx, models.CreateDealInput{Title: fmt.Sprintf("Deal %d-%d", i, d), Amount: &amount, ContactID: &c.ID}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	for _, l := range lists {
		if _, err := st.AddContactsToList(ctx, l, contacts); err != nil {
			tb.Fatal(err)
		}
	}
}
