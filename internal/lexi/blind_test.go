package lexi_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/lexi"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// The blind batches: messages written by someone who never read Lexi's code, tests or docs,
// against a workspace of their own (testdata/blind/, described in its FORMAT.md). Each batch
// must keep at least the share of messages understood that it had when it was last measured.
var blindFloors = map[string]float64{
	"batch1_terse.jsonl":     1.00, // 45 of 50 when first run
	"batch2_chatty.jsonl":    1.00, // 34 of 50 when first run
	"batch3_nonnative.jsonl": 1.00, // 35 of 50 when first run
	"batch4_mixed.jsonl":     0.78, // measured once, unseen, after the others: not tuned on
}

type blindWorkspace struct {
	Today    string `json:"today"`
	Contacts []struct {
		First   string   `json:"first_name"`
		Last    string   `json:"last_name"`
		Email   string   `json:"email"`
		Title   string   `json:"title"`
		Company string   `json:"company"`
		Tags    []string `json:"tags"`
	} `json:"contacts"`
	Lists []struct {
		Name    string   `json:"name"`
		Members []string `json:"members"`
	} `json:"lists"`
	Deals []struct {
		Title    string `json:"title"`
		Amount   int    `json:"amount"`
		Currency string `json:"currency"`
		Stage    string `json:"stage"`
		Close    string `json:"close_date"`
		Contact  string `json:"contact"`
	} `json:"deals"`
	Campaigns []struct {
		Name    string `json:"name"`
		Subject string `json:"subject"`
		List    string `json:"list"`
		Status  string `json:"status"`
	} `json:"campaigns"`
}

type blindLine struct {
	ID           string `json:"id"`
	Message      string `json:"message"`
	Conversation string `json:"conversation"`
	Expect       struct {
		Kind     string            `json:"kind"`
		Mentions []string          `json:"mentions"`
		Excludes []string          `json:"excludes"`
		Action   string            `json:"action"`
		Records  []string          `json:"records"`
		Fields   map[string]string `json:"fields"`
		About    string            `json:"about"`
	} `json:"expect"`
}

// blindFixture loads workspace.json into a fresh workspace; names maps every id to the name
// the batches use for it (an email, a deal's title, a list's or campaign's name).
func blindFixture(t *testing.T) (context.Context, *lexi.Builtin, map[string]string) {
	t.Helper()
	raw, err := os.ReadFile("testdata/blind/workspace.json")
	if err != nil {
		t.Fatal(err)
	}
	var w blindWorkspace
	if err := json.Unmarshal(raw, &w); err != nil {
		t.Fatal(err)
	}
	today, err := time.Parse(time.DateOnly, w.Today)
	if err != nil {
		t.Fatal(err)
	}
	st := testdb.Open(t)
	ws, err := st.CreateWorkspace(context.Background(), "Blind", models.PlanPro)
	if err != nil {
		t.Fatal(err)
	}
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	names := map[string]string{}
	byEmail := map[string]string{}
	for _, c := range w.Contacts {
		first, last, title, co := c.First, c.Last, c.Title, c.Company
		got, err := st.CreateContact(ctx, models.CreateContactInput{Email: c.Email, FirstName: &first, LastName: &last, Title: &title, Company: &co, Tags: c.Tags})
		if err != nil {
			t.Fatal(err)
		}
		names[got.ID], byEmail[c.Email] = got.Email, got.ID
	}
	lists := map[string]string{}
	for _, l := range w.Lists {
		got, err := st.CreateList(ctx, models.CreateListInput{Name: l.Name})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range l.Members {
			ids = append(ids, byEmail[m])
		}
		if _, err := st.AddContactsToList(ctx, got.ID, ids); err != nil {
			t.Fatal(err)
		}
		names[got.ID], lists[l.Name] = got.Name, got.ID
	}
	for _, d := range w.Deals {
		amount, cur, stage, date, contact := d.Amount*100, d.Currency, models.DealStage(d.Stage), models.Date(d.Close), byEmail[d.Contact]
		got, err := st.CreateDeal(ctx, models.CreateDealInput{Title: d.Title, Amount: &amount, Currency: &cur, Stage: &stage, CloseDate: &date, ContactID: &contact})
		if err != nil {
			t.Fatal(err)
		}
		names[got.ID] = got.Title
	}
	for _, c := range w.Campaigns {
		subject, list := c.Subject, lists[c.List]
		got, err := st.CreateCampaign(ctx, models.CreateCampaignInput{Name: c.Name, Subject: &subject, ListID: &list})
		if err != nil {
			t.Fatal(err)
		}
		if status := models.CampaignStatus(c.Status); status != models.CampaignStatusDraft {
			in := models.UpdateCampaignInput{Status: &status}
			if status == models.CampaignStatusScheduled {
				at := today.AddDate(0, 0, 30)
				in.ScheduledAt = &at
			}
			if _, err := st.UpdateCampaign(ctx, got.ID, in); err != nil {
				t.Fatal(err)
			}
		}
		names[got.ID] = got.Name
	}
	now := today.Add(10 * time.Hour)
	return ctx, &lexi.Builtin{Store: st, Now: func() time.Time { return now }}, names
}

// normalizeReply is FORMAT.md's normalisation: no "$", no thousands separators, lower case.
func normalizeReply(s string) string {
	s = strings.ReplaceAll(s, "$", "")
	rs := []rune(s)
	var b strings.Builder
	for i, r := range rs {
		if strings.ContainsRune(", \u00a0\u202f'", r) && i > 0 && i+1 < len(rs) && rs[i-1] >= '0' && rs[i-1] <= '9' && rs[i+1] >= '0' && rs[i+1] <= '9' {
			continue
		}
		b.WriteRune(r)
	}
	return strings.ToLower(b.String())
}

var blindActions = map[string]models.LexiAction{"create_contact": models.LexiActionCreateContact, "update_contact": models.LexiActionUpdateContact,
	"tag_contacts": models.LexiActionTagContacts, "untag_contacts": models.LexiActionUntagContacts, "add_to_list": models.LexiActionAddContactsToList,
	"remove_from_list": models.LexiActionRemoveContactsFromList, "create_list": models.LexiActionCreateList, "create_deal": models.LexiActionCreateDeal,
	"update_deal": models.LexiActionUpdateDeal, "create_campaign": models.LexiActionCreateCampaign, "update_campaign": models.LexiActionUpdateCampaign}

// taskView is what a proposed task changes: the existing records and the fields it sets.
func taskView(p lexi.Proposal, names map[string]string) (records []string, fields map[string]string) {
	fields = map[string]string{}
	set := func(k string, v *string) {
		if v != nil {
			fields[k] = *v
		}
	}
	ids := func(idList ...string) {
		for _, id := range idList {
			records = append(records, names[id])
		}
	}
	switch x := p.Payload.(type) {
	case store.LexiCreateList:
		ids(x.ContactIDs...)
		fields["name"] = x.Name
	case store.LexiAddToList:
		ids(x.ContactIDs...)
		fields["list"] = names[x.ListID]
	case store.LexiRemoveFromList:
		ids(x.ContactIDs...)
		fields["list"] = names[x.ListID]
	case store.LexiTagContacts:
		ids(x.ContactIDs...)
		fields["tag"] = x.Tag
	case store.LexiUntagContacts:
		ids(x.ContactIDs...)
		fields["tag"] = x.Tag
	case store.LexiDealStage:
		ids(x.DealID)
		fields["stage"] = string(x.Stage)
	case store.LexiUpdateDeal:
		ids(x.DealID)
		set("title", x.Title)
		if x.Amount != nil {
			fields["amount"] = strconv.Itoa(*x.Amount / 100)
		}
		if x.Stage != nil {
			fields["stage"] = string(*x.Stage)
		}
		if x.CloseDate != nil {
			fields["closeDate"] = string(*x.CloseDate)
		}
		if x.ContactID != nil {
			fields["contact"] = names[*x.ContactID]
		}
	case store.LexiCreateDeal:
		fields["title"] = x.Title
		if x.Amount != nil {
			fields["amount"] = strconv.Itoa(*x.Amount / 100)
		}
		if x.Stage != nil {
			fields["stage"] = string(*x.Stage)
		}
		if x.CloseDate != nil {
			fields["closeDate"] = string(*x.CloseDate)
		}
		if x.ContactID != nil {
			fields["contact"] = names[*x.ContactID]
		}
	case store.LexiCreateContact:
		fields["email"] = x.Email
		set("firstName", x.FirstName)
		set("lastName", x.LastName)
		set("company", x.Company)
		set("title", x.Title)
	case store.LexiUpdateContact:
		ids(x.ContactID)
		set("email", x.Email)
		set("firstName", x.FirstName)
		set("lastName", x.LastName)
		set("company", x.Company)
		set("title", x.Title)
	case store.LexiCreateCampaign:
		fields["name"] = x.Name
		set("subject", x.Subject)
		if x.ListID != nil {
			fields["list"] = names[*x.ListID]
		}
	case store.LexiUpdateCampaign:
		ids(x.CampaignID)
		set("name", x.Name)
		set("subject", x.Subject)
		if x.ListID != nil {
			fields["list"] = names[*x.ListID]
		}
	}
	return records, fields
}

// judge says why a turn does not meet a line's expectation, or "" when it does.
func judge(l blindLine, turn *lexi.Turn, names map[string]string) string {
	e := l.Expect
	reply := normalizeReply(turn.Reply)
	switch e.Kind {
	case "answer", "refuse", "clarify":
		if len(turn.Proposals) > 0 {
			return fmt.Sprintf("proposed %s %q", turn.Proposals[0].Action, turn.Proposals[0].Title)
		}
		for _, m := range e.Mentions {
			if !strings.Contains(reply, normalizeReply(m)) {
				return fmt.Sprintf("reply lacks %q", m)
			}
		}
		for _, x := range e.Excludes {
			if strings.Contains(reply, normalizeReply(x)) {
				return fmt.Sprintf("reply has %q", x)
			}
		}
		return ""
	case "task":
		if len(turn.Proposals) != 1 {
			return fmt.Sprintf("%d tasks", len(turn.Proposals))
		}
		p := turn.Proposals[0]
		want := blindActions[e.Action]
		records, fields := taskView(p, names)
		if p.Action != want && !(want == models.LexiActionUpdateDeal && p.Action == models.LexiActionUpdateDealStage && len(e.Fields) == 1 && e.Fields["stage"] != "") {
			return fmt.Sprintf("action %s, want %s", p.Action, want)
		}
		got := slices.Sorted(slices.Values(records))
		exp := slices.Sorted(slices.Values(e.Records))
		if !slices.Equal(got, exp) {
			return fmt.Sprintf("records %v, want %v", got, exp)
		}
		for k, v := range e.Fields {
			g, ok := fields[k]
			switch {
			case !ok:
				return fmt.Sprintf("no %s (fields %v)", k, fields)
			case k == "list" || k == "stage":
				if !strings.EqualFold(g, v) {
					return fmt.Sprintf("%s %q, want %q", k, g, v)
				}
			case g != v:
				return fmt.Sprintf("%s %q, want %q", k, g, v)
			}
		}
		return ""
	}
	return "unknown expectation " + e.Kind
}

// scoreBatch runs one batch file and returns how many lines passed, and the failures.
func scoreBatch(t *testing.T, file string) (passed, total int, failures []string) {
	ctx, b, names := blindFixture(t)
	fh, err := os.Open("testdata/blind/" + file)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	var conv string
	var history []*models.LexiMessage
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) == "" {
			continue
		}
		var l blindLine
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if l.Conversation == "" || l.Conversation != conv {
			history = nil
		}
		conv = l.Conversation
		turn, err := b.Answer(ctx, history, l.Message)
		if err != nil {
			t.Fatalf("%s %s: %v", file, l.ID, err)
		}
		history = append(history, &models.LexiMessage{Role: models.LexiRoleUser, Content: l.Message},
			&models.LexiMessage{Role: models.LexiRoleAssistant, Content: turn.Reply})
		total++
		if why := judge(l, turn, names); why != "" {
			failures = append(failures, fmt.Sprintf("%s %q: %s\n    reply: %s", l.ID, l.Message, why, strings.ReplaceAll(turn.Reply, "\n", " / ")))
			continue
		}
		passed++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return passed, total, failures
}

// TestBlindBatches scores each blind batch; LEXI_BLIND=<file> runs one batch alone and
// LEXI_BLIND_VERBOSE=1 lists what it did not understand.
func TestBlindBatches(t *testing.T) {
	only := os.Getenv("LEXI_BLIND")
	for _, file := range slices.Sorted(func(yield func(string) bool) {
		for f := range blindFloors {
			if !yield(f) {
				return
			}
		}
	}) {
		if only != "" && only != file {
			continue
		}
		t.Run(file, func(t *testing.T) {
			passed, total, failures := scoreBatch(t, file)
			rate := float64(passed) / float64(total)
			t.Logf("%s: %d of %d understood (%.0f %%)", file, passed, total, 100*rate)
			if os.Getenv("LEXI_BLIND_VERBOSE") != "" {
				for _, f := range failures {
					t.Log(f)
				}
			}
			if rate < blindFloors[file] {
				t.Errorf("%s: %.0f %% understood, below the %.0f %% it reached", file, 100*rate, 100*blindFloors[file])
			}
		})
	}
}
