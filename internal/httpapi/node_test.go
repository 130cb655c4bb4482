package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/internal/testenv"
)

// ---------------------------------------------------------------------------------------------
// node(id)

func TestCrudNode(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	p := crudLoadProspects(t, c.env)
	contact := c.newContact(t, "node@example.com")
	list := c.newList(t, "Node list")
	campaign := crudDo[struct{ CreateCampaign struct{ ID string } }](t, c, `mutation { createCampaign(input: {name: "Node campaign"}) { id } }`, nil).CreateCampaign.ID
	deal := crudDo[struct{ CreateDeal struct{ ID string } }](t, c, `mutation { createDeal(input: {title: "Node deal"}) { id } }`, nil).CreateDeal.ID

	const q = `query($id: ID!) { node(id: $id) { __typename id
		... on Contact { email }
		... on List { name }
		... on Campaign { name status }
		... on Deal { title }
		... on Prospect { fullName }
	} }`
	// node is every type's fields at once: a field another type's fragment asks for must be
	// absent, which decodes as nil.
	type node struct {
		Typename string  `json:"__typename"`
		ID       string  `json:"id"`
		Email    *string `json:"email"`
		Name     *string `json:"name"`
		Status   *string `json:"status"`
		Title    *string `json:"title"`
		FullName *string `json:"fullName"`
	}
	for _, tc := range []node{
		{Typename: "Contact", ID: contact, Email: crudStr("node@example.com")},
		{Typename: "List", ID: list, Name: crudStr("Node list")},
		{Typename: "Campaign", ID: campaign, Name: crudStr("Node campaign"), Status: crudStr("DRAFT")},
		{Typename: "Deal", ID: deal, Title: crudStr("Node deal")},
		{Typename: "Prospect", ID: p["Ada"], FullName: crudStr("Ada Lovelace")},
	} {
		t.Run(tc.Typename, func(t *testing.T) {
			d := crudDo[struct{ Node *node }](t, c, q, map[string]any{"id": tc.ID})
			crudEqual(t, "node", d.Node, &tc)
		})
	}
	// nodeOf asks for node(id) with key and returns it; the answer must hold node, null or not.
	nodeOf := func(t *testing.T, key, id string) *node {
		t.Helper()
		d := testenv.Decode[map[string]*node](t, c.env.Query(t, key, q, map[string]any{"id": id}))
		v, present := d["node"]
		if !present {
			t.Fatalf("node(%q) is missing from the answer", id)
		}
		return v
	}

	wsID := c.ws.ID
	nulls := []string{
		ids.New(ids.Contact), ids.New(ids.List), ids.New(ids.Campaign), ids.New(ids.Deal), ids.New(ids.Prospect),
		"", "nope", "ctc_", "ctc_123", "ctc_ZZZZZZZZZZZZZZZZZZZZZZZZZZ", "xyz_" + strings.TrimPrefix(contact, "ctc_"),
		strings.ToLower(contact), " " + contact, wsID, "'; DROP TABLE contacts;--",
	}
	for _, id := range nulls {
		t.Run(fmt.Sprintf("null for %q", id), func(t *testing.T) {
			if v := nodeOf(t, c.key, id); v != nil {
				t.Errorf("node(%q) = %+v, want null", id, *v)
			}
		})
	}

	t.Run("deleted objects are null", func(t *testing.T) {
		c.del(t, "deleteContact", contact)
		c.del(t, "deleteDeal", deal)
		for _, id := range []string{contact, deal} {
			if v := nodeOf(t, c.key, id); v != nil {
				t.Errorf("node(%q) after delete = %+v, want null", id, *v)
			}
		}
	})

	t.Run("another workspace's objects are null", func(t *testing.T) {
		_, key2 := c.env.Tenant(t, "Snoop")
		for _, id := range []string{list, campaign} {
			if v := nodeOf(t, key2, id); v != nil {
				t.Errorf("node(%q) from another workspace = %+v, want null", id, *v)
			}
		}
		// The shared catalog is visible to everyone.
		v := nodeOf(t, key2, p["Grace"])
		if v == nil {
			t.Fatal("prospect from another workspace is null")
		}
		crudEqual(t, "prospect from another workspace", v.Typename, "Prospect")
	})
}
