package httpapi_test

import (
	"testing"

	"github.com/wbk/crm/internal/testenv"
)

func TestSmoke(t *testing.T) {
	env := testenv.New(t)
	_, key := env.Tenant(t, "Acme")
	r := env.Query(t, key, `mutation { createContact(input: {email: "a@b.co", firstName: "Ann", tags: ["VIP"]}) { id email fullName tags } }`, nil)
	t.Logf("%d %s", r.Status, r.Raw)
	r = env.Query(t, key, `mutation { createList(input: {name: "VIP"}) { id } }`, nil)
	listID := testenv.Str(r.Data, "createList", "id")
	r = env.Query(t, key, `{ contacts(first: 5) { totalCount nodes { id email lists(first: 2) { totalCount nodes { id } } deals { nodes { id } } } pageInfo { hasNextPage endCursor } } }`, nil)
	t.Logf("%d %s", r.Status, r.Raw)
	cid := testenv.Str(r.Data, "contacts", "nodes", 0, "id")
	r = env.Query(t, key, `mutation($l: ID!, $c: [ID!]!) { addContactsToList(listId: $l, contactIds: $c) { id contactCount contacts { nodes { email } } } }`, map[string]any{"l": listID, "c": []string{cid}})
	t.Logf("%d %s", r.Status, r.Raw)
	r = env.Query(t, key, `{ contacts(first: 5, filter: {tag: "vip"}) { totalCount nodes { id email lists(first: 2) { totalCount nodes { id name } } } } }`, nil)
	t.Logf("%d %s", r.Status, r.Raw)
	r = env.Query(t, "", `{ viewer { workspace { id } } }`, nil)
	t.Logf("%d %v %s", r.Status, r.Header, r.Raw)
	ws2 := env.Workspace(t, "x", "STARTER")
	k2 := env.Key(t, ws2, "read")
	r = env.Query(t, k2, `mutation { createList(input: {name: "VIP"}) { id } }`, nil)
	t.Logf("%d %s", r.Status, r.Raw)
	r = env.Query(t, k2, `{ contact(id: "`+cid+`") { id } node(id: "`+cid+`") { id } }`, nil)
	t.Logf("%d %s", r.Status, r.Raw)
	r = env.Query(t, key, `{ contacts(first: 500) { totalCount } }`, nil)
	t.Logf("%d %s", r.Status, r.Raw)
	r = env.Query(t, key, `{ contacts(first: 5) { nodes { lists(first: 500) { totalCount } } } }`, nil)
	t.Logf("%d %s", r.Status, r.Raw)
	r = env.Query(t, key, `mutation { createDeal(input: {title: "x", closeDate: "2020-13-01"}) { id } }`, nil)
	t.Logf("%d %s", r.Status, r.Raw)
	r = env.Query(t, key, `mutation { createCampaign(input: {name: "x", scheduledAt: "yesterday"}) { id } }`, nil)
	t.Logf("%d %s", r.Status, r.Raw)
	r = env.Query(t, key, `{ nope }`, nil)
	t.Logf("%d %s", r.Status, r.Raw)
}
