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
				call{"bad3", "propose_tag_contacts", `{"tag":"x","contacts":["  "]}`},
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
		"bad3": "contacts is required",
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
		"propose_create_contact", "propose_create_deal", "propose_create_list", "propose_create_campaign", "propose_update_campaign",
		"propose_remove_contacts_from_list", "propose_untag_contacts", "propose_tag_contacts", "propose_add_contacts_to_list",
		"propose_import_prospects", "propose_update_contact", "propose_update_deal", "propose_update_deal_stage"}
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
