package httpapi_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm/logger"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// statementCounter is a GORM logger that counts the SQL statements it sees.
type statementCounter struct {
	mu  sync.Mutex
	n   int
	sql []string
}

func (c *statementCounter) LogMode(logger.LogLevel) logger.Interface { return c }
func (c *statementCounter) Info(context.Context, string, ...any)     {}
func (c *statementCounter) Warn(context.Context, string, ...any)     {}
func (c *statementCounter) Error(context.Context, string, ...any)    {}
func (c *statementCounter) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	c.mu.Lock()
	c.n++
	c.sql = append(c.sql, sql)
	c.mu.Unlock()
}

func (c *statementCounter) reset() {
	c.mu.Lock()
	c.n, c.sql = 0, nil
	c.mu.Unlock()
}

func (c *statementCounter) count() (int, []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n, append([]string(nil), c.sql...)
}

// The dashboard read: newest contacts with their first lists and deals, and the counts a
// frontend shows beside them.
const dashboardQuery = `query($n: Int!) {
  contacts(first: $n) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id email fullName company tags
      lists(first: 5) { totalCount nodes { id name contactCount } }
      deals(first: 5) { totalCount nodes { id title amount stage contact { id email } } }
    }
  }
}`

// dashboardPage is the answer to dashboardQuery.
type dashboardPage struct {
	Contacts struct {
		TotalCount int
		PageInfo   struct {
			HasNextPage bool
			EndCursor   *string
		}
		Nodes []struct {
			ID, Email, FullName string
			Company             *string
			Tags                []string
			Lists               struct {
				TotalCount int
				Nodes      []struct {
					ID, Name     string
					ContactCount int
				}
			}
			Deals struct {
				TotalCount int
				Nodes      []struct {
					ID, Title string
					Amount    int64
					Stage     string
					Contact   *struct{ ID, Email string }
				}
			}
		}
	}
}

func TestStatementsPerPageDoNotGrowWithPageSize(t *testing.T) {
	counter := &statementCounter{}
	env := testenv.New(t, testenv.Options{SQLLogger: counter})
	ws, key := env.Tenant(t, "Dashboard")
	ctx := store.WithWorkspace(context.Background(), ws.ID)

	var lists []string
	for i := 0; i < 3; i++ {
		l, err := env.Store.CreateList(ctx, models.CreateListInput{Name: fmt.Sprintf("List %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		lists = append(lists, l.ID)
	}
	var contacts []string
	for i := 0; i < 60; i++ {
		c, err := env.Store.CreateContact(ctx, models.CreateContactInput{Email: fmt.Sprintf("c%02d@example.com", i)})
		if err != nil {
			t.Fatal(err)
		}
		contacts = append(contacts, c.ID)
		for d := 0; d < 2; d++ {
			if _, err := env.Store.CreateDeal(ctx, models.CreateDealInput{Title: fmt.Sprintf("Deal %d-%d", i, d), ContactID: &c.ID}); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, l := range lists[:2] {
		if _, err := env.Store.AddContactsToList(ctx, l, contacts); err != nil {
			t.Fatal(err)
		}
	}

	measure := func(n int) (int, []string) {
		env.Query(t, key, dashboardQuery, map[string]any{"n": n}).MustData(t) // warm the query cache
		counter.reset()
		nodes := testenv.Decode[dashboardPage](t, env.Query(t, key, dashboardQuery, map[string]any{"n": n})).Contacts.Nodes
		if got := len(nodes); got != n {
			t.Fatalf("page of %d returned %d contacts", n, got)
		}
		if got := nodes[0].Deals.TotalCount; got != 2 {
			t.Fatalf("deals totalCount = %v, want 2", got)
		}
		return counter.count()
	}
	small, smallSQL := measure(5)
	large, largeSQL := measure(50)
	t.Logf("statements per dashboard page: %d for 5 contacts, %d for 50", small, large)
	if small != large {
		t.Fatalf("statements grow with the page: %d for 5 contacts, %d for 50\n5: %q\n50: %q", small, large, smallSQL, largeSQL)
	}
	// key lookup, contacts page, its totalCount, lists page, list counts per contact, member
	// counts per list, deals page, deal counts per contact, deal contacts.
	const bound = 9
	if large > bound {
		t.Fatalf("%d statements for the dashboard page, want at most %d: %q", large, bound, largeSQL)
	}
}
