package rest_test

import (
	"net/http"
	"sync"
	"testing"

	"github.com/wbk/crm/internal/testenv"
)

// TestReadsAreAnsweredByGqlfast: a REST read runs its persisted operation through the
// /graphql handler, so gqlfast answers it as it answers every query.
func TestReadsAreAnsweredByGqlfast(t *testing.T) {
	var mu sync.Mutex
	answered := map[string]int{}
	a := newAPI(t, testenv.Options{FastAnswered: func(field string) {
		mu.Lock()
		defer mu.Unlock()
		answered[field]++
	}})
	_, key := a.env.Tenant(t, "Fast")
	for _, c := range []struct{ path, root string }{
		{"/v1/contacts?limit=5", "contacts"},
		{"/v1/lists", "lists"},
		{"/v1/deals", "deals"},
	} {
		if r := a.call(t, key, http.MethodGet, c.path, nil); r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", c.path, r.Status)
		}
		mu.Lock()
		n := answered[c.root]
		mu.Unlock()
		if n == 0 {
			t.Errorf("GET %s was not answered by gqlfast", c.path)
		}
	}
}
