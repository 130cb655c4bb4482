package httpapi_test

// Helpers of the HTTP tests of the entities (campaigns_test.go, deals_test.go, prospects_test.go,
// node_test.go): what the store decides is tested in internal/store; these check what a
// client sees through the handler.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"testing"
	"time"

	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// ---------------------------------------------------------------------------------------------
// helpers

// crudClient is one workspace with a full-permission key on a fresh database.
type crudClient struct {
	env *testenv.Env
	ws  *models.Workspace
	key string
}

func crudSetup(t *testing.T) *crudClient {
	t.Helper()
	env := testenv.New(t)
	ws, key := env.Tenant(t, "Crud Co")
	return &crudClient{env: env, ws: ws, key: key}
}

// fails runs an operation that must fail with HTTP 200, the given extensions.code and, when
// field is not "", the given extensions.field. The failing root field must be null.
func (c *crudClient) fails(t *testing.T, query string, vars map[string]any, code, field string) *testenv.Response {
	t.Helper()
	r := c.env.Query(t, c.key, query, vars)
	crudCheckError(t, r, code, field)
	return r
}

func crudCheckError(t *testing.T, r *testenv.Response, code, field string) {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("want HTTP 200 with a %s error, got %d: %s", code, r.Status, r.Raw)
	}
	if len(r.Errors) == 0 {
		t.Fatalf("want a %s error, got none: %s", code, r.Raw)
	}
	if got := r.Code(); got != code {
		t.Fatalf("extensions.code = %q, want %q: %s", got, code, r.Raw)
	}
	if r.Errors[0].Message == "" {
		t.Errorf("error without a message: %s", r.Raw)
	}
	if field != "" {
		if got, _ := r.Errors[0].Extensions["field"].(string); got != field {
			t.Errorf("extensions.field = %q, want %q: %s", got, field, r.Raw)
		}
	}
	for k, v := range r.Data {
		if v != nil {
			t.Errorf("data.%s = %v, want null after a failed mutation", k, v)
		}
	}
}

// del runs a delete mutation (root is its field, such as deleteList) that must succeed and
// answer the deleted id.
func (c *crudClient) del(t *testing.T, root, id string) {
	t.Helper()
	d := crudDo[map[string]*string](t, c, fmt.Sprintf(`mutation($id: ID!) { %s(id: $id) }`, root), map[string]any{"id": id})
	if got := d[root]; got == nil || *got != id {
		t.Fatalf("%s(%s) answered %v, want the id", root, id, got)
	}
}

// crudDo runs an operation that must succeed and decodes its data into a T, refusing any
// field T does not declare.
func crudDo[T any](t *testing.T, c *crudClient, query string, vars map[string]any) T {
	t.Helper()
	return testenv.Decode[T](t, c.env.Query(t, c.key, query, vars))
}

// crudGet fetches one object by a root query such as contact(id:) and decodes it into a T;
// nil when the server answers null.
func crudGet[T any](t *testing.T, c *crudClient, root, id, fields string) *T {
	t.Helper()
	q := fmt.Sprintf(`query($id: ID!) { %s(id: $id) { %s } }`, root, fields)
	d := crudDo[map[string]*T](t, c, q, map[string]any{"id": id})
	v, ok := d[root]
	if !ok {
		t.Fatalf("no %s in the answer", root)
	}
	return v
}

// crudTotal is a connection asked for its totalCount only; a pointer, so a missing count fails.
type crudTotal struct {
	TotalCount *int `json:"totalCount"`
}

// count runs a query whose only root field, root, is a connection asked for its totalCount.
func (c *crudClient) count(t *testing.T, query string, vars map[string]any, root string) int {
	t.Helper()
	d := crudDo[map[string]crudTotal](t, c, query, vars)
	if d[root].TotalCount == nil {
		t.Fatalf("no %s.totalCount in %v", root, d)
	}
	return *d[root].TotalCount
}

// crudIDConn is a connection asked for `totalCount nodes { id }`, the nodes perhaps with their
// name (lists) or email (contacts) too.
type crudIDConn struct {
	TotalCount *int `json:"totalCount"`
	Nodes      []struct {
		ID    string  `json:"id"`
		Name  *string `json:"name"`
		Email *string `json:"email"`
	} `json:"nodes"`
}

// ids returns the ids of the nodes, sorted; never nil.
func (cn crudIDConn) ids() []string {
	out := make([]string, 0, len(cn.Nodes))
	for _, n := range cn.Nodes {
		out = append(out, n.ID)
	}
	sort.Strings(out)
	return out
}

// crudContact is a contact asked for crudContactFields. Optional fields are pointers so null
// is told apart from a value; timestamps stay strings and are checked with crudTime.
type crudContact struct {
	ID        string   `json:"id"`
	Email     string   `json:"email"`
	FirstName *string  `json:"firstName"`
	LastName  *string  `json:"lastName"`
	FullName  string   `json:"fullName"`
	Company   *string  `json:"company"`
	Title     *string  `json:"title"`
	Phone     *string  `json:"phone"`
	Tags      []string `json:"tags"`
	CreatedAt string   `json:"createdAt"`
	UpdatedAt string   `json:"updatedAt"`
}

// crudStr is a pointer to s, for comparing optional fields.
func crudStr(s string) *string { return &s }

// crudIntString is *n in decimal, or "null", for messages.
func crudIntString(n *int) string {
	if n == nil {
		return "null"
	}
	return fmt.Sprint(*n)
}

// crudDeref is *s, or "" for nil, for messages.
func crudDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (c *crudClient) contactCount(t *testing.T) int {
	t.Helper()
	return c.count(t, `{ contacts { totalCount } }`, nil, "contacts")
}

const crudContactFields = `id email firstName lastName fullName company title phone tags createdAt updatedAt`

const crudCreateContact = `mutation($in: CreateContactInput!) { createContact(input: $in) { ` + crudContactFields + ` } }`

func (c *crudClient) createContact(t *testing.T, in map[string]any) crudContact {
	t.Helper()
	d := crudDo[struct {
		CreateContact *crudContact `json:"createContact"`
	}](t, c, crudCreateContact, map[string]any{"in": in})
	if d.CreateContact == nil {
		t.Fatal("createContact answered null")
	}
	return *d.CreateContact
}

func (c *crudClient) newContact(t *testing.T, email string) string {
	t.Helper()
	return c.createContact(t, map[string]any{"email": email}).ID
}

func (c *crudClient) newList(t *testing.T, name string) string {
	t.Helper()
	d := crudDo[struct {
		CreateList struct {
			ID string `json:"id"`
		} `json:"createList"`
	}](t, c, `mutation($n: String!) { createList(input: {name: $n}) { id } }`, map[string]any{"n": name})
	if d.CreateList.ID == "" {
		t.Fatal("createList answered no id")
	}
	return d.CreateList.ID
}

func crudTime(t *testing.T, s, what string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("%s = %q is not an RFC 3339 time: %v", what, s, err)
	}
	if ts.Location() != time.UTC {
		t.Errorf("%s = %q, want UTC", what, s)
	}
	return ts
}

func crudEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %s, want %s", what, crudShow(got), crudShow(want))
	}
}

// crudShow renders v for a message: as JSON, so pointers show their values (null when nil),
// or with %#v when v does not marshal.
func crudShow(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

// ---------------------------------------------------------------------------------------------
// lists

// ---------------------------------------------------------------------------------------------
// campaigns

const crudCampaignFields = `id name subject body status list { id name } scheduledAt createdAt updatedAt`

// crudCampaign is a campaign asked for crudCampaignFields.
type crudCampaign struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	Subject     *string      `json:"subject"`
	Body        *string      `json:"body"`
	Status      string       `json:"status"`
	List        *crudListRef `json:"list"`
	ScheduledAt *string      `json:"scheduledAt"`
	CreatedAt   string       `json:"createdAt"`
	UpdatedAt   string       `json:"updatedAt"`
}

// crudListRef is a campaign's list asked for `id name`.
type crudListRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// crudWrite runs a mutation whose one root field answers a T, and returns it.
func crudWrite[T any](t *testing.T, c *crudClient, op string, vars map[string]any) T {
	t.Helper()
	d := crudDo[map[string]*T](t, c, op, vars)
	if len(d) != 1 {
		t.Fatalf("answer has %d root fields, want 1: %v", len(d), d)
	}
	for root, v := range d {
		if v == nil {
			t.Fatalf("%s answered null", root)
		}
		return *v
	}
	panic("unreachable")
}

// crudInt is a pointer to n, for comparing counts that must be present.
func crudInt(n int) *int { return &n }
