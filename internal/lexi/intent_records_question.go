package lexi

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/wbk/crm/models"
)

// RecordsQuestion asks which lists, campaigns, tags or companies the workspace has, or how
// many.
type RecordsQuestion struct {
	Of    string // lists, campaigns, tags, companies
	Count bool
}

func (RecordsQuestion) task() models.LexiAction { return "" }

var recordsQuestionIntent = intent{name: "records question", read: readRecordsQuestion}

func readRecordsQuestion(c *clause) Action {
	w, _ := c.first()
	if !c.asked && !askWords[w] && !c.has("what", "which", "show", "list", "many", "number", "count") {
		return nil
	}
	of := ""
	if c.hasContactNoun() && !c.has("companies", "accounts") {
		return nil
	}
	if _, ok := c.selector(); ok || c.has("of") && !c.has("lists", "campaigns", "tags", "companies") {
		return nil // "which VIPs are on the Events list?", "a list of every VP"
	}
	switch {
	case c.has("campaigns", "campaign", "newsletters"):
		of = "campaigns"
	case c.has("lists") || c.has("list") && w != "list":
		of = "lists"
	case c.has("tags", "labels"):
		of = "tags"
	case c.has("companies", "accounts", "organizations", "organisations"):
		of = "companies"
	default:
		return nil
	}
	return RecordsQuestion{Of: of, Count: c.has("many", "number", "count")}
}

func (q RecordsQuestion) run(ctx context.Context, p *proposer) (result, error) {
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	var rows []string
	switch q.Of {
	case "lists":
		for _, l := range w.v.Lists {
			rows = append(rows, fmt.Sprintf("%s (%s)", l.Name, plural(len(w.members[l.ID]), "contact")))
		}
	case "campaigns":
		for _, c := range slices.Backward(w.v.Campaigns) {
			row := fmt.Sprintf("%s (%s", c.Name, strings.ToLower(string(c.Status)))
			if c.ListID != nil {
				for _, l := range w.v.Lists {
					if l.ID == *c.ListID {
						row += ", list " + l.Name
					}
				}
			}
			rows = append(rows, row+")")
		}
	case "tags":
		rows = append(rows, w.v.Tags...)
	case "companies":
		rows = append(rows, w.v.Companies...)
	}
	noun := strings.TrimSuffix(q.Of, "s")
	if q.Of == "companies" {
		noun = "company"
	}
	if q.Count || len(rows) == 0 {
		return answer(fmt.Sprintf("You have %s.", plural(len(rows), noun)), fmt.Sprintf("count %s = %d", q.Of, len(rows)))
	}
	var names []string
	for _, r := range rows {
		names = append(names, strings.SplitN(r, " (", 2)[0])
	}
	return answer(fmt.Sprintf("You have %s:\n- %s", plural(len(rows), noun), strings.Join(firstN(rows, 20), "\n- ")),
		fmt.Sprintf("show %s = %s", q.Of, strings.Join(names, ", ")))
}
