package lexi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/lexi"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

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
