package lexi

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// Lexi's actions are typed values. The built-in assistant reads them from text (each intent
// file's read function), the provider's tool arguments decode into them (their JSON schemas
// are generated from these very types), and both run them through one proposer that
// resolves names against the workspace and answers or proposes a task.
//
// Struct tags: json names the tool argument, desc describes it to the model, and
// required:"true" marks it required. Fields tagged json:"-" are the reader's alone.

// Action is one thing a user asked for: a question or a change.
type Action interface {
	// task is the kind of task the action proposes; "" for a question.
	task() models.LexiAction
	// run answers the question or builds the proposal.
	run(ctx context.Context, p *proposer) (result, error)
}

// result is what running an action gave.
type result struct {
	reply    string
	proposal *Proposal
	// fact is what was understood and resolved, in a fixed form the phrasing tests compare:
	// "count contacts = 4", "TAG_CONTACTS tag=champion contacts=ann,bob".
	fact string
	// focus is what later "it" and "them" refer to.
	focus focus
}

// Selector says which contacts an action is about. Its parts narrow each other: "the CTOs
// at Acme" is a title and a company.
type Selector struct {
	Contacts []string `json:"contacts,omitempty" desc:"Select these contacts, each by email or full name."`
	Company  string   `json:"company,omitempty" desc:"Select the contacts at this company (case-insensitive; legal suffixes such as Inc or Ltd may be left out)."`
	Tag      string   `json:"with_tag,omitempty" desc:"Select the contacts that have this tag."`
	List     string   `json:"in_list,omitempty" desc:"Select the members of the list with this name."`
	Title    string   `json:"title,omitempty" desc:"Select the contacts whose job title contains these words (CTO, VP, head of finance)."`
	All      bool     `json:"all_contacts,omitempty" desc:"Select every contact of the workspace; only when the user asked for all of them."`
	// OrTitles are more titles, any of which will do: "the CEO and the CFO".
	OrTitles []string `json:"-"`
}

// IsZero reports whether the selector names no contacts at all.
func (s Selector) IsZero() bool {
	return len(s.Contacts) == 0 && s.Company == "" && s.Tag == "" && s.List == "" && s.Title == "" && !s.All
}

// proposer is the one place where an action meets the workspace.
type proposer struct {
	st  *store.Store
	now func() time.Time
	w   *world
}

func (p *proposer) world(ctx context.Context) (*world, error) {
	if p.w == nil {
		v, err := p.st.LexiVocabulary(ctx)
		if err != nil {
			return nil, err
		}
		now := time.Now
		if p.now != nil {
			now = p.now
		}
		p.w = newWorld(v, now())
	}
	return p.w, nil
}

// selection is a Selector resolved against the workspace.
type selection struct {
	contacts []*models.Contact
	describe string // follows "contacts": "at Acme", "tagged vip", "" for all
}

// phrase is "the 3 contacts tagged vip", "all 60 contacts", "Ann Lee and Bo Chen".
func (s selection) phrase() string {
	n := len(s.contacts)
	switch {
	case s.describe == "":
		return fmt.Sprintf("all %s", plural(n, "contact"))
	case strings.HasPrefix(s.describe, "named "):
		return strings.TrimPrefix(s.describe, "named ")
	}
	return fmt.Sprintf("the %s %s", plural(n, "contact"), s.describe)
}

// resolve finds the contacts a selector means; reply says why it cannot.
func (p *proposer) resolve(ctx context.Context, sel Selector) (selection, string, error) {
	w, err := p.world(ctx)
	if err != nil {
		return selection{}, "", err
	}
	var parts []string
	var tests []func(*models.Contact) bool
	keep := func(f func(*models.Contact) bool) { tests = append(tests, f) }
	if len(sel.Contacts) > 0 {
		ids := map[string]bool{}
		var named []string
		for _, n := range sel.Contacts {
			c, reply := w.findContact(n)
			if c == nil {
				return selection{}, reply, nil
			}
			ids[c.ID] = true
			named = append(named, c.FullName())
		}
		keep(func(c *models.Contact) bool { return ids[c.ID] })
		parts = append(parts, "named "+joinAnd(named))
	}
	if sel.Company != "" {
		co, reply := w.resolveCompany(sel.Company)
		if reply != "" {
			return selection{}, reply, nil
		}
		keep(func(c *models.Contact) bool { return sameCompany(deref(c.Company), co) })
		parts = append(parts, "at "+co)
	}
	if sel.Tag != "" {
		tag := w.resolveTag(sel.Tag)
		keep(func(c *models.Contact) bool { return slices.Contains(c.TagList, tag) })
		parts = append(parts, "tagged "+tag)
	}
	if sel.List != "" {
		l, reply := w.resolveList(sel.List)
		if l == nil {
			return selection{}, reply, nil
		}
		keep(func(c *models.Contact) bool { return w.inList(l, c) })
		parts = append(parts, "in list "+l.Name)
	}
	if sel.Title != "" {
		titles := append([]string{sel.Title}, sel.OrTitles...)
		keep(func(c *models.Contact) bool {
			return slices.ContainsFunc(titles, func(t string) bool { return titleHas(deref(c.Title), t) })
		})
		parts = append(parts, "with the title "+strings.Join(titles, " or "))
	}
	var out selection
	for _, c := range w.v.Contacts {
		ok := true
		for _, t := range tests {
			if !t(c) {
				ok = false
				break
			}
		}
		if ok {
			out.contacts = append(out.contacts, c)
		}
	}
	out.describe = strings.Join(parts, " ")
	if strings.HasPrefix(out.describe, "named ") && len(parts) > 1 {
		out.describe = strings.Join(parts[1:], " ")
	}
	return out, "", nil
}

// findContact finds one contact by email, full name, or first or last name when only one
// contact has it.
func (w *world) findContact(name string) (*models.Contact, string) {
	k := keyOf(name)
	var found []*models.Contact
	for _, c := range w.v.Contacts {
		if strings.EqualFold(c.Email, strings.TrimSpace(name)) || keyOf(c.FullName()) == k {
			return c, ""
		}
	}
	for _, c := range w.v.Contacts {
		if keyOf(deref(c.FirstName)) == k || keyOf(c.LastNameValue) == k {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 1:
		return found[0], ""
	case 0:
		return nil, fmt.Sprintf("I don't know a contact called %s.", name)
	}
	return nil, fmt.Sprintf("Several contacts are called %s: %s. Which one do you mean?", name, names(found))
}

// resolveCompany finds the workspace's company a name means; an unknown one stays as written.
func (w *world) resolveCompany(name string) (string, string) {
	m := matchNames(name, w.v.Companies)
	switch len(m) {
	case 0:
		return name, ""
	case 1:
		return m[0], ""
	}
	return "", fmt.Sprintf("Which company do you mean: %s?", oneOf(m))
}

// resolveTag finds the workspace's tag a word means ("VIPs" → vip); an unknown tag stays as
// written, lower case.
func (w *world) resolveTag(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	for _, form := range []string{tag, singular(tag), strings.ReplaceAll(tag, " ", "-"), strings.ReplaceAll(tag, "-", " ")} {
		if slices.Contains(w.v.Tags, form) {
			return form
		}
	}
	return tag
}

// resolveList finds the list a name means; reply says why there is none.
func (w *world) resolveList(name string) (*models.List, string) {
	var names []string
	for _, l := range w.v.Lists {
		if l.Name == name {
			return l, ""
		}
		names = append(names, l.Name)
	}
	m := matchNames(name, names)
	if len(m) == 1 {
		for _, l := range w.v.Lists {
			if l.Name == m[0] {
				return l, ""
			}
		}
	}
	if len(m) > 1 {
		return nil, fmt.Sprintf("There is no list named %s. Which list do you mean: %s?", name, oneOf(m))
	}
	reply := fmt.Sprintf("There is no list named %s.", name)
	if len(names) > 0 {
		reply += " Your lists are: " + strings.Join(firstN(names, 10), ", ") + "."
	}
	return nil, reply
}

// resolveDeal finds the deal a title means: exactly, else the one deal whose title holds all
// its words.
func (w *world) resolveDeal(title string) (*models.Deal, string) {
	words := strings.Fields(normName(title))
	var found []*models.Deal
	for _, d := range w.v.Deals {
		if strings.EqualFold(d.Title, strings.TrimSpace(title)) {
			return d, ""
		}
		t := " " + normName(d.Title) + " "
		ok := len(words) > 0
		for _, x := range words {
			if !strings.Contains(t, " "+x+" ") && !strings.Contains(t, " "+singular(x)+" ") {
				ok = false
				break
			}
		}
		if ok {
			found = append(found, d)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Sprintf("I could not find a deal called %s.", title)
	case 1:
		return found[0], ""
	}
	titles := make([]string, len(found))
	for i, d := range found {
		titles[i] = d.Title
	}
	return nil, fmt.Sprintf("Several deals match %s. Which one do you mean: %s?", title, oneOf(titles))
}

// resolveCampaign finds the campaign a name means.
func (w *world) resolveCampaign(name string) (*models.Campaign, string) {
	var names []string
	for _, c := range w.v.Campaigns {
		if strings.EqualFold(c.Name, strings.TrimSpace(name)) {
			return c, ""
		}
		names = append(names, c.Name)
	}
	m := matchNames(name, names)
	if len(m) == 1 {
		for _, c := range w.v.Campaigns {
			if c.Name == m[0] {
				return c, ""
			}
		}
	}
	if len(m) > 1 {
		return nil, fmt.Sprintf("Which campaign do you mean: %s?", oneOf(m))
	}
	return nil, fmt.Sprintf("There is no campaign named %s.", name)
}

// matchNames finds the names among candidates that want means: equal when normalized, else
// those it starts, else those that contain it as whole words, else one typo away.
func matchNames(want string, candidates []string) []string {
	w := normName(want)
	if w == "" {
		return nil
	}
	var exact, prefix, inside, near []string
	for _, c := range candidates {
		n := normName(c)
		switch {
		case n == w || n == singular(w) || singular(n) == w:
			exact = append(exact, c)
		case strings.HasPrefix(n, w+" "):
			prefix = append(prefix, c)
		case strings.Contains(" "+n+" ", " "+w+" "):
			inside = append(inside, c)
		case len(w) >= 5 && oneEdit(w, n):
			near = append(near, c)
		}
	}
	for _, m := range [][]string{exact, prefix, inside, near} {
		if len(m) > 0 {
			return dedupe(m)
		}
	}
	return nil
}

// dedupe keeps the first of names equal but for case.
func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.ContainsFunc(out, func(y string) bool { return strings.EqualFold(x, y) }) {
			out = append(out, x)
		}
	}
	return out
}

// oneOf is "A", "A or B", "A, B or C".
func oneOf(names []string) string {
	if len(names) > 8 {
		names = append(names[:8:8], fmt.Sprintf("%d more", len(names)-8))
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func joinAnd(names []string) string {
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, noun[:len(noun)-1])
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// names lists contacts by name, cut short after showLimit.
func names(cs []*models.Contact) string {
	var parts []string
	for i, c := range cs {
		if i == showLimit {
			parts = append(parts, fmt.Sprintf("%d more", len(cs)-showLimit))
			break
		}
		parts = append(parts, c.FullName())
	}
	return strings.Join(parts, ", ")
}

func contactIDs(cs []*models.Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// keys is the fact form of contacts: their first names (or emails), sorted.
func keys(cs []*models.Contact) string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = strings.ToLower(deref(c.FirstName))
		if out[i] == "" {
			out[i] = c.Email
		}
	}
	slices.Sort(out)
	return strings.Join(out, ",")
}

const approveNote = "Nothing changes until a key with WRITE approves it."

func proposed(p *Proposal, fact string, notes ...string) (result, error) {
	reply := "I've prepared a task for your approval: " + p.Title + ". " + approveNote
	for _, n := range notes {
		if n != "" {
			reply += " " + n
		}
	}
	return result{reply: reply, proposal: p, fact: string(p.Action) + " " + fact}, nil
}

// answer is a result with a reply only: a question answered, or why nothing was proposed.
func answer(reply, fact string) (result, error) { return result{reply: reply, fact: fact}, nil }

// declined is a reply that proposes nothing because a name or value did not resolve.
func declined(reply string) (result, error) {
	return result{reply: reply, fact: "declined: " + reply}, nil
}

// notFound reports whether err is a NOT_FOUND from the store.
func notFound(err error) bool { return apperr.CodeOf(err) == apperr.ENOTFOUND }
