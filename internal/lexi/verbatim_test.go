package lexi_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// randomName is a name as people type them: hex ids, mixed case, and short words that are
// typos of Lexi's own vocabulary ("ad", "lsit", "teh"), which it must never repair in a name.
func randomName(r *rand.Rand) string {
	words := []string{"ad", "lsit", "teh", "adn", "mvoe", "tga", "dela", "contcts", "Q3", "v2", "crate", "delet", "Tag", "LIST", "deals", "shw"}
	n := 1 + r.IntN(4)
	parts := make([]string, n)
	for i := range parts {
		switch r.IntN(3) {
		case 0:
			parts[i] = fmt.Sprintf("%x", r.Uint32()>>r.IntN(24))
		case 1:
			b := make([]byte, 2+r.IntN(6))
			for j := range b {
				b[j] = "abcdefghijklmnopqrstuvwxyz"[r.IntN(26)]
				if r.IntN(2) == 0 {
					b[j] -= 'a' - 'A'
				}
			}
			parts[i] = string(b)
		default:
			parts[i] = words[r.IntN(len(words))]
		}
	}
	return strings.Join(parts, " ")
}

// TestNamesVerbatim: 1,000 seeded random names, each asked for as a new list's and a new
// campaign's name, are proposed and, once approved, created byte for byte as typed.
func TestNamesVerbatim(t *testing.T) {
	f := newFixture(t)
	r := rand.New(rand.NewPCG(20, 1000))
	seen := map[string]bool{}
	var tasks []string
	for len(seen) < 1000 {
		name := randomName(r)
		if seen[strings.ToLower(name)] {
			continue // list names are unique regardless of case
		}
		seen[strings.ToLower(name)] = true
		for _, tc := range []struct {
			msg    string
			action models.LexiAction
			get    func(p any) string
		}{
			{"create a list called " + name, models.LexiActionCreateList, func(p any) string { return p.(store.LexiCreateList).Name }},
			{"draft a campaign called " + name + " for the Events list", models.LexiActionCreateCampaign, func(p any) string { return p.(store.LexiCreateCampaign).Name }},
		} {
			turn := f.say(t, nil, tc.msg)
			if len(turn.Proposals) != 1 || turn.Proposals[0].Action != tc.action {
				t.Fatalf("%q: %v", tc.msg, turn.Facts)
			}
			if got := tc.get(turn.Proposals[0].Payload); got != name {
				t.Fatalf("%q proposed the name %q", tc.msg, got)
			}
			ex, err := f.st.SaveLexiExchange(f.ctx, nil, tc.msg, turn.Reply, turn.Proposals)
			if err != nil {
				t.Fatal(err)
			}
			tasks = append(tasks, ex.Tasks[0].ID)
		}
	}
	for _, id := range tasks {
		task, err := f.st.ApproveLexiTask(f.ctx, id, "test")
		if err != nil || task.Status != models.LexiTaskStatusExecuted {
			t.Fatalf("approve %s: %v %+v", id, err, task)
		}
	}
	v, err := f.st.LexiVocabulary(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	lists, camps := map[string]bool{}, map[string]bool{}
	for _, l := range v.Lists {
		lists[l.Name] = true
	}
	for _, c := range v.Campaigns {
		camps[c.Name] = true
	}
	r = rand.New(rand.NewPCG(20, 1000))
	for checked := map[string]bool{}; len(checked) < 1000; {
		name := randomName(r)
		if checked[strings.ToLower(name)] {
			continue
		}
		checked[strings.ToLower(name)] = true
		if !lists[name] || !camps[name] {
			t.Fatalf("%q: created as a list %v, as a campaign %v", name, lists[name], camps[name])
		}
	}
}
