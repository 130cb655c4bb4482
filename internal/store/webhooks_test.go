package store_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// outbox reads the events written since its last read, oldest first.
type outbox struct {
	st   *store.Store
	ctx  context.Context
	last string
}

type eventBody struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	CreatedAt   string `json:"created_at"`
	WorkspaceID string `json:"workspace_id"`
	Data        struct {
		Object        map[string]any `json:"object"`
		Changed       []string       `json:"changed"`
		ContactIDs    []string       `json:"contact_ids"`
		PreviousStage string         `json:"previous_stage"`
	} `json:"data"`
}

func (o *outbox) read(t *testing.T) []eventBody {
	t.Helper()
	var rows []models.WebhookEvent
	if err := o.st.DB().WithContext(o.ctx).Where("id > ?", o.last).Order("id").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	out := make([]eventBody, len(rows))
	for i, r := range rows {
		if err := json.Unmarshal([]byte(r.Body), &out[i]); err != nil {
			t.Fatalf("event body %s: %v", r.Body, err)
		}
		if out[i].ID != r.ID || out[i].Type != r.Type {
			t.Fatalf("body %s does not match its row %s/%s", r.Body, r.ID, r.Type)
		}
		o.last = r.ID
	}
	return out
}

func allEvents() []string {
	var out []string
	for _, e := range store.WebhookEventTypes {
		out = append(out, string(e))
	}
	return out
}

// TestEveryWriteEmitsItsEvents: each write method, Lexi's approvals and imports included,
// writes the events of what it changed, with the object under the GraphQL API's field names
// and, for an update, the fields that changed; a write that fails writes nothing.
func TestEveryWriteEmitsItsEvents(t *testing.T) {
	st := testdb.Open(t)
	bg := context.Background()
	ws, err := st.CreateWorkspace(bg, "Hooks", models.PlanPro)
	if err != nil {
		t.Fatal(err)
	}
	ctx := store.WithWorkspace(bg, ws.ID)
	if _, err := st.CreateWebhookEndpoint(ctx, store.NewWebhookEndpoint{URL: "https://example.com/h", Events: allEvents(), Secret: "whsec_AAAA"}); err != nil {
		t.Fatal(err)
	}
	ob := &outbox{st: st, ctx: ctx}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var (
		contact *models.Contact
		list    *models.List
		deal    *models.Deal
		camp    *models.Campaign
		task    *models.LexiTask
	)
	name := func(s string) *string { return &s }
	negotiation := models.DealStageNegotiation
	seen := map[string]bool{}
	steps := []struct {
		name  string
		do    func()
		types []string
		check func(t *testing.T, evs []eventBody)
	}{
		{"create contact", func() {
			contact, err = st.CreateContact(ctx, models.CreateContactInput{Email: "a@example.com", FirstName: name("Ada"), Tags: []string{"vip"}})
			must(err)
		}, []string{"contact.created"}, func(t *testing.T, evs []eventBody) {
			o := evs[0].Data.Object
			if o["id"] != contact.ID || o["firstName"] != "Ada" || o["fullName"] != "Ada" || o["lastName"] != nil {
				t.Errorf("object %v", o)
			}
			if evs[0].WorkspaceID != ws.ID || len(evs[0].Data.Changed) != 0 {
				t.Errorf("event %+v", evs[0])
			}
		}},
		{"update contact", func() {
			_, err = st.UpdateContact(ctx, contact.ID, models.UpdateContactInput{LastName: name("Lovelace"), Company: name("")})
			must(err)
		}, []string{"contact.updated"}, func(t *testing.T, evs []eventBody) {
			if !slices.Equal(evs[0].Data.Changed, []string{"lastName", "fullName"}) {
				t.Errorf("changed %v", evs[0].Data.Changed)
			}
		}},
		{"update contact without a change", func() {
			_, err = st.UpdateContact(ctx, contact.ID, models.UpdateContactInput{LastName: name("Lovelace")})
			must(err)
		}, nil, nil},
		{"duplicate email fails", func() {
			_, err = st.CreateContact(ctx, models.CreateContactInput{Email: "a@example.com"})
			if err == nil {
				t.Fatal("duplicate email accepted")
			}
		}, nil, nil},
		{"create list", func() {
			list, err = st.CreateList(ctx, models.CreateListInput{Name: "VIP"})
			must(err)
		}, []string{"list.created"}, nil},
		{"update list", func() {
			_, err = st.UpdateList(ctx, list.ID, models.UpdateListInput{Description: name("best")})
			must(err)
		}, []string{"list.updated"}, func(t *testing.T, evs []eventBody) {
			if !slices.Equal(evs[0].Data.Changed, []string{"description"}) {
				t.Errorf("changed %v", evs[0].Data.Changed)
			}
		}},
		{"add members", func() {
			_, err = st.AddContactsToList(ctx, list.ID, []string{contact.ID})
			must(err)
		}, []string{"list.members_added"}, func(t *testing.T, evs []eventBody) {
			if !slices.Equal(evs[0].Data.ContactIDs, []string{contact.ID}) || evs[0].Data.Object["contactCount"] != 1.0 {
				t.Errorf("data %+v", evs[0].Data)
			}
		}},
		{"add members already in", func() {
			_, err = st.AddContactsToList(ctx, list.ID, []string{contact.ID})
			must(err)
		}, nil, nil},
		{"remove members", func() {
			_, err = st.RemoveContactsFromList(ctx, list.ID, []string{contact.ID})
			must(err)
		}, []string{"list.members_removed"}, nil},
		{"create campaign", func() {
			camp, err = st.CreateCampaign(ctx, models.CreateCampaignInput{Name: "Launch", ListID: &list.ID})
			must(err)
		}, []string{"campaign.created"}, func(t *testing.T, evs []eventBody) {
			if ref, _ := evs[0].Data.Object["list"].(map[string]any); ref["id"] != list.ID {
				t.Errorf("campaign's list %v", evs[0].Data.Object["list"])
			}
		}},
		{"update campaign", func() {
			_, err = st.UpdateCampaign(ctx, camp.ID, models.UpdateCampaignInput{Subject: name("Hi")})
			must(err)
		}, []string{"campaign.updated"}, nil},
		{"delete campaign", func() { must(st.DeleteCampaign(ctx, camp.ID)) }, []string{"campaign.deleted"}, func(t *testing.T, evs []eventBody) {
			if evs[0].Data.Object["name"] != "Launch" {
				t.Errorf("deleted object %v", evs[0].Data.Object)
			}
		}},
		{"create deal", func() {
			deal, err = st.CreateDeal(ctx, models.CreateDealInput{Title: "Globex", ContactID: &contact.ID})
			must(err)
		}, []string{"deal.created"}, nil},
		{"update deal stage", func() {
			_, err = st.UpdateDeal(ctx, deal.ID, models.UpdateDealInput{Stage: &negotiation})
			must(err)
		}, []string{"deal.updated", "deal.stage_changed"}, func(t *testing.T, evs []eventBody) {
			if evs[1].Data.PreviousStage != "LEAD" || evs[1].Data.Object["stage"] != "NEGOTIATION" {
				t.Errorf("stage change %+v", evs[1].Data)
			}
		}},
		{"delete deal", func() { must(st.DeleteDeal(ctx, deal.ID)) }, []string{"deal.deleted"}, nil},
		{"lexi proposes", func() {
			ex, err := st.SaveLexiExchange(ctx, nil, "make a list", "ok", []store.LexiProposal{
				{Action: models.LexiActionCreateList, Title: "Create list Team", Description: "d",
					Payload: &store.LexiCreateList{Name: "Team", ContactIDs: []string{contact.ID}}},
				{Action: models.LexiActionCreateList, Title: "Create list VIP", Description: "d",
					Payload: &store.LexiCreateList{Name: "vip"}},
				{Action: models.LexiActionCreateList, Title: "Create list X", Description: "d",
					Payload: &store.LexiCreateList{Name: "X"}},
			})
			must(err)
			task = ex.Tasks[0]
			_, err = st.RejectLexiTask(ctx, ex.Tasks[2].ID, nil, "key")
			must(err)
			_, err = st.ApproveLexiTask(ctx, ex.Tasks[1].ID, "key") // the name is taken: FAILED, nothing created
			must(err)
		}, []string{"lexi_task.created", "lexi_task.created", "lexi_task.created", "lexi_task.rejected", "lexi_task.failed"}, nil},
		{"lexi approval", func() {
			_, err = st.ApproveLexiTask(ctx, task.ID, "key")
			must(err)
		}, []string{"list.created", "list.members_added", "lexi_task.executed"}, func(t *testing.T, evs []eventBody) {
			if evs[2].Data.Object["status"] != "EXECUTED" || evs[2].Data.Object["id"] != task.ID {
				t.Errorf("executed task %v", evs[2].Data.Object)
			}
		}},
		{"delete list", func() { must(st.DeleteList(ctx, list.ID)) }, []string{"list.deleted"}, nil},
		{"delete contact", func() { must(st.DeleteContact(ctx, contact.ID)) }, []string{"contact.deleted"}, nil},
		{"delete a missing contact", func() {
			if err := st.DeleteContact(ctx, contact.ID); err == nil {
				t.Fatal("deleted twice")
			}
		}, nil, nil},
	}
	for _, s := range steps {
		s.do()
		evs := ob.read(t)
		var types []string
		for _, e := range evs {
			types = append(types, e.Type)
			seen[e.Type] = true
		}
		if !slices.Equal(types, s.types) {
			t.Errorf("%s: events %v, want %v", s.name, types, s.types)
			continue
		}
		if s.check != nil {
			s.check(t, evs)
		}
	}
	for _, e := range store.WebhookEventTypes {
		if !seen[string(e)] {
			t.Errorf("no step emitted %s", e)
		}
	}
}

// TestEventsFollowTheirWorkspaceAndTransaction: an event is written only for the endpoints of
// the changed record's workspace that subscribe to it, and a request transaction that rolls
// back takes its events with it.
func TestEventsFollowTheirWorkspaceAndTransaction(t *testing.T) {
	st := testdb.Open(t)
	bg := context.Background()
	var ctxs []context.Context
	for _, n := range []string{"A", "B"} {
		ws, err := st.CreateWorkspace(bg, n, models.PlanPro)
		if err != nil {
			t.Fatal(err)
		}
		ctxs = append(ctxs, store.WithWorkspace(bg, ws.ID))
	}
	a, b := ctxs[0], ctxs[1]
	epA, err := st.CreateWebhookEndpoint(a, store.NewWebhookEndpoint{URL: "https://a.example.com", Events: []string{"contact.created"}, Secret: "whsec_AAAA"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateWebhookEndpoint(a, store.NewWebhookEndpoint{URL: "https://a2.example.com", Events: []string{"deal.created"}, Secret: "whsec_AAAA"}); err != nil {
		t.Fatal(err)
	}
	epB, err := st.CreateWebhookEndpoint(b, store.NewWebhookEndpoint{URL: "https://b.example.com", Events: allEvents(), Secret: "whsec_AAAA"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateContact(a, models.CreateContactInput{Email: "x@example.com"}); err != nil {
		t.Fatal(err)
	}
	rctx, rt, err := st.BeginRequest(a)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateContact(rctx, models.CreateContactInput{Email: "rolled@example.com"}); err != nil {
		t.Fatal(err)
	}
	rt.Rollback()
	count := func(ctx context.Context, endpointID string) int {
		conn, err := st.WebhookDeliveries(ctx, endpointID, nil, store.PageArgs{})
		if err != nil {
			t.Fatal(err)
		}
		return len(conn.Edges)
	}
	if n := count(a, epA.ID); n != 1 {
		t.Errorf("workspace A's contact endpoint has %d deliveries, want 1 (the rolled-back contact has none)", n)
	}
	if n := count(b, epB.ID); n != 0 {
		t.Errorf("workspace B's endpoint has %d deliveries of A's change", n)
	}
	if _, err := st.WebhookDeliveries(b, epA.ID, nil, store.PageArgs{}); apperr.CodeOf(err) != apperr.ENOTFOUND {
		t.Errorf("B reads A's delivery log: %v", err)
	}
}
