package lexi_test

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/wbk/crm/models"
)

// records is every record of the fixture a task may change, as JSON by a stable name.
func (f *fixture) records(t *testing.T) map[string]string {
	t.Helper()
	v, err := f.st.LexiVocabulary(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	put := func(k string, x any) {
		b, _ := json.Marshal(x)
		out[k] = string(b)
	}
	for _, c := range v.Contacts {
		c.UpdatedAt = c.CreatedAt
		put("contact "+c.Email, c)
	}
	for _, d := range v.Deals {
		d.UpdatedAt = d.CreatedAt
		put("deal "+d.Title, d)
	}
	for _, c := range v.Campaigns {
		c.UpdatedAt = c.CreatedAt
		put("campaign "+c.Name, c)
	}
	for _, l := range v.Lists {
		ms := slices.Clone(v.Members[l.ID])
		slices.Sort(ms)
		put("list "+l.Name, ms)
	}
	return out
}

// TestApproveEachNewAction: a task of every action Lexi gained, proposed from a message and
// approved, changes exactly the records its description names, as the mutation would.
func TestApproveEachNewAction(t *testing.T) {
	for _, tc := range []struct {
		msg     string
		action  models.LexiAction
		changed []string
		check   func(t *testing.T, f *fixture)
	}{
		{"add a new contact Jane Roe, jane@acme.test, CFO at Acme", models.LexiActionCreateContact, []string{"contact jane@acme.test"},
			func(t *testing.T, f *fixture) {
				c := f.contact(t, "jane@acme.test")
				if c.FullName() != "Jane Roe" || *c.Title != "CFO" || *c.Company != "Acme Corp" {
					t.Errorf("created %+v", c)
				}
			}},
		{"change Ann's title to VP Engineering", models.LexiActionUpdateContact, []string{"contact ann@acme.test"},
			func(t *testing.T, f *fixture) {
				if c := f.contact(t, "ann@acme.test"); *c.Title != "VP Engineering" || *c.Company != "Acme Corp" {
					t.Errorf("updated %+v", c)
				}
			}},
		{"remove Kai from the Events list", models.LexiActionRemoveContactsFromList, []string{"list Events"},
			func(t *testing.T, f *fixture) {
				cs, _, _ := f.st.MatchContacts(f.ctx, &models.ContactFilter{ListID: &f.lists["Events"].ID}, 10)
				if len(cs) != 3 || slices.ContainsFunc(cs, func(c *models.Contact) bool { return c.Email == "kai@northwind.test" }) {
					t.Errorf("members %d", len(cs))
				}
			}},
		{"remove the churn-risk tag from everyone", models.LexiActionUntagContacts, []string{"contact cara@acme.test", "contact finn@globex.test", "contact kai@northwind.test"},
			func(t *testing.T, f *fixture) {
				if c := f.contact(t, "finn@globex.test"); !slices.Equal(c.TagList, []string{"vip"}) {
					t.Errorf("tags %v", c.TagList)
				}
			}},
		{"create a deal called Initech rollout for $35k in proposal with Hugo closing end of next month", models.LexiActionCreateDeal, []string{"deal Initech rollout"},
			func(t *testing.T, f *fixture) {
				d, err := f.st.DealByTitle(f.ctx, "Initech rollout")
				if err != nil || d.Amount != 3500000 || d.Stage != models.DealStageProposal || *d.ContactID != f.contacts["hugo"].ID || *d.CloseDate != "2027-01-31" {
					t.Errorf("created %+v %v", d, err)
				}
			}},
		{"set the Globex renewal amount to $50k and its close date to jan 31", models.LexiActionUpdateDeal, []string{"deal Globex renewal"},
			func(t *testing.T, f *fixture) {
				d, _ := f.st.Deal(f.ctx, f.deals["Globex renewal"].ID)
				if d.Amount != 5000000 || *d.CloseDate != "2027-01-31" || d.Stage != models.DealStageProposal {
					t.Errorf("updated %+v", d)
				}
			}},
		{"switch the Spring Invite campaign to the Q3 prospects list", models.LexiActionUpdateCampaign, []string{"campaign Spring Invite"},
			func(t *testing.T, f *fixture) {
				c, _ := f.st.Campaign(f.ctx, f.camps["Spring Invite"].ID)
				if *c.ListID != f.lists["Q3 prospects"].ID || c.Name != "Spring Invite" || c.Status != models.CampaignStatusDraft {
					t.Errorf("updated %+v", c)
				}
			}},
	} {
		t.Run(string(tc.action), func(t *testing.T) {
			f := newFixture(t)
			turn := f.say(t, nil, tc.msg)
			if len(turn.Proposals) != 1 || turn.Proposals[0].Action != tc.action {
				t.Fatalf("%q: %v", tc.msg, turn.Facts)
			}
			before := f.records(t)
			ex, err := f.st.SaveLexiExchange(f.ctx, nil, tc.msg, turn.Reply, turn.Proposals)
			if err != nil {
				t.Fatal(err)
			}
			task, err := f.st.ApproveLexiTask(f.ctx, ex.Tasks[0].ID, "test")
			if err != nil || task.Status != models.LexiTaskStatusExecuted {
				t.Fatalf("approve: %v %+v", err, task)
			}
			tc.check(t, f)
			after := f.records(t)
			var changed []string
			for k, v := range after {
				if before[k] != v {
					changed = append(changed, k)
				}
			}
			for k := range before {
				if _, ok := after[k]; !ok {
					changed = append(changed, k)
				}
			}
			slices.Sort(changed)
			if want := slices.Sorted(slices.Values(tc.changed)); !slices.Equal(changed, want) {
				t.Errorf("changed %v, want %v (%s)", changed, want, *task.Result)
			}
		})
	}
}

func (f *fixture) contact(t *testing.T, email string) *models.Contact {
	t.Helper()
	cs, _, err := f.st.MatchContacts(f.ctx, &models.ContactFilter{Search: &email}, 5)
	if err != nil || len(cs) != 1 {
		t.Fatalf("contact %s: %v %v", email, cs, err)
	}
	return cs[0]
}
