package lexi

import (
	"context"
	"fmt"
	"strings"

	"github.com/wbk/crm/models"
)

// MostContacts asks which list or company has the most (or fewest) contacts.
type MostContacts struct {
	Of     string // "list" or "company"
	Fewest bool
}

func (MostContacts) task() models.LexiAction { return "" }

var mostContactsIntent = intent{name: "most contacts", read: readMostContacts}

func readMostContacts(c *clause) Action {
	most := c.has("most", "biggest", "largest", "top", "highest")
	fewest := c.has("fewest", "least", "smallest", "lowest")
	if !most && !fewest || c.has("deal", "deals", "amount", "value", "worth", "revenue") {
		return nil
	}
	switch {
	case c.has("list", "lists"):
		return MostContacts{Of: "list", Fewest: fewest && !most}
	case c.has("company", "companies", "account", "accounts", "organisation", "organization", "employer"):
		return MostContacts{Of: "company", Fewest: fewest && !most}
	}
	return nil
}

func (a MostContacts) run(ctx context.Context, p *proposer) (result, error) {
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	type row struct {
		name string
		n    int
	}
	var rows []row
	if a.Of == "list" {
		for _, l := range w.v.Lists {
			rows = append(rows, row{l.Name, len(w.members[l.ID])})
		}
	} else {
		idx := map[string]int{}
		for _, c := range w.v.Contacts {
			co := strings.TrimSpace(deref(c.Company))
			if co == "" {
				continue
			}
			k := normName(co)
			if i, ok := idx[k]; ok {
				rows[i].n++
				continue
			}
			idx[k] = len(rows)
			rows = append(rows, row{co, 1})
		}
	}
	if len(rows) == 0 {
		return answer(fmt.Sprintf("There are no %s with contacts yet.", map[string]string{"list": "lists", "company": "companies"}[a.Of]), "most none")
	}
	best := []row{rows[0]}
	for _, r := range rows[1:] {
		switch {
		case r.n == best[0].n:
			best = append(best, r)
		case a.Fewest && r.n < best[0].n || !a.Fewest && r.n > best[0].n:
			best = []row{r}
		}
	}
	var ns []string
	for _, b := range best {
		ns = append(ns, b.name)
	}
	word := "most"
	if a.Fewest {
		word = "fewest"
	}
	reply := fmt.Sprintf("The %s with the %s contacts is %s, with %s.", a.Of, word, joinAnd(ns), plural(best[0].n, "contact"))
	if len(best) > 1 {
		reply = fmt.Sprintf("%s tie for the %s contacts, with %s each.", joinAnd(ns), word, plural(best[0].n, "contact"))
	}
	return answer(reply, fmt.Sprintf("%s %s = %s (%d)", word, a.Of, strings.Join(ns, ", "), best[0].n))
}
