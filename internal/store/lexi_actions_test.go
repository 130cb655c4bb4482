package store_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// snapshot is every record of a workspace a Lexi action may change, as JSON per id.
func snapshot(t *testing.T, ctx context.Context, st *store.Store) map[string]string {
	t.Helper()
	v, err := st.LexiVocabulary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	put := func(id string, x any) {
		b, _ := json.Marshal(x)
		out[id] = string(b)
	}
	for _, c := range v.Contacts {
		c.UpdatedAt = c.CreatedAt
		put(c.ID, c)
	}
	for _, d := range v.Deals {
		d.UpdatedAt = d.CreatedAt
		put(d.ID, d)
	}
	for _, c := range v.Campaigns {
		c.UpdatedAt = c.CreatedAt
		put(c.ID, c)
	}
	for _, l := range v.Lists {
		put(l.ID, v.Members[l.ID])
	}
	return out
}

// TestLexiEditActions approves one task of each action that edits records and checks that it
// changed exactly the records it names, as the matching mutation would.
func TestLexiEditActions(t *testing.T) {
	st := testdb.Open(t)
	ws, err := st.CreateWorkspace(context.Background(), "Edits", models.PlanPro)
	if err != nil {
		t.Fatal(err)
	}
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	mk := func(email, first, last, company string, tags ...string) *models.Contact {
		c, err := st.CreateContact(ctx, models.CreateContactInput{Email: email, FirstName: &first, LastName: &last, Company: &company, Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ann := mk("ann@acme.test", "Ann", "Lee", "Acme", "vip", "churn-risk")
	bob := mk("bob@acme.test", "Bob", "Ray", "Acme", "vip")
	list, err := st.CreateList(ctx, models.CreateListInput{Name: "Events"})
	if err != nil {
		t.Fatal(err)
	}
	other, err := st.CreateList(ctx, models.CreateListInput{Name: "Other"})
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []*models.List{list, other} {
		if _, err := st.AddContactsToList(ctx, l.ID, []string{ann.ID, bob.ID}); err != nil {
			t.Fatal(err)
		}
	}
	amount := 500000
	deal, err := st.CreateDeal(ctx, models.CreateDealInput{Title: "Acme upgrade", Amount: &amount, ContactID: &ann.ID})
	if err != nil {
		t.Fatal(err)
	}
	camp, err := st.CreateCampaign(ctx, models.CreateCampaignInput{Name: "Spring", ListID: &other.ID})
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	won, newAmount, date := models.DealStageWon, 7500000, models.Date("2026-03-31")

	cases := []struct {
		action  models.LexiAction
		payload any
		changed []string // ids whose record changes; "new" for a created record
		check   func(t *testing.T)
	}{
		{models.LexiActionCreateContact, store.LexiCreateContact{Email: "Cara@Globex.test", FirstName: str("Cara"), LastName: str("Diaz"), Title: str("CTO"), Company: str("Globex")},
			[]string{"new"}, func(t *testing.T) {
				cs, _, _ := st.MatchContacts(ctx, &models.ContactFilter{Company: str("Globex")}, 5)
				if len(cs) != 1 || cs[0].Email != "cara@globex.test" || *cs[0].Title != "CTO" || cs[0].FullName() != "Cara Diaz" {
					t.Fatalf("created %+v", cs)
				}
			}},
		{models.LexiActionUpdateContact, store.LexiUpdateContact{ContactID: bob.ID, Title: str("Head of Finance"), Company: str("Globex Inc")},
			[]string{bob.ID}, func(t *testing.T) {
				c, _ := st.Contact(ctx, bob.ID)
				if *c.Title != "Head of Finance" || *c.Company != "Globex Inc" || c.Email != bob.Email {
					t.Fatalf("updated %+v", c)
				}
			}},
		{models.LexiActionRemoveContactsFromList, store.LexiRemoveFromList{ListID: list.ID, ContactIDs: []string{ann.ID}},
			[]string{list.ID}, func(t *testing.T) {
				cs, _, _ := st.MatchContacts(ctx, &models.ContactFilter{ListID: &list.ID}, 5)
				if len(cs) != 1 || cs[0].ID != bob.ID {
					t.Fatalf("members %+v", cs)
				}
			}},
		{models.LexiActionUntagContacts, store.LexiUntagContacts{Tag: "churn-risk", ContactIDs: []string{ann.ID, bob.ID}},
			[]string{ann.ID}, func(t *testing.T) {
				c, _ := st.Contact(ctx, ann.ID)
				if !slices.Equal(c.TagList, []string{"vip"}) {
					t.Fatalf("tags %v", c.TagList)
				}
			}},
		{models.LexiActionCreateDeal, store.LexiCreateDeal{Title: "Globex pilot", Amount: &newAmount, Stage: &won, ContactID: &bob.ID, CloseDate: &date},
			[]string{"new"}, func(t *testing.T) {
				d, err := st.DealByTitle(ctx, "Globex pilot")
				if err != nil || d.Amount != 7500000 || d.Stage != won || *d.ContactID != bob.ID || *d.CloseDate != date {
					t.Fatalf("created %+v %v", d, err)
				}
			}},
		{models.LexiActionUpdateDeal, store.LexiUpdateDeal{DealID: deal.ID, Amount: &newAmount, CloseDate: &date, Stage: &won},
			[]string{deal.ID}, func(t *testing.T) {
				d, _ := st.Deal(ctx, deal.ID)
				if d.Amount != 7500000 || *d.CloseDate != date || d.Stage != won || d.Title != "Acme upgrade" {
					t.Fatalf("updated %+v", d)
				}
			}},
		{models.LexiActionUpdateCampaign, store.LexiUpdateCampaign{CampaignID: camp.ID, Name: str("Spring Invite"), ListID: &list.ID},
			[]string{camp.ID}, func(t *testing.T) {
				c, _ := st.Campaign(ctx, camp.ID)
				if c.Name != "Spring Invite" || *c.ListID != list.ID || c.Status != models.CampaignStatusDraft {
					t.Fatalf("updated %+v", c)
				}
			}},
	}
	for _, tc := range cases {
		t.Run(string(tc.action), func(t *testing.T) {
			before := snapshot(t, ctx, st)
			ex, err := st.SaveLexiExchange(ctx, nil, "msg", "reply", []store.LexiProposal{{Action: tc.action, Title: "t", Description: "d", Payload: tc.payload}})
			if err != nil {
				t.Fatal(err)
			}
			task, err := st.ApproveLexiTask(ctx, ex.Tasks[0].ID, "key")
			if err != nil {
				t.Fatal(err)
			}
			if task.Status != models.LexiTaskStatusExecuted || task.Result == nil {
				t.Fatalf("task %s: %v %v", task.Status, text(task.Result), text(task.Error))
			}
			tc.check(t)
			after := snapshot(t, ctx, st)
			var changed []string
			for id, v := range after {
				if b, ok := before[id]; !ok {
					changed = append(changed, "new")
				} else if b != v {
					changed = append(changed, id)
				}
			}
			if len(after) < len(before) {
				t.Errorf("records disappeared: %v", slices.Collect(maps.Keys(before)))
			}
			slices.Sort(changed)
			want := slices.Sorted(slices.Values(tc.changed))
			if !slices.Equal(changed, want) {
				t.Errorf("changed %v, want %v (result %q)", changed, want, *task.Result)
			}
		})
	}
}

// TestLexiEditActionsFail: an edit refused by the mutation's rules fails the task and
// changes nothing.
func TestLexiEditActionsFail(t *testing.T) {
	st := testdb.Open(t)
	ws, err := st.CreateWorkspace(context.Background(), "Fails", models.PlanPro)
	if err != nil {
		t.Fatal(err)
	}
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	if _, err := st.CreateContact(ctx, models.CreateContactInput{Email: "ann@acme.test"}); err != nil {
		t.Fatal(err)
	}
	bad := models.Date("2026-02-31")
	neg := -1
	for _, p := range []store.LexiProposal{
		{Action: models.LexiActionCreateContact, Payload: store.LexiCreateContact{Email: "ANN@acme.test"}},
		{Action: models.LexiActionCreateContact, Payload: store.LexiCreateContact{Email: "not an email"}},
		{Action: models.LexiActionCreateDeal, Payload: store.LexiCreateDeal{Title: "X", CloseDate: &bad}},
		{Action: models.LexiActionCreateDeal, Payload: store.LexiCreateDeal{Title: "X", Amount: &neg}},
		{Action: models.LexiActionUpdateDeal, Payload: store.LexiUpdateDeal{DealID: "del_01JD3V6Q4Q7W8ZJ5X9N2K4M6PR"}},
		{Action: models.LexiActionUpdateCampaign, Payload: store.LexiUpdateCampaign{CampaignID: "cmp_01JD3V6Q4Q7W8ZJ5X9N2K4M6PR"}},
	} {
		before := snapshot(t, ctx, st)
		p.Title, p.Description = "t", "d"
		ex, err := st.SaveLexiExchange(ctx, nil, "msg", "reply", []store.LexiProposal{p})
		if err != nil {
			t.Fatal(err)
		}
		task, err := st.ApproveLexiTask(ctx, ex.Tasks[0].ID, "key")
		if err != nil {
			t.Fatal(err)
		}
		if task.Status != models.LexiTaskStatusFailed || task.Error == nil {
			t.Errorf("%s %+v: %s", p.Action, p.Payload, task.Status)
		}
		if after := snapshot(t, ctx, st); !maps.Equal(before, after) {
			t.Errorf("%s %+v changed records", p.Action, p.Payload)
		}
	}
}

func text(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
