package lexi

import (
	"context"
	"fmt"
	"strings"

	"github.com/wbk/crm/models"
)

// ContactQuestion asks how many contacts match, which ones, or one field of them ("what is
// Ann's email?").
type ContactQuestion struct {
	Count bool
	Field string // email, phone, title, company, tags; "" lists them
	Selector
}

func (ContactQuestion) task() models.LexiAction { return "" }

var contactQuestionIntent = intent{name: "contact question", read: readContactQuestion}

var contactFields = map[string]string{"email": "email", "e-mail": "email", "emails": "email", "address": "email", "phone": "phone",
	"number": "phone", "title": "title", "role": "title", "position": "title", "job": "title", "company": "company",
	"employer": "company", "tags": "tags", "tag": "tags"}

var showVerbs = setOf(fields(`list show find count display give tell get pull`))

func readContactQuestion(c *clause) Action {
	sel, ok := c.selector()
	w, _ := c.first()
	_, shows := c.requestVerb(showVerbs)
	asks := c.asked || askWords[w] || c.verbless() || c.has("who", "whom", "many", "number") || shows >= 0
	if !asks {
		return nil
	}
	if !ok {
		if !c.hasContactNoun() || c.has("deal", "deals", "list", "lists", "campaign", "campaigns") && !c.has("contact", "contacts", "people") {
			return nil
		}
		sel = Selector{All: true}
	}
	q := ContactQuestion{Selector: sel}
	if c.has("many", "number", "count", "total", "big", "size", "large") && !c.has("phone") {
		q.Count = true
	}
	if len(sel.Contacts) > 0 || c.has("what", "what's", "whats") {
		for i := c.a; i < c.b; i++ {
			if f, ok := contactFields[c.toks[i].word]; ok && c.plain(i) && !(f == "phone" && c.toks[i].word == "number" && q.Count) {
				q.Field = f
				break
			}
		}
	}
	return q
}

func (q ContactQuestion) run(ctx context.Context, p *proposer) (result, error) {
	s, reply, err := p.resolve(ctx, q.Selector)
	if err != nil || reply != "" {
		return result{reply: reply, fact: "declined: " + reply}, err
	}
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	sel := q.Selector
	r := result{focus: focus{contacts: &sel}}
	label := strings.TrimSpace("contacts " + s.describe)
	if strings.HasPrefix(s.describe, "named ") {
		label = names(s.contacts)
	}
	n := len(s.contacts)
	note := ""
	if w.v.Truncated {
		note = fmt.Sprintf(" (I looked at the first %d contacts only.)", len(w.v.Contacts))
	}
	if q.Count {
		if s.describe == "" {
			r.reply = fmt.Sprintf("You have %s.", plural(n, "contact")) + note
		} else {
			if n == 0 {
				r.reply = fmt.Sprintf("There are no contacts %s.", s.describe) + note
			} else {
				r.reply = fmt.Sprintf("There %s %s %s.", isAre(n), plural(n, "contact"), s.describe) + note
			}
		}
		r.fact = fmt.Sprintf("count %s = %d", label, n)
		return r, nil
	}
	if n == 0 {
		r.reply = "I found no " + label + "." + note + w.unknownCompany(q.Company)
		r.fact = "show " + label + " = none"
		return r, nil
	}
	if q.Field != "" {
		var parts []string
		for i, c := range s.contacts {
			if i == showLimit {
				break
			}
			v := map[string]string{"email": c.Email, "phone": deref(c.Phone), "title": deref(c.Title), "company": deref(c.Company), "tags": strings.Join(c.TagList, ", ")}[q.Field]
			if v == "" {
				v = "none recorded"
			}
			parts = append(parts, fmt.Sprintf("%s: %s", c.FullName(), v))
		}
		r.reply = fmt.Sprintf("The %s of %s", q.Field, strings.Join(parts, "; ")) + "."
		r.fact = fmt.Sprintf("%s of %s = %s", q.Field, keys(s.contacts), strings.Join(parts, "; "))
		return r, nil
	}
	var sb strings.Builder
	switch {
	case n == 1:
		fmt.Fprintf(&sb, "I found 1 %s:", strings.Replace(label, "contacts", "contact", 1))
	case n > showLimit:
		fmt.Fprintf(&sb, "I found %d %s; here are the first %d:", n, label, showLimit)
	default:
		fmt.Fprintf(&sb, "I found %d %s:", n, label)
	}
	for i, c := range s.contacts {
		if i == showLimit {
			fmt.Fprintf(&sb, "\n…and %d more.", n-showLimit)
			break
		}
		sb.WriteString("\n- " + c.FullName() + ", " + c.Email)
		if co := deref(c.Company); co != "" {
			sb.WriteString(", " + co)
		}
		if t := deref(c.Title); t != "" {
			sb.WriteString(", " + t)
		}
	}
	r.reply = sb.String() + note
	r.fact = "show " + label + " = " + keys(s.contacts)
	r.focus.contacts = &Selector{Contacts: emails(s.contacts)}
	return r, nil
}

func emails(cs []*models.Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Email
	}
	return out
}

// unknownCompany names the workspace's companies when a question names one nobody works at.
func (w *world) unknownCompany(company string) string {
	if company == "" || len(w.v.Companies) == 0 || len(matchNames(company, w.v.Companies)) > 0 {
		return ""
	}
	return " No contact works at a company of that name; the companies in your contacts are " + strings.Join(firstN(w.v.Companies, 10), ", ") + "."
}
