package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// fxPropose stores one chat turn proposing p and returns its task.
func fxPropose(t *testing.T, st *store.Store, ctx context.Context, action models.LexiAction, payload any) *models.LexiTask {
	t.Helper()
	ex, err := st.SaveLexiExchange(ctx, nil, "please", "proposed", []store.LexiProposal{
		{Action: action, Title: "Task", Description: "What it does", Payload: payload}})
	if err != nil {
		t.Fatalf("propose %s: %v", action, err)
	}
	return ex.Tasks[0]
}

func TestSaveLexiExchange(t *testing.T) {
	st, ctx, ws := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)

	first, err := st.SaveLexiExchange(ctx, nil, "hello", "hi there", nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.ConversationID == "" || first.Message.Role != models.LexiRoleUser || first.Reply.Role != models.LexiRoleAssistant ||
		first.Message.Content != "hello" || first.Reply.Content != "hi there" || len(first.Tasks) != 0 {
		t.Fatalf("first turn: %+v", first)
	}
	if c, err := st.LexiConversation(ctx, first.ConversationID); err != nil || c.WorkspaceID != ws.ID {
		t.Fatalf("conversation: %+v %v", c, err)
	}
	second, err := st.SaveLexiExchange(ctx, &first.ConversationID, "make a list", "here is a task",
		[]store.LexiProposal{{Action: models.LexiActionCreateList, Title: " Create list ", Description: "A new list",
			Payload: store.LexiCreateList{Name: "VIPs"}}})
	if err != nil {
		t.Fatal(err)
	}
	if second.ConversationID != first.ConversationID || len(second.Tasks) != 1 {
		t.Fatalf("second turn: %+v", second)
	}
	task := second.Tasks[0]
	if task.Status != models.LexiTaskStatusPending || task.Title != "Create list" || task.ConversationID == nil ||
		*task.ConversationID != first.ConversationID || !strings.Contains(task.Payload, `"VIPs"`) {
		t.Errorf("proposed task: %+v", task)
	}

	// Refused turns store nothing: no conversation, no message, no task.
	for _, tc := range []struct {
		name      string
		conv      *string
		proposals []store.LexiProposal
		code      apperr.Code // "" for an internal refusal (a proposal no task could run)
		field     string
	}{
		{name: "unknown conversation", conv: fxPtr("lxc_nope"), code: apperr.ENOTFOUND, field: "input.conversationId"},
		{name: "another workspace's conversation", conv: &first.ConversationID, code: apperr.ENOTFOUND, field: "input.conversationId"},
		{name: "unknown action", proposals: []store.LexiProposal{{Action: "DROP_TABLES", Title: "t", Description: "d", Payload: struct{}{}}}},
		{name: "payload of another action", proposals: []store.LexiProposal{{Action: models.LexiActionCreateList, Title: "t", Description: "d",
			Payload: store.LexiDealStage{DealID: "dea_x", Stage: models.DealStageWon}}}},
		{name: "a stage no deal can take", proposals: []store.LexiProposal{{Action: models.LexiActionUpdateDealStage, Title: "t", Description: "d",
			Payload: store.LexiDealStage{DealID: "dea_x", Stage: "SIDEWAYS"}}}},
		{name: "payload that is no JSON object", proposals: []store.LexiProposal{{Action: models.LexiActionAddContactsToList, Title: "t", Description: "d", Payload: 7}}},
		{name: "empty title", proposals: []store.LexiProposal{{Action: models.LexiActionCreateList, Title: " ", Description: "d",
			Payload: store.LexiCreateList{Name: "x"}}}, code: apperr.EINVALID, field: "title"},
		{name: "empty description", proposals: []store.LexiProposal{{Action: models.LexiActionCreateList, Title: "t", Description: "",
			Payload: store.LexiCreateList{Name: "x"}}}, code: apperr.EINVALID, field: "description"},
	} {
		c := ctx
		if tc.name == "another workspace's conversation" {
			c = other
		}
		_, err := st.SaveLexiExchange(c, tc.conv, "m", "r", tc.proposals)
		if tc.code == "" {
			if err == nil || apperr.As(err) != nil {
				t.Errorf("%s: %v, want a refusal that is not an input error", tc.name, err)
			}
			continue
		}
		fxWantCode(t, tc.name, err, tc.code, tc.field)
	}
	for _, c := range []context.Context{ctx, other} {
		tasks, err := st.LexiTasks(c, store.PageArgs{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := tasks.Count(c); n != map[bool]int{true: 1, false: 0}[c == ctx] {
			t.Errorf("%d tasks stored, want only the one proposed", n)
		}
	}
	history, err := st.LexiHistory(ctx, first.ConversationID, 10)
	if err != nil || len(history) != 4 {
		t.Fatalf("history: %d messages (%v), want 4", len(history), err)
	}
	var said []string
	for _, m := range history {
		said = append(said, m.Content)
	}
	if got := strings.Join(said, "|"); got != "hello|hi there|make a list|here is a task" {
		t.Errorf("history oldest first: %s", got)
	}
	if last, _ := st.LexiHistory(ctx, first.ConversationID, 2); len(last) != 2 || last[0].Content != "make a list" {
		t.Errorf("the last two messages: %+v", last)
	}
	if foreign, err := st.LexiHistory(other, first.ConversationID, 10); err != nil || len(foreign) != 0 {
		t.Errorf("another workspace reads %d messages of the conversation (%v)", len(foreign), err)
	}
}

// TestApproveLexiTaskRunsItsAction approves one task of each action that builds records and
// checks the records and the result text.
func TestApproveLexiTaskRunsItsAction(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	ann := fxContact(t, st, ctx, models.CreateContactInput{Email: "ann@example.com", Tags: []string{"vip"}})
	bob := fxContact(t, st, ctx, models.CreateContactInput{Email: "bob@example.com"})
	list := fxList(t, st, ctx, "Customers")
	if _, err := st.AddContactsToList(ctx, list.ID, []string{ann.ID}); err != nil {
		t.Fatal(err)
	}
	deal, err := st.CreateDeal(ctx, models.CreateDealInput{Title: "Big one"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertProspects(ctx, []store.ProspectRecord{{FullName: "Pat Doe", Email: "pat@example.com"}}); err != nil {
		t.Fatal(err)
	}
	catalog, err := st.Prospects(ctx, store.PageArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pat := catalog.Edges[0].Node

	for _, tc := range []struct {
		action  models.LexiAction
		payload any
		result  string
		check   func() string // "" when the records are right
	}{
		{models.LexiActionCreateList, store.LexiCreateList{Name: "Hot", Description: fxPtr("warm leads"), ContactIDs: []string{ann.ID, bob.ID}},
			"Created list Hot with 2 contacts", func() string {
				l, err := st.ListByName(ctx, "hot")
				if err != nil || fxText(l.Description) != "warm leads" {
					return "list Hot not stored"
				}
				return fxMembers(t, st, ctx, l.ID, ann.ID, bob.ID)
			}},
		{models.LexiActionAddContactsToList, store.LexiAddToList{ListID: list.ID, ContactIDs: []string{ann.ID, bob.ID, bob.ID}},
			"Added 1 contact to list Customers (1 was already in it)", func() string { return fxMembers(t, st, ctx, list.ID, ann.ID, bob.ID) }},
		{models.LexiActionTagContacts, store.LexiTagContacts{Tag: "VIP", ContactIDs: []string{ann.ID, bob.ID}},
			"Tagged 1 contact as VIP", func() string {
				b, _ := st.Contact(ctx, bob.ID)
				a, _ := st.Contact(ctx, ann.ID)
				if strings.Join(b.TagList, ",") != "vip" || strings.Join(a.TagList, ",") != "vip" {
					return "tags " + strings.Join(a.TagList, ",") + " / " + strings.Join(b.TagList, ",")
				}
				return ""
			}},
		{models.LexiActionUpdateDealStage, store.LexiDealStage{DealID: deal.ID, Stage: models.DealStageWon},
			"Moved deal Big one from lead to won", func() string {
				if d, _ := st.Deal(ctx, deal.ID); d.Stage != models.DealStageWon {
					return "stage " + string(d.Stage)
				}
				return ""
			}},
		{models.LexiActionCreateCampaign, store.LexiCreateCampaign{Name: "Launch", ListID: &list.ID},
			"Created draft campaign Launch for list Customers", func() string {
				conn, _ := st.Campaigns(ctx, store.PageArgs{}, &models.CampaignFilter{ListID: &list.ID})
				if len(conn.Edges) != 1 || conn.Edges[0].Node.Status != models.CampaignStatusDraft {
					return "campaign not stored as a draft of the list"
				}
				return ""
			}},
		{models.LexiActionCreateCampaign, store.LexiCreateCampaign{Name: "Listless"},
			"Created draft campaign Listless", func() string { return "" }},
		{models.LexiActionImportProspects, store.LexiImportProspects{ProspectIDs: []string{pat.ID}, ListID: &list.ID},
			"Imported 1 prospect as contacts", func() string {
				cs, n, err := st.MatchContacts(ctx, &models.ContactFilter{Search: fxPtr("pat@")}, 5)
				if err != nil || n != 1 {
					return "imported contact not found"
				}
				return fxMembers(t, st, ctx, list.ID, ann.ID, bob.ID, cs[0].ID)
			}},
	} {
		task := fxPropose(t, st, ctx, tc.action, tc.payload)
		got, err := st.ApproveLexiTask(ctx, task.ID, "key_approver")
		if err != nil {
			t.Fatalf("%s: %v", tc.action, err)
		}
		if got.Status != models.LexiTaskStatusExecuted || fxText(got.Result) != tc.result || got.Error != nil ||
			got.DecidedAt == nil || fxText(got.DecidedBy) != "key_approver" {
			t.Errorf("%s: %s result %q error %q, want EXECUTED %q", tc.action, got.Status, fxText(got.Result), fxText(got.Error), tc.result)
		}
		if stored, _ := st.LexiTask(ctx, task.ID); stored.Status != models.LexiTaskStatusExecuted || fxText(stored.Result) != tc.result {
			t.Errorf("%s: stored as %s %q", tc.action, stored.Status, fxText(stored.Result))
		}
		if msg := tc.check(); msg != "" {
			t.Errorf("%s: %s", tc.action, msg)
		}
	}
}

// fxMembers reports how list's members differ from want, or "".
func fxMembers(t *testing.T, st *store.Store, ctx context.Context, listID string, want ...string) string {
	t.Helper()
	cs, n, err := st.MatchContacts(ctx, &models.ContactFilter{ListID: &listID}, 100)
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, c := range cs {
		have[c.ID] = true
	}
	for _, id := range want {
		if !have[id] {
			return "member " + id + " missing"
		}
	}
	if n != len(want) || len(cs) != len(want) {
		return "unexpected members"
	}
	return ""
}

// TestApproveLexiTaskRefusedByTheRulesFails: an action the store's rules refuse now (a name
// taken since, a record deleted since) records the task as FAILED with the reason and changes
// nothing; the task is decided and cannot be decided again.
func TestApproveLexiTaskRefusedByTheRulesFails(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	ann := fxContact(t, st, ctx, models.CreateContactInput{Email: "ann@example.com"})
	gone := fxContact(t, st, ctx, models.CreateContactInput{Email: "gone@example.com"})
	list := fxList(t, st, ctx, "Taken")
	deal, err := st.CreateDeal(ctx, models.CreateDealInput{Title: "D"})
	if err != nil {
		t.Fatal(err)
	}
	tasks := []struct {
		action  models.LexiAction
		payload any
		error   string // the start of the recorded error
	}{
		{models.LexiActionCreateList, store.LexiCreateList{Name: "TAKEN"}, "Could not create list TAKEN: a list with this name already exists"},
		{models.LexiActionCreateList, store.LexiCreateList{Name: "Fresh", ContactIDs: []string{ann.ID, gone.ID}}, "Could not add the contacts to list Fresh: contact"},
		{models.LexiActionAddContactsToList, store.LexiAddToList{ListID: list.ID, ContactIDs: []string{ann.ID, gone.ID}}, "Could not add the contacts to the list: contact"},
		{models.LexiActionAddContactsToList, store.LexiAddToList{ListID: "lst_gone", ContactIDs: []string{ann.ID}}, "Could not add the contacts to the list: list"},
		{models.LexiActionTagContacts, store.LexiTagContacts{Tag: "x", ContactIDs: []string{ann.ID, gone.ID}}, "Could not tag contact " + gone.ID + " as x: contact"},
		{models.LexiActionTagContacts, store.LexiTagContacts{Tag: "x"}, "at least one id"},
		{models.LexiActionUpdateDealStage, store.LexiDealStage{DealID: "dea_gone", Stage: models.DealStageWon}, "Could not move the deal: deal"},
		{models.LexiActionCreateCampaign, store.LexiCreateCampaign{Name: "C", ListID: fxPtr("lst_gone")}, "Could not create campaign C: list"},
		{models.LexiActionImportProspects, store.LexiImportProspects{ProspectIDs: []string{"prs_gone"}}, "Could not import the prospects: prospect"},
	}
	var proposed []*models.LexiTask
	for _, tc := range tasks {
		proposed = append(proposed, fxPropose(t, st, ctx, tc.action, tc.payload))
	}
	if err := st.DeleteContact(ctx, gone.ID); err != nil { // deleted after the proposals
		t.Fatal(err)
	}
	for i, tc := range tasks {
		got, err := st.ApproveLexiTask(ctx, proposed[i].ID, "key_a")
		if err != nil {
			t.Fatalf("%s: %v", tc.action, err)
		}
		if got.Status != models.LexiTaskStatusFailed || got.Result != nil || !strings.HasPrefix(fxText(got.Error), tc.error) {
			t.Errorf("%s: %s error %q, want FAILED with %q", tc.action, got.Status, fxText(got.Error), tc.error)
		}
	}
	if l, err := st.ListByName(ctx, "Fresh"); err == nil {
		t.Errorf("a failed task left list %s behind", l.ID)
	}
	if a, _ := st.Contact(ctx, ann.ID); len(a.TagList) != 0 {
		t.Errorf("a failed task tagged ann: %v", a.TagList)
	}
	if cs, n, _ := st.MatchContacts(ctx, &models.ContactFilter{ListID: &list.ID}, 10); n != 0 {
		t.Errorf("a failed task added %d members", len(cs))
	}
	if d, _ := st.Deal(ctx, deal.ID); d.Stage != models.DealStageLead {
		t.Errorf("a failed task moved the deal to %s", d.Stage)
	}
	_, err = st.ApproveLexiTask(ctx, proposed[0].ID, "key_a")
	fxWantCode(t, "approving a FAILED task", err, apperr.ECONFLICT, "")
}

func TestLexiTaskDecisions(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	mk := func(name string) *models.LexiTask {
		return fxPropose(t, st, ctx, models.LexiActionCreateList, store.LexiCreateList{Name: name})
	}
	approved, rejected, silent, pending := mk("A"), mk("B"), mk("C"), mk("D")
	if _, err := st.ApproveLexiTask(ctx, approved.ID, "key_a"); err != nil {
		t.Fatal(err)
	}
	got, err := st.RejectLexiTask(ctx, rejected.ID, fxPtr("  not now "), "key_r")
	if err != nil || got.Status != models.LexiTaskStatusRejected || fxText(got.Result) != "not now" || fxText(got.DecidedBy) != "key_r" {
		t.Fatalf("reject with a reason: %+v %v", got, err)
	}
	if got, err := st.RejectLexiTask(ctx, silent.ID, nil, "key_r"); err != nil || got.Result != nil {
		t.Fatalf("reject without a reason: %+v %v", got, err)
	}
	if _, err := st.ListByName(ctx, "B"); apperr.CodeOf(err) != apperr.ENOTFOUND {
		t.Errorf("a rejected task ran its action: %v", err)
	}

	for _, tc := range []struct {
		name string
		do   func() error
		code apperr.Code
	}{
		{"approve an approved task", func() error { _, err := st.ApproveLexiTask(ctx, approved.ID, "k"); return err }, apperr.ECONFLICT},
		{"reject an approved task", func() error { _, err := st.RejectLexiTask(ctx, approved.ID, nil, "k"); return err }, apperr.ECONFLICT},
		{"approve a rejected task", func() error { _, err := st.ApproveLexiTask(ctx, rejected.ID, "k"); return err }, apperr.ECONFLICT},
		{"approve an unknown task", func() error { _, err := st.ApproveLexiTask(ctx, "ltk_nope", "k"); return err }, apperr.ENOTFOUND},
		{"approve from another workspace", func() error { _, err := st.ApproveLexiTask(other, pending.ID, "k"); return err }, apperr.ENOTFOUND},
		{"reject from another workspace", func() error { _, err := st.RejectLexiTask(other, pending.ID, nil, "k"); return err }, apperr.ENOTFOUND},
		{"reason with control characters", func() error { _, err := st.RejectLexiTask(ctx, pending.ID, fxPtr("a\x00"), "k"); return err }, apperr.EINVALID},
	} {
		fxWantCode(t, tc.name, tc.do(), tc.code, "")
	}
	if p, err := st.LexiTask(ctx, pending.ID); err != nil || p.Status != models.LexiTaskStatusPending {
		t.Errorf("the pending task after refused decisions: %+v %v", p, err)
	}

	for _, tc := range []struct {
		status *models.LexiTaskStatus
		want   []string // newest first
	}{
		{nil, []string{pending.ID, silent.ID, rejected.ID, approved.ID}},
		{fxPtr(models.LexiTaskStatusPending), []string{pending.ID}},
		{fxPtr(models.LexiTaskStatusRejected), []string{silent.ID, rejected.ID}},
		{fxPtr(models.LexiTaskStatusExecuted), []string{approved.ID}},
		{fxPtr(models.LexiTaskStatusFailed), nil},
	} {
		conn, err := st.LexiTasks(ctx, store.PageArgs{}, tc.status)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range conn.Edges {
			ids = append(ids, e.Node.ID)
		}
		if strings.Join(ids, ",") != strings.Join(tc.want, ",") {
			t.Errorf("tasks of status %v: %v, want %v", tc.status, ids, tc.want)
		}
		if n, _ := conn.Count(ctx); n != len(tc.want) {
			t.Errorf("tasks of status %v: totalCount %d, want %d", tc.status, n, len(tc.want))
		}
	}
	_, err = st.LexiTasks(ctx, store.PageArgs{}, fxPtr(models.LexiTaskStatus("MAYBE")))
	fxWantCode(t, "unknown status filter", err, apperr.EINVALID, "status")
	if conn, err := st.LexiTasks(other, store.PageArgs{}, nil); err != nil || len(conn.Edges) != 0 {
		t.Errorf("another workspace sees %d tasks (%v)", len(conn.Edges), err)
	}
}

func TestMatchContactsCountsAllAndReturnsTheOldest(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	var acme []string
	for _, e := range []string{"a1@acme.example", "b@other.example", "a2@acme.example", "a3@acme.example"} {
		company := "Other"
		if strings.HasSuffix(e, "acme.example") {
			company = "Acme"
		}
		c := fxContact(t, st, ctx, models.CreateContactInput{Email: e, Company: &company})
		if company == "Acme" {
			acme = append(acme, c.ID)
		}
	}
	fxContact(t, st, other, models.CreateContactInput{Email: "a4@acme.example", Company: fxPtr("Acme")})
	cs, n, err := st.MatchContacts(ctx, &models.ContactFilter{Company: fxPtr("acme")}, 2)
	if err != nil || n != 3 || len(cs) != 2 || cs[0].ID != acme[0] || cs[1].ID != acme[1] {
		t.Errorf("MatchContacts: %d of %d (%v), want the 2 oldest of 3", len(cs), n, err)
	}
}
