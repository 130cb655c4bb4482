package rest_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// BenchmarkContactsPage compares GET /v1/contacts?limit=50 with the same GraphQL query sent
// to /graphql: the REST call is that query plus a translation, so the difference is the
// translation's cost.
//
//	go test ./internal/rest -run XXX -bench ContactsPage -benchmem
func BenchmarkContactsPage(b *testing.B) {
	env := testenv.New(b)
	ws, key := env.Tenant(b, "Bench")
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	for i := range 60 {
		first := fmt.Sprintf("Contact%d", i)
		if _, err := env.Store.CreateContact(ctx, models.CreateContactInput{Email: fmt.Sprintf("c%d@example.com", i), FirstName: &first}); err != nil {
			b.Fatal(err)
		}
	}
	// The fields and filter the REST route selects, as a GraphQL client would send them.
	query := `query ListContacts($first: Int, $after: String, $filter: ContactFilter) {
  contacts(first: $first, after: $after, filter: $filter) { nodes { id email firstName lastName fullName company title phone tags createdAt updatedAt } pageInfo { hasNextPage endCursor } } }`
	gqlBody, _ := json.Marshal(map[string]any{"query": query, "variables": map[string]any{"first": 50}})
	cases := map[string]func() *http.Request{
		"graphql": func() *http.Request {
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(gqlBody))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+key)
			return req
		},
		"rest": func() *http.Request {
			req := httptest.NewRequest(http.MethodGet, "/v1/contacts?limit=50", nil)
			req.Header.Set("Authorization", "Bearer "+key)
			return req
		},
	}
	for _, name := range []string{"graphql", "rest"} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				env.Handler.ServeHTTP(rec, cases[name]())
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
