package lexi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/lexi"
	"github.com/wbk/crm/internal/seed"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

const (
	fakeKey   = "sk-test-secret-0123456789"
	fakeModel = "test-model"
)

// fakeLLM is an OpenAI-compatible chat completions server that answers from a script and
// records what it was sent.
type fakeLLM struct {
	t      *testing.T
	srv    *httptest.Server
	script func(n int, req *fakeRequest) (status int, body string)

	mu       sync.Mutex
	requests []*fakeRequest
	results  map[string]string // tool_call_id → tool result content
	order    []string          // tool_call_ids in the order first seen
}

type fakeRequest struct {
	Path, Authorization, ContentType string
	Body                             struct {
		Model    string    `json:"model"`
		Messages []fakeMsg `json:"messages"`
		Tools    []struct {
			Type     string `json:"type"`
			Function struct {
				Name        string         `json:"name"`
				Description string         `json:"description"`
				Parameters  map[string]any `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
	}
}

type fakeMsg struct {
	Role       string  `json:"role"`
	Content    *string `json:"content"`
	ToolCallID string  `json:"tool_call_id"`
	ToolCalls  []struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Function struct {
			Name      string `json:"name"`
			Arguments string `json:"arguments"`
		} `json:"function"`
	} `json:"tool_calls"`
}

func (m fakeMsg) content() string {
	if m.Content == nil {
		return ""
	}
	return *m.Content
}

func newFakeLLM(t *testing.T, script func(n int, req *fakeRequest) (int, string)) *fakeLLM {
	t.Helper()
	f := &fakeLLM{t: t, script: script, results: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeLLM) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	req := &fakeRequest{Path: r.URL.Path, Authorization: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type")}
	if err := json.Unmarshal(raw, &req.Body); err != nil {
		f.t.Errorf("fake: request body is not JSON: %v", err)
	}
	f.mu.Lock()
	n := len(f.requests)
	f.requests = append(f.requests, req)
	for _, m := range req.Body.Messages {
		if m.Role == "tool" {
			if _, ok := f.results[m.ToolCallID]; !ok {
				f.order = append(f.order, m.ToolCallID)
			}
			f.results[m.ToolCallID] = m.content()
		}
	}
	f.mu.Unlock()
	if r.URL.Path != "/v1/chat/completions" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	status, body := f.script(n, req)
	if status == 0 { // the script waited for the client to give up
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func (f *fakeLLM) provider(st *store.Store) *lexi.Provider {
	return &lexi.Provider{Store: st, BaseURL: f.srv.URL + "/v1/", APIKey: fakeKey, Model: fakeModel}
}

func (f *fakeLLM) requestCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.requests)
}

func (f *fakeLLM) request(i int) *fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.requests[i]
}

// result returns the tool result the provider sent for a call id.
func (f *fakeLLM) result(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.results[id]
	if !ok {
		f.t.Fatalf("the provider sent no result for tool call %s", id)
	}
	return r
}

// allResults returns every tool result the fake received, in order.
func (f *fakeLLM) allResults() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.order))
	for i, id := range f.order {
		out[i] = f.results[id]
	}
	return out
}

type call struct{ id, name, args string }

// toolCalls is a completion that calls tools.
func toolCalls(calls ...call) (int, string) {
	type fn struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	}
	type tc struct {
		ID       string `json:"id"`
		Type     string `json:"type"`
		Function fn     `json:"function"`
	}
	var tcs []tc
	for _, c := range calls {
		tcs = append(tcs, tc{ID: c.id, Type: "function", Function: fn{Name: c.name, Arguments: c.args}})
	}
	body, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "model": fakeModel,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "tool_calls",
			"message": map[string]any{"role": "assistant", "content": nil, "tool_calls": tcs}}}})
	return http.StatusOK, string(body)
}

// answer is a completion that answers in text.
func answer(text string) (int, string) {
	body, _ := json.Marshal(map[string]any{"id": "chatcmpl-2", "object": "chat.completion", "model": fakeModel,
		"choices": []any{map[string]any{"index": 0, "finish_reason": "stop",
			"message": map[string]any{"role": "assistant", "content": text}}}})
	return http.StatusOK, string(body)
}

// workspaces returns a store with two workspaces: A holds the demo data (60 contacts, 8 at
// Acme, list VIP, deal Globex renewal) and the prospect catalog is loaded; B holds three
// contacts of its own, two of them at a company also called Acme, one list, one deal and
// one campaign.
type tenants struct {
	st         *store.Store
	a, b       context.Context
	wsA, wsB   *models.Workspace
	bContacts  []*models.Contact
	bListName  string
	bDealTitle string
}

func twoWorkspaces(t *testing.T) *tenants {
	t.Helper()
	st := testenv.OpenStore(t)
	bg := context.Background()
	wsA, err := st.CreateWorkspace(store.AsSystem(bg), "Alpha", models.PlanOrg)
	if err != nil {
		t.Fatal(err)
	}
	wsB, err := st.CreateWorkspace(store.AsSystem(bg), "Bravo", models.PlanOrg)
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.Demo(bg, st, wsA); err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertProspects(store.AsSystem(bg), seed.Prospects()); err != nil {
		t.Fatal(err)
	}
	env := &tenants{st: st, a: store.WithWorkspace(bg, wsA.ID), b: store.WithWorkspace(bg, wsB.ID), wsA: wsA, wsB: wsB,
		bListName: "Bravo partners", bDealTitle: "Bravo expansion"}
	for _, in := range []models.CreateContactInput{
		{Email: "zeb.quux@bravo.example", FirstName: pstr("Zebediah"), LastName: pstr("Quux"), Company: pstr("Acme"), Tags: []string{"vip"}},
		{Email: "yolanda.ximenes@bravo.example", FirstName: pstr("Yolanda"), LastName: pstr("Ximenes"), Company: pstr("ACME")},
		{Email: "wanda.vole@bravo.example", FirstName: pstr("Wanda"), LastName: pstr("Vole"), Company: pstr("Initrode")},
	} {
		c, err := st.CreateContact(env.b, in)
		if err != nil {
			t.Fatal(err)
		}
		env.bContacts = append(env.bContacts, c)
	}
	l, err := st.CreateList(env.b, models.CreateListInput{Name: env.bListName})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddContactsToList(env.b, l.ID, []string{env.bContacts[0].ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateDeal(env.b, models.CreateDealInput{Title: env.bDealTitle, Amount: pval(125000),
		Stage: pval(models.DealStageNegotiation), ContactID: &env.bContacts[0].ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateCampaign(env.b, models.CreateCampaignInput{Name: "Bravo launch", ListID: &l.ID}); err != nil {
		t.Fatal(err)
	}
	return env
}

func pstr(s string) *string { return &s }

func pval[T any](v T) *T { return &v }

// lexiRows counts Lexi's rows in every workspace.
func lexiRows(t *testing.T, st *store.Store) (conversations, messages, tasks int64) {
	t.Helper()
	db := st.DB().WithContext(store.AsSystem(context.Background()))
	for _, c := range []struct {
		model any
		n     *int64
	}{{&models.LexiConversation{}, &conversations}, {&models.LexiMessage{}, &messages}, {&models.LexiTask{}, &tasks}} {
		if err := db.Model(c.model).Count(c.n).Error; err != nil {
			t.Fatal(err)
		}
	}
	return
}

// toolResultFor finds, in a request, the result of the tool call with this id.
func toolResultFor(req *fakeRequest, id string) (string, bool) {
	for _, m := range req.Body.Messages {
		if m.Role == "tool" && m.ToolCallID == id {
			return m.content(), true
		}
	}
	return "", false
}

func TestProviderReadToolRoundTrip(t *testing.T) {
	env := twoWorkspaces(t)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		want int
	}{{"workspace A", env.a, 8}, {"workspace B", env.b, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			got := -1
			fake := newFakeLLM(t, func(n int, req *fakeRequest) (int, string) {
				if n == 0 {
					return toolCalls(call{"call_1", "count_contacts", `{"company":"Acme"}`})
				}
				res, ok := toolResultFor(req, "call_1")
				if !ok {
					return http.StatusBadRequest, `{"error":{"message":"no tool result"}}`
				}
				var v struct{ Count int }
				if err := json.Unmarshal([]byte(res), &v); err != nil {
					return http.StatusBadRequest, `{"error":{"message":"bad tool result"}}`
				}
				got = v.Count
				return answer(fmt.Sprintf("There are %d contacts at Acme.", v.Count))
			})
			svc := lexi.NewService(env.st, fake.provider(env.st), nil)
			out, err := svc.Chat(tc.ctx, models.LexiChatInput{Message: "How many contacts at Acme?"})
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("the model was told %d contacts at Acme, want %d", got, tc.want)
			}
			if want := fmt.Sprintf("There are %d contacts at Acme.", tc.want); out.Reply.Content != want {
				t.Fatalf("reply = %q, want %q", out.Reply.Content, want)
			}
			if len(out.Tasks) != 0 {
				t.Fatalf("a read made %d tasks", len(out.Tasks))
			}
			// The second request carries the model's tool call, then its result, in order.
			if fake.requestCount() != 2 {
				t.Fatalf("%d requests, want 2", fake.requestCount())
			}
			msgs := fake.request(1).Body.Messages
			if len(msgs) != 4 || msgs[2].Role != "assistant" || len(msgs[2].ToolCalls) != 1 ||
				msgs[2].ToolCalls[0].ID != "call_1" || msgs[2].ToolCalls[0].Function.Name != "count_contacts" ||
				msgs[2].ToolCalls[0].Function.Arguments != `{"company":"Acme"}` ||
				msgs[3].Role != "tool" || msgs[3].ToolCallID != "call_1" {
				t.Fatalf("second request's messages = %+v", msgs)
			}
			// The turn is stored like any other.
			hist, err := env.st.LexiHistory(tc.ctx, out.ConversationID, 10)
			if err != nil || len(hist) != 2 || hist[1].Content != out.Reply.Content {
				t.Fatalf("history = %v, %v", hist, err)
			}
		})
	}
}

func TestProviderReadTools(t *testing.T) {
	env := twoWorkspaces(t)
	b := env.bContacts
	fake := newFakeLLM(t, func(n int, req *fakeRequest) (int, string) {
		if n == 0 {
			return toolCalls(
				call{"c1", "search_contacts", `{"company":"acme"}`},
				call{"c2", "count_contacts", `{"tag":"VIP"}`},
				call{"c3", "search_contacts", `{"list_name":"bravo PARTNERS"}`},
				call{"c4", "count_deals", `{"stage":"negotiation"}`},
				call{"c5", "search_deals", `{"contact_email":"ZEB.QUUX@bravo.example"}`},
				call{"c6", "list_lists", `{}`},
				call{"c7", "list_campaigns", ``},
				call{"c8", "search_contacts", `{"search":"vole","limit":500}`},
				call{"c9", "count_deals", `{"stage":"heaven"}`},
				call{"c10", "search_contacts", `{not json`},
			)
		}
		if n == 1 {
			// Arguments as an object rather than a string, as some local servers send them,
			// and a tool that does not exist.
			return http.StatusOK, `{"choices":[{"message":{"role":"assistant","content":"","tool_calls":[
				{"id":"d1","type":"function","function":{"name":"count_contacts","arguments":{"company":"Initrode"}}},
				{"id":"d2","type":"function","function":{"name":"drop_database","arguments":"{}"}}]}}]}`
		}
		return answer("Done.")
	})
	out, err := lexi.NewService(env.st, fake.provider(env.st), nil).Chat(env.b, models.LexiChatInput{Message: "Tell me everything"})
	if err != nil {
		t.Fatal(err)
	}
	if out.Reply.Content != "Done." {
		t.Fatalf("reply = %q", out.Reply.Content)
	}
	decode := func(id string) map[string]any {
		var v map[string]any
		if err := json.Unmarshal([]byte(fake.result(id)), &v); err != nil {
			t.Fatalf("result of %s is not JSON: %s", id, fake.result(id))
		}
		return v
	}
	emails := func(v map[string]any) []string {
		var out []string
		for _, c := range v["contacts"].([]any) {
			out = append(out, c.(map[string]any)["email"].(string))
		}
		slices.Sort(out)
		return out
	}
	if v := decode("c1"); v["total"] != 2.0 || !slices.Equal(emails(v), []string{b[1].Email, b[0].Email}) {
		t.Errorf("search_contacts at acme = %v", v)
	}
	if v := decode("c1"); !strings.Contains(fake.result("c1"), `"name":"Zebediah Quux"`) || !strings.Contains(fake.result("c1"), `"company":"Acme"`) {
		t.Errorf("search_contacts rows lack name or company: %v", v)
	}
	if v := decode("c2"); v["count"] != 1.0 {
		t.Errorf("count_contacts tagged VIP = %v", v)
	}
	if v := decode("c3"); v["total"] != 1.0 || !slices.Equal(emails(v), []string{b[0].Email}) {
		t.Errorf("search_contacts in list = %v", v)
	}
	if v := decode("c4"); v["count"] != 1.0 {
		t.Errorf("count_deals in negotiation = %v", v)
	}
	if r := fake.result("c5"); !strings.Contains(r, `"title":"Bravo expansion"`) || !strings.Contains(r, `"amount":"1250.00 USD"`) ||
		!strings.Contains(r, `"contact_name":"Zebediah Quux"`) || !strings.Contains(r, `"stage":"NEGOTIATION"`) {
		t.Errorf("search_deals by contact = %s", r)
	}
	if r := fake.result("c6"); !strings.Contains(r, `"total":1`) || !strings.Contains(r, `"name":"Bravo partners"`) || !strings.Contains(r, `"contacts":1`) {
		t.Errorf("list_lists = %s", r)
	}
	if r := fake.result("c7"); !strings.Contains(r, `"name":"Bravo launch"`) || !strings.Contains(r, `"status":"DRAFT"`) || !strings.Contains(r, `"list":"Bravo partners"`) {
		t.Errorf("list_campaigns = %s", r)
	}
	if v := decode("c8"); v["total"] != 1.0 {
		t.Errorf("search_contacts vole = %v", v)
	}
	for _, id := range []string{"c9", "c10", "d2"} {
		if v := decode(id); v["error"] == nil {
			t.Errorf("result of %s = %v, want an error for the model", id, v)
		}
	}
	if v := decode("d1"); v["count"] != 1.0 {
		t.Errorf("count_contacts with object arguments = %v", v)
	}
}

func TestProviderProposalsBecomePendingTasks(t *testing.T) {
	env := twoWorkspaces(t)
	ctx, st := env.a, env.st

	type snapshot struct {
		contacts, lists, campaigns, enterprise int
		globex                                 models.DealStage
	}
	snap := func() snapshot {
		t.Helper()
		var s snapshot
		var err error
		if _, s.contacts, err = st.MatchContacts(ctx, nil, 0); err != nil {
			t.Fatal(err)
		}
		if _, s.enterprise, err = st.MatchContacts(ctx, &models.ContactFilter{Tag: pstr("enterprise")}, 0); err != nil {
			t.Fatal(err)
		}
		lists, err := st.Lists(ctx, store.PageArgs{First: pval(0)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.lists, err = lists.TotalCount(ctx); err != nil {
			t.Fatal(err)
		}
		cs, err := st.Campaigns(ctx, store.PageArgs{First: pval(0)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if s.campaigns, err = cs.TotalCount(ctx); err != nil {
			t.Fatal(err)
		}
		d, err := st.DealByTitle(ctx, "Globex renewal")
		if err != nil {
			t.Fatal(err)
		}
		s.globex = d.Stage
		return s
	}
	before := snap()

	createList := `{"name":"Acme people","company":"Acme"}`
	fake := newFakeLLM(t, func(n int, req *fakeRequest) (int, string) {
		switch n {
		case 0:
			return toolCalls(
				call{"p1", "propose_create_list", createList},
				call{"p2", "propose_add_contacts_to_list", `{"list_name":"VIP","company":"Acme"}`},
				call{"p3", "propose_tag_contacts", `{"tag":"Enterprise","with_tag":"vip"}`},
				call{"p4", "propose_update_deal_stage", `{"deal_title":"Globex renewal","stage":"NEGOTIATION"}`},
				call{"p5", "propose_create_list", createList}, // the same task twice
				call{"bad1", "propose_update_deal_stage", `{"deal_title":"No such deal","stage":"WON"}`},
				call{"bad2", "propose_create_list", `{}`},
				call{"bad3", "propose_tag_contacts", `{"tag":"x","company":"Acme","with_tag":"vip"}`},
				call{"bad4", "propose_tag_contacts", `{"tag":"x"}`},
				call{"bad5", "propose_create_campaign", `{"name":"Q4","list_name":"Missing"}`},
			)
		case 1:
			return toolCalls(
				call{"p6", "propose_create_campaign", `{"name":"Q4 launch","list_name":"VIP"}`},
				call{"over", "propose_import_prospects", `{"company":"Contoso"}`}, // a sixth task
			)
		case 2:
			return answer("I've proposed these changes; approve them to apply.")
		case 3:
			return toolCalls(call{"p7", "propose_import_prospects", `{"company":"Contoso","list_name":"VIP"}`})
		}
		return answer("") // proposals but no text: the provider summarizes them
	})
	svc := lexi.NewService(st, fake.provider(st), nil)
	out, err := svc.Chat(ctx, models.LexiChatInput{Message: "Set things up for Acme"})
	if err != nil {
		t.Fatal(err)
	}
	out2, err := svc.Chat(ctx, models.LexiChatInput{Message: "And import Contoso", ConversationID: &out.ConversationID})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out2.Reply.Content, "Import") || !strings.Contains(out2.Reply.Content, "approv") {
		t.Errorf("summarized reply = %q", out2.Reply.Content)
	}

	// The tasks are exactly what the built-in assistant proposes for the same requests.
	b := &lexi.Builtin{Store: st}
	wantFor := func(msg string) lexi.Proposal {
		t.Helper()
		_, ps, err := b.Reply(ctx, nil, msg)
		if err != nil || len(ps) != 1 {
			t.Fatalf("builtin %q: %v, %v", msg, ps, err)
		}
		return ps[0]
	}
	want := []lexi.Proposal{
		wantFor("create a list called Acme people with contacts at Acme"),
		wantFor("add contacts at Acme to list VIP"),
		wantFor("tag contacts tagged vip as enterprise"),
		wantFor("move deal Globex renewal to negotiation"),
		wantFor("draft a campaign called Q4 launch for list VIP"),
	}
	got := out.Tasks
	if len(got) != len(want) {
		t.Fatalf("%d tasks, want %d: %+v", len(got), len(want), got)
	}
	got = append(got, out2.Tasks...)
	want = append(want, wantFor("import prospects at Contoso into list VIP"))
	if len(got) != len(want) {
		t.Fatalf("second turn: %d tasks, want 1", len(out2.Tasks))
	}
	for i, task := range got {
		payload, _ := json.Marshal(want[i].Payload)
		if task.Status != models.LexiTaskStatusPending || task.Action != want[i].Action || task.Title != want[i].Title ||
			task.Description != want[i].Description || task.Payload != string(payload) {
			t.Errorf("task %d = %s %s %q %q %s\nwant %s %q %q %s", i, task.Status, task.Action, task.Title, task.Description, task.Payload,
				want[i].Action, want[i].Title, want[i].Description, payload)
		}
		stored, err := st.LexiTask(ctx, task.ID)
		if err != nil || stored.Status != models.LexiTaskStatusPending {
			t.Errorf("stored task %s: %+v, %v", task.ID, stored, err)
		}
	}

	// The model heard about each proposal, the duplicate and each mistake.
	for _, id := range []string{"p1", "p2", "p3", "p4", "p6", "p7"} {
		if r := fake.result(id); !strings.Contains(r, `"status":"proposed"`) {
			t.Errorf("result of %s = %s", id, r)
		}
	}
	if r := fake.result("p5"); !strings.Contains(r, `"status":"already_proposed"`) {
		t.Errorf("duplicate proposal result = %s", r)
	}
	for id, msg := range map[string]string{
		"bad1": "I could not find a deal called No such deal",
		"bad2": "name is required",
		"bad3": "not both",
		"bad4": "all_contacts",
		"bad5": "There is no list named Missing",
		"over": "at most 5 tasks",
	} {
		if r := fake.result(id); !strings.Contains(r, `"error"`) || !strings.Contains(r, msg) {
			t.Errorf("result of %s = %s, want an error mentioning %q", id, r, msg)
		}
	}

	// Nothing changed in the CRM.
	if after := snap(); after != before {
		t.Fatalf("CRM data changed: %+v → %+v", before, after)
	}
	pending := models.LexiTaskStatusPending
	conn, err := st.LexiTasks(ctx, store.PageArgs{}, &pending)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := conn.TotalCount(ctx); n != 6 {
		t.Fatalf("%d pending tasks, want 6", n)
	}

	// And the tasks run when approved, like the built-in assistant's.
	approver := auth.WithPrincipal(ctx, &auth.Principal{Workspace: env.wsA,
		Key: &models.ApiKey{ID: "key_test", WorkspaceID: env.wsA.ID, Scopes: models.ParsePermissionSet("read,write,lexi")}})
	done, err := svc.Approve(approver, got[0].ID)
	if err != nil || done.Status != models.LexiTaskStatusExecuted {
		t.Fatalf("approve: %+v, %v", done, err)
	}
	l, err := st.ListByName(ctx, "Acme people")
	if err != nil {
		t.Fatal(err)
	}
	if _, n, _ := st.MatchContacts(ctx, &models.ContactFilter{ListID: &l.ID}, 0); n != 8 {
		t.Fatalf("approved list has %d members, want 8", n)
	}
}

func TestProviderIsolation(t *testing.T) {
	env := twoWorkspaces(t)
	ctxA, ctxB, st := env.a, env.b, env.st

	// Everything of A that B must never see.
	var secrets []string
	aContacts, _, err := st.MatchContacts(ctxA, nil, 1000)
	if err != nil || len(aContacts) < 50 {
		t.Fatalf("A's contacts: %d, %v", len(aContacts), err)
	}
	for _, c := range aContacts {
		secrets = append(secrets, c.ID, c.Email, c.FullName())
	}
	aLists, err := st.Lists(ctxA, store.PageArgs{First: pval(100)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var aVIP *models.List
	for _, l := range aLists.Nodes() {
		secrets = append(secrets, l.ID)
		if l.Name != "VIP" { // B's model asks for "VIP" by name: an echo of it is no leak
			secrets = append(secrets, l.Name)
		} else {
			aVIP = l
		}
	}
	aDeals, err := st.Deals(ctxA, store.PageArgs{First: pval(100)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range aDeals.Nodes() {
		secrets = append(secrets, d.ID)
		if d.Title != "Globex renewal" {
			secrets = append(secrets, d.Title)
		}
	}
	aCampaigns, err := st.Campaigns(ctxA, store.PageArgs{First: pval(100)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range aCampaigns.Nodes() {
		secrets = append(secrets, c.ID, c.Name)
	}
	if aVIP == nil || len(aDeals.Nodes()) == 0 || len(aCampaigns.Nodes()) == 0 {
		t.Fatal("demo data changed")
	}

	a0 := aContacts[0]
	fake := newFakeLLM(t, func(n int, req *fakeRequest) (int, string) {
		if n == 0 {
			return toolCalls(
				call{"r1", "search_contacts", `{}`},
				call{"r2", "search_contacts", `{"company":"Acme"}`},
				call{"r3", "count_contacts", `{}`},
				call{"r4", "search_contacts", fmt.Sprintf(`{"list_id":%q}`, aVIP.ID)},
				call{"r5", "count_contacts", `{"list_name":"VIP"}`},
				call{"r6", "search_deals", `{}`},
				call{"r7", "count_deals", `{}`},
				call{"r8", "search_deals", fmt.Sprintf(`{"contact_id":%q}`, a0.ID)},
				call{"r9", "search_deals", fmt.Sprintf(`{"contact_email":%q}`, a0.Email)},
				call{"r10", "list_lists", `{}`},
			)
		}
		if n == 1 {
			return toolCalls(
				call{"s1", "list_campaigns", `{}`},
				call{"s2", "search_contacts", fmt.Sprintf(`{"search":%q}`, strings.Split(a0.Email, "@")[1])},
				call{"q1", "propose_add_contacts_to_list", `{"list_name":"VIP","all_contacts":true}`},
				call{"q2", "propose_update_deal_stage", `{"deal_title":"Globex renewal","stage":"WON"}`},
				call{"q3", "propose_create_campaign", `{"name":"Spy","list_name":"VIP"}`},
				call{"q4", "propose_tag_contacts", `{"tag":"hot","company":"Acme"}`},
			)
		}
		// The reply repeats every tool result, the worst a model could do.
		var sb strings.Builder
		for _, m := range req.Body.Messages {
			if m.Role == "tool" {
				sb.WriteString(m.content() + "\n")
			}
		}
		return answer(sb.String())
	})
	out, err := lexi.NewService(st, fake.provider(st), nil).Chat(ctxB, models.LexiChatInput{Message: "Show me everything"})
	if err != nil {
		t.Fatal(err)
	}
	results := fake.allResults()
	if len(results) != 16 {
		t.Fatalf("%d tool results, want 16", len(results))
	}
	all := strings.Join(results, "\n") + "\n" + out.Reply.Content
	for _, s := range secrets {
		if strings.Contains(all, s) {
			t.Fatalf("workspace B's chat saw %q of workspace A", s)
		}
	}
	// B saw its own data (the check above is not vacuous).
	for _, s := range []string{env.bContacts[0].Email, "Zebediah Quux", env.bListName, env.bDealTitle, "Bravo launch"} {
		if !strings.Contains(all, s) {
			t.Errorf("workspace B's chat did not see its own %q", s)
		}
	}
	if r := fake.result("r3"); r != `{"count":3}` {
		t.Errorf("count_contacts in B = %s", r)
	}
	for _, id := range []string{"r4", "r8"} {
		if r := fake.result(id); !strings.Contains(r, `"total":0`) {
			t.Errorf("result of %s with an id of A = %s, want nothing", id, r)
		}
	}
	for _, id := range []string{"r5", "r9", "q1", "q2", "q3"} {
		if r := fake.result(id); !strings.Contains(r, `"error"`) {
			t.Errorf("result of %s naming A's data = %s, want an error", id, r)
		}
	}
	// One task, in B, about B's contacts only; none in A.
	if len(out.Tasks) != 1 {
		t.Fatalf("%d tasks, want 1", len(out.Tasks))
	}
	var p store.LexiTagContacts
	if err := json.Unmarshal([]byte(out.Tasks[0].Payload), &p); err != nil {
		t.Fatal(err)
	}
	if !sameContactIDs(p.ContactIDs, env.bContacts[:2]) {
		t.Fatalf("B's task touches %v, want B's two Acme contacts", p.ContactIDs)
	}
	aTasks, err := st.LexiTasks(ctxA, store.PageArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := aTasks.TotalCount(ctxA); n != 0 {
		t.Fatalf("workspace A has %d tasks", n)
	}
	if _, err := st.LexiTask(ctxA, out.Tasks[0].ID); apperr.CodeOf(err) != apperr.ENOTFOUND {
		t.Fatalf("A reads B's task: %v", err)
	}
}

func sameContactIDs(got []string, want []*models.Contact) bool {
	w := make([]string, len(want))
	for i, c := range want {
		w[i] = c.ID
	}
	g := slices.Clone(got)
	slices.Sort(g)
	slices.Sort(w)
	return slices.Equal(g, w)
}

func TestProviderFailuresStoreNothing(t *testing.T) {
	env := twoWorkspaces(t)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()

	for _, tc := range []struct {
		name      string
		script    func(n int, req *fakeRequest) (int, string)
		edit      func(p *lexi.Provider)
		why       string
		requests  int
		maxElapse time.Duration
	}{
		{name: "HTTP 500", why: "it answered HTTP 500", requests: 1,
			script: func(int, *fakeRequest) (int, string) {
				return http.StatusInternalServerError, `{"error":{"message":"upstream broke for key ` + fakeKey + `"}}`
			}},
		{name: "HTTP 401", why: "it answered HTTP 401", requests: 1,
			script: func(int, *fakeRequest) (int, string) {
				return http.StatusUnauthorized, `{"error":{"message":"Incorrect API key provided: ` + fakeKey + `"}}`
			}},
		{name: "garbage JSON", why: "not valid JSON", requests: 1,
			script: func(int, *fakeRequest) (int, string) { return http.StatusOK, `{"choices": [ this is not json` }},
		{name: "no choices", why: "no choices", requests: 1,
			script: func(int, *fakeRequest) (int, string) { return http.StatusOK, `{"choices":[]}` }},
		{name: "empty answer", why: "empty answer", requests: 1,
			script: func(int, *fakeRequest) (int, string) { return answer("  ") }},
		{name: "tool calls forever", why: "still called tools after 3 rounds", requests: 4,
			edit: func(p *lexi.Provider) { p.MaxRounds = 3 },
			script: func(n int, _ *fakeRequest) (int, string) {
				return toolCalls(call{fmt.Sprintf("loop_%d", n), "count_contacts", `{}`})
			}},
		{name: "default bound", why: fmt.Sprintf("after %d rounds", lexi.DefaultProviderMaxRounds), requests: lexi.DefaultProviderMaxRounds + 1,
			script: func(n int, _ *fakeRequest) (int, string) {
				return toolCalls(call{fmt.Sprintf("loop_%d", n), "propose_create_list", fmt.Sprintf(`{"name":"Loop %d"}`, n)})
			}},
		{name: "proposal then failure", why: "it answered HTTP 502", requests: 2,
			script: func(n int, _ *fakeRequest) (int, string) {
				if n == 0 {
					return toolCalls(call{"p", "propose_create_list", `{"name":"Half written","company":"Acme"}`})
				}
				return http.StatusBadGateway, `bad gateway`
			}},
		{name: "slow", why: "did not answer within 200ms", requests: 1, maxElapse: 900 * time.Millisecond,
			edit: func(p *lexi.Provider) { p.Timeout = 200 * time.Millisecond },
			script: func(_ int, req *fakeRequest) (int, string) {
				time.Sleep(time.Second) // beyond the timeout; the client has gone by then
				return answer("too late")
			}},
		{name: "slow after a tool round", why: "did not answer within 300ms", requests: 2, maxElapse: 900 * time.Millisecond,
			edit: func(p *lexi.Provider) { p.Timeout = 300 * time.Millisecond },
			script: func(n int, _ *fakeRequest) (int, string) {
				if n == 0 {
					return toolCalls(call{"p", "propose_create_list", `{"name":"Slow list"}`})
				}
				time.Sleep(time.Second)
				return answer("too late")
			}},
		{name: "unreachable", why: "could not be reached", requests: 0,
			edit: func(p *lexi.Provider) { p.BaseURL = closedURL }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			script := tc.script
			if script == nil {
				script = func(int, *fakeRequest) (int, string) { return answer("unused") }
			}
			fake := newFakeLLM(t, script)
			p := fake.provider(env.st)
			if tc.edit != nil {
				tc.edit(p)
			}
			start := time.Now()
			out, err := lexi.NewService(env.st, p, nil).Chat(env.a, models.LexiChatInput{Message: "How many contacts at Acme?"})
			elapsed := time.Since(start)
			if err == nil {
				t.Fatalf("Chat succeeded: %+v", out)
			}
			e := apperr.As(err)
			if e == nil || e.Code != apperr.EUNAVAILABLE {
				t.Fatalf("error = %#v, want EUNAVAILABLE", err)
			}
			if !strings.HasPrefix(e.Message, "the Lexi provider is unavailable: ") || !strings.Contains(e.Message, tc.why) {
				t.Errorf("message = %q, want it to mention %q", e.Message, tc.why)
			}
			if strings.Contains(e.Message, fakeKey) || strings.Contains(e.Message, "upstream") {
				t.Errorf("message leaks provider details: %q", e.Message)
			}
			if e.Extensions["service"] != "LEXI_PROVIDER" {
				t.Errorf("extensions = %v", e.Extensions)
			}
			if got := fake.requestCount(); got != tc.requests {
				t.Errorf("%d requests to the provider, want %d", got, tc.requests)
			}
			if tc.maxElapse > 0 && elapsed > tc.maxElapse {
				t.Errorf("took %s, want the timeout to cut it short", elapsed)
			}
			if c, m, tk := lexiRows(t, env.st); c+m+tk != 0 {
				t.Fatalf("a failed turn stored %d conversations, %d messages, %d tasks", c, m, tk)
			}
		})
	}
}

func TestProviderRequest(t *testing.T) {
	env := twoWorkspaces(t)
	fake := newFakeLLM(t, func(n int, _ *fakeRequest) (int, string) {
		return answer(fmt.Sprintf("answer %d", n+1))
	})
	svc := lexi.NewService(env.st, fake.provider(env.st), nil)
	first, err := svc.Chat(env.a, models.LexiChatInput{Message: "hello there"})
	if err != nil {
		t.Fatal(err)
	}
	second, err := svc.Chat(env.a, models.LexiChatInput{Message: "and again", ConversationID: &first.ConversationID})
	if err != nil {
		t.Fatal(err)
	}
	if first.Reply.Content != "answer 1" || second.Reply.Content != "answer 2" {
		t.Fatalf("replies = %q, %q", first.Reply.Content, second.Reply.Content)
	}
	req := fake.request(1)
	if req.Path != "/v1/chat/completions" {
		t.Errorf("path = %q", req.Path)
	}
	if req.Authorization != "Bearer "+fakeKey {
		t.Errorf("Authorization = %q", req.Authorization)
	}
	if !strings.HasPrefix(req.ContentType, "application/json") {
		t.Errorf("Content-Type = %q", req.ContentType)
	}
	if req.Body.Model != fakeModel {
		t.Errorf("model = %q", req.Body.Model)
	}
	var names []string
	for _, tool := range req.Body.Tools {
		if tool.Type != "function" || tool.Function.Description == "" || tool.Function.Parameters["type"] != "object" {
			t.Errorf("tool %+v is not a described function with object parameters", tool)
		}
		names = append(names, tool.Function.Name)
	}
	wantTools := []string{"count_contacts", "search_contacts", "count_deals", "search_deals", "list_lists", "list_campaigns",
		"propose_create_list", "propose_add_contacts_to_list", "propose_tag_contacts", "propose_update_deal_stage",
		"propose_create_campaign", "propose_import_prospects"}
	if !slices.Equal(names, wantTools) || !slices.Equal(lexi.ProviderToolNames(), wantTools) {
		t.Errorf("tools = %v", names)
	}
	msgs := req.Body.Messages
	var got []string
	for _, m := range msgs {
		got = append(got, m.Role+": "+m.content())
	}
	if len(msgs) != 4 || msgs[0].Role != "system" ||
		!slices.Equal(got[1:], []string{"user: hello there", "assistant: answer 1", "user: and again"}) {
		t.Fatalf("messages = %q", got)
	}
	for _, s := range []string{"Lexi", "one workspace", "tools", "approve"} {
		if !strings.Contains(msgs[0].content(), s) {
			t.Errorf("system prompt lacks %q: %s", s, msgs[0].content())
		}
	}

	// Without a key, no Authorization header: local servers need none.
	p := fake.provider(env.st)
	p.APIKey = ""
	if _, _, err := p.Reply(env.a, nil, "hi"); err != nil {
		t.Fatal(err)
	}
	if a := fake.request(2).Authorization; a != "" {
		t.Errorf("Authorization without a key = %q", a)
	}
}

func TestProviderFromEnv(t *testing.T) {
	st := testenv.OpenStore(t)
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}

	p, ok, err := lexi.ProviderFromEnv(env(nil), st)
	if p != nil || ok || err != nil {
		t.Fatalf("unset: %v %v %v", p, ok, err)
	}
	p, ok, err = lexi.ProviderFromEnv(env(map[string]string{"LEXI_OPENAI_API_KEY": fakeKey, "LEXI_OPENAI_MODEL": "m"}), st)
	if ok || err != nil {
		t.Fatalf("key without base URL: %v %v %v", p, ok, err)
	}

	p, ok, err = lexi.ProviderFromEnv(env(map[string]string{"LEXI_OPENAI_BASE_URL": "http://localhost:11434/v1/", "LEXI_OPENAI_MODEL": "llama3.1"}), st)
	if err != nil || !ok || p.BaseURL != "http://localhost:11434/v1" || p.Model != "llama3.1" || p.APIKey != "" || p.Store != st {
		t.Fatalf("Ollama: %+v %v %v", p, ok, err)
	}

	p, ok, err = lexi.ProviderFromEnv(env(map[string]string{"LEXI_OPENAI_BASE_URL": "https://api.openai.com/v1",
		"LEXI_OPENAI_API_KEY": fakeKey, "LEXI_OPENAI_MODEL": "gpt-4o-mini", "LEXI_OPENAI_TIMEOUT": "45s"}), st)
	if err != nil || !ok || p.APIKey != fakeKey || p.Timeout != 45*time.Second {
		t.Fatalf("OpenAI: %+v %v %v", p, ok, err)
	}
	for _, s := range []string{p.String(), fmt.Sprintf("%v %+v %#v %s", p, p, p, p)} {
		if strings.Contains(s, fakeKey) {
			t.Fatalf("the key shows in %q", s)
		}
	}

	for name, vars := range map[string]map[string]string{
		"no model":    {"LEXI_OPENAI_BASE_URL": "http://localhost:8000/v1", "LEXI_OPENAI_API_KEY": fakeKey},
		"bad URL":     {"LEXI_OPENAI_BASE_URL": "localhost:8000", "LEXI_OPENAI_MODEL": "m", "LEXI_OPENAI_API_KEY": fakeKey},
		"bad timeout": {"LEXI_OPENAI_BASE_URL": "http://localhost:8000/v1", "LEXI_OPENAI_MODEL": "m", "LEXI_OPENAI_TIMEOUT": "soon", "LEXI_OPENAI_API_KEY": fakeKey},
	} {
		p, ok, err := lexi.ProviderFromEnv(env(vars), st)
		if err == nil || ok || p != nil {
			t.Errorf("%s: %v %v %v, want an error", name, p, ok, err)
		} else if strings.Contains(err.Error(), fakeKey) {
			t.Errorf("%s: error shows the key: %v", name, err)
		}
	}
}

// Tool arguments decode straight into Lexi's typed actions: a name made of words the
// built-in grammar reads as a selection ("with contacts at Acme") is a name, and names and
// stages arrive as the model wrote them.
func TestProviderArgumentsAreTypedNotRephrased(t *testing.T) {
	env := twoWorkspaces(t)
	st, ctx := env.st, env.a
	fake := newFakeLLM(t, func(n int, _ *fakeRequest) (int, string) {
		if n == 0 {
			return toolCalls(
				call{"p1", "propose_create_list", `{"name":"with contacts at Acme","company":"Acme"}`},
				call{"p2", "propose_create_list", `{"name":"tagged vip"}`},
				call{"p3", "propose_tag_contacts", `{"tag":"at Globex","with_tag":"vip"}`},
				call{"p4", "propose_update_deal_stage", `{"deal_title":"Globex renewal","stage":"closed won"}`},
				call{"p5", "propose_add_contacts_to_list", `{"list_name":"VIP","in_list":"Acme accounts"}`},
			)
		}
		return answer("Proposed.")
	})
	out, err := lexi.NewService(st, fake.provider(st), nil).Chat(ctx, models.LexiChatInput{Message: "set things up"})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Tasks) != 5 {
		t.Fatalf("%d tasks, want 5: %v", len(out.Tasks), fake.allResults())
	}
	var list store.LexiCreateList
	if err := json.Unmarshal([]byte(out.Tasks[0].Payload), &list); err != nil {
		t.Fatal(err)
	}
	if list.Name != "with contacts at Acme" || len(list.ContactIDs) != 8 ||
		out.Tasks[0].Title != "Create list with contacts at Acme with the 8 contacts at Acme" {
		t.Errorf("task 1 = %q %+v", out.Tasks[0].Title, list)
	}
	var empty store.LexiCreateList
	if err := json.Unmarshal([]byte(out.Tasks[1].Payload), &empty); err != nil {
		t.Fatal(err)
	}
	if empty.Name != "tagged vip" || len(empty.ContactIDs) != 0 {
		t.Errorf("task 2 = %q %+v", out.Tasks[1].Title, empty)
	}
	var tag store.LexiTagContacts
	if err := json.Unmarshal([]byte(out.Tasks[2].Payload), &tag); err != nil {
		t.Fatal(err)
	}
	if tag.Tag != "at globex" || len(tag.ContactIDs) != 13 {
		t.Errorf("task 3 = %q %+v", out.Tasks[2].Title, tag)
	}
	if out.Tasks[3].Title != "Move deal Globex renewal from proposal to won" {
		t.Errorf("task 4 = %q", out.Tasks[3].Title)
	}
	if out.Tasks[4].Title != "Add the 8 contacts in list Acme accounts to list VIP" &&
		!strings.HasPrefix(out.Tasks[4].Title, "Add 4 of the 8 contacts in list Acme accounts to list VIP") {
		t.Errorf("task 5 = %q", out.Tasks[4].Title)
	}
}

// The tools' JSON schemas are generated from the action types: the stage enum is the
// schema's, and each propose tool offers the selection fields of Selector.
func TestProviderToolSchemas(t *testing.T) {
	env := twoWorkspaces(t)
	fake := newFakeLLM(t, func(int, *fakeRequest) (int, string) { return answer("hi") })
	if _, _, err := fake.provider(env.st).Reply(env.a, nil, "hi"); err != nil {
		t.Fatal(err)
	}
	params := map[string]map[string]any{}
	for _, tool := range fake.request(0).Body.Tools {
		params[tool.Function.Name] = tool.Function.Parameters
	}
	stage := params["propose_update_deal_stage"]["properties"].(map[string]any)["stage"].(map[string]any)
	var enum []string
	for _, v := range stage["enum"].([]any) {
		enum = append(enum, v.(string))
	}
	var want []string
	for _, s := range models.AllDealStage {
		want = append(want, string(s))
	}
	if !slices.Equal(enum, want) {
		t.Errorf("stage enum = %v, want %v", enum, want)
	}
	for _, name := range []string{"propose_create_list", "propose_add_contacts_to_list", "propose_tag_contacts"} {
		props := params[name]["properties"].(map[string]any)
		for _, f := range []string{"company", "with_tag", "in_list", "all_contacts"} {
			if _, ok := props[f]; !ok {
				t.Errorf("%s has no %s", name, f)
			}
		}
	}
	if req := params["propose_update_deal_stage"]["required"].([]any); len(req) != 2 {
		t.Errorf("propose_update_deal_stage requires %v", req)
	}
}
