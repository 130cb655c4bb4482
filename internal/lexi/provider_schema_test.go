package lexi_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/lexi"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

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
