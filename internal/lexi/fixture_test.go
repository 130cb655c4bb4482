package lexi_test

import (
	"bufio"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/lexi"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// The sales team the phrasing tests talk about: 12 contacts at four companies with titles
// and tags, three lists, five deals with amounts and close dates, two campaigns; the clock
// stands at Monday, December 7, 2026.
var fixtureNow = time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)

type fixtureContact struct {
	first, last, company, title string
	tags                        []string
}

var fixtureContacts = []fixtureContact{
	{"Ann", "Lee", "Acme Corp", "CTO", []string{"vip", "champion"}},
	{"Bo", "Chen", "Acme Corp", "VP Sales", []string{"vip"}},
	{"Cara", "Diaz", "Acme Corp", "Head of Finance", []string{"churn-risk"}},
	{"Dev", "Patel", "Acme Corp", "Account Executive", nil},
	{"Eve", "Moreau", "Globex Inc", "CTO", []string{"enterprise"}},
	{"Finn", "Olsen", "Globex Inc", "Marketing Manager", []string{"churn-risk", "vip"}},
	{"Gia", "Rossi", "Globex Inc", "VP Marketing", nil},
	{"Hugo", "Brandt", "Initech", "CFO", []string{"enterprise"}},
	{"Ines", "Ortega", "Initech", "Sales Lead", []string{"vip"}},
	{"Jay", "Kim", "Initech", "Engineer", nil},
	{"Kai", "Nakamura", "Northwind Traders", "Head of Finance", []string{"churn-risk"}},
	{"Lena", "Fischer", "Northwind Traders", "CEO", []string{"vip", "enterprise"}},
}

// fixture is the sales team's workspace and a Builtin on it.
type fixture struct {
	ctx      context.Context
	st       *store.Store
	b        *lexi.Builtin
	contacts map[string]*models.Contact // by first name, lower case
	lists    map[string]*models.List
	deals    map[string]*models.Deal
	camps    map[string]*models.Campaign
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	st := testdb.Open(t)
	ws, err := st.CreateWorkspace(context.Background(), "Sales team", models.PlanPro)
	if err != nil {
		t.Fatal(err)
	}
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	f := &fixture{ctx: ctx, st: st, b: &lexi.Builtin{Store: st, Now: func() time.Time { return fixtureNow }},
		contacts: map[string]*models.Contact{}, lists: map[string]*models.List{}, deals: map[string]*models.Deal{}, camps: map[string]*models.Campaign{}}
	for _, fc := range fixtureContacts {
		first, last, co, title := fc.first, fc.last, fc.company, fc.title
		domain := strings.ToLower(strings.Fields(co)[0]) + ".test"
		c, err := st.CreateContact(ctx, models.CreateContactInput{Email: strings.ToLower(first) + "@" + domain, FirstName: &first,
			LastName: &last, Company: &co, Title: &title, Tags: fc.tags})
		if err != nil {
			t.Fatal(err)
		}
		f.contacts[strings.ToLower(first)] = c
	}
	for _, l := range []struct {
		name    string
		members []string
	}{{"Events", []string{"ann", "bo", "eve", "kai"}}, {"Q3 prospects", []string{"cara", "dev", "hugo", "ines", "jay"}},
		{"Newsletter", []string{"ann", "finn", "gia"}}} {
		name, members := l.name, l.members
		l, err := st.CreateList(ctx, models.CreateListInput{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range members {
			ids = append(ids, f.contacts[m].ID)
		}
		if _, err := st.AddContactsToList(ctx, l.ID, ids); err != nil {
			t.Fatal(err)
		}
		f.lists[name] = l
	}
	for _, d := range []struct {
		title   string
		amount  int
		stage   models.DealStage
		contact string
		close   models.Date
	}{
		{"Acme platform", 12000000, models.DealStageNegotiation, "ann", "2026-12-20"},
		{"Globex renewal", 4500000, models.DealStageProposal, "eve", "2027-01-15"},
		{"Initech pilot", 800000, models.DealStageWon, "hugo", "2026-11-30"},
		{"Northwind expansion", 6000000, models.DealStageQualified, "lena", "2026-11-20"},
		{"Acme support add-on", 1500000, models.DealStageLost, "bo", "2026-10-01"},
	} {
		amount, stage, cid, cd := d.amount, d.stage, f.contacts[d.contact].ID, d.close
		deal, err := st.CreateDeal(ctx, models.CreateDealInput{Title: d.title, Amount: &amount, Stage: &stage, ContactID: &cid, CloseDate: &cd})
		if err != nil {
			t.Fatal(err)
		}
		f.deals[d.title] = deal
	}
	for _, cl := range [][2]string{{"Spring Invite", "Events"}, {"Q4 newsletter", "Newsletter"}} {
		name, list := cl[0], cl[1]
		lid := f.lists[list].ID
		c, err := st.CreateCampaign(ctx, models.CreateCampaignInput{Name: name, ListID: &lid})
		if err != nil {
			t.Fatal(err)
		}
		f.camps[name] = c
	}
	return f
}

// say answers one message in a conversation of earlier user messages.
func (f *fixture) say(t testing.TB, earlier []string, msg string) *lexi.Turn {
	t.Helper()
	var history []*models.LexiMessage
	for _, m := range earlier {
		history = append(history, &models.LexiMessage{Role: models.LexiRoleUser, Content: m},
			&models.LexiMessage{Role: models.LexiRoleAssistant, Content: "ok"})
	}
	turn, err := f.b.Answer(f.ctx, history, msg)
	if err != nil {
		t.Fatalf("%q: %v", msg, err)
	}
	return turn
}

// phrasing is one line of a phrasing table: a message, what it must resolve to, and the
// earlier messages of its conversation.
type phrasing struct {
	file    string
	line    int
	earlier []string
	msg     string
	want    string
}

// readPhrasings reads testdata/<name>: one "message → expected" per line; "#" starts a
// comment; a line starting with "+ " continues the conversation of the line before it.
func readPhrasings(t testing.TB, name string) []phrasing {
	t.Helper()
	fh, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []phrasing
	var conv []string
	sc := bufio.NewScanner(fh)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			conv = nil
			continue
		}
		cont := strings.HasPrefix(line, "+ ")
		line = strings.TrimPrefix(line, "+ ")
		msg, want, ok := strings.Cut(line, " → ")
		if !ok {
			t.Fatalf("%s:%d: no \" → \" in %q", name, n, line)
		}
		if !cont {
			conv = nil
		}
		out = append(out, phrasing{file: name, line: n, earlier: append([]string(nil), conv...), msg: strings.TrimSpace(msg), want: strings.TrimSpace(want)})
		conv = append(conv, strings.TrimSpace(msg))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
