package lexi

import (
	"context"
	"fmt"
	"strings"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// CreateContact proposes a new contact.
type CreateContact struct {
	Email     string `json:"email" desc:"The new contact's email address." required:"true"`
	FirstName string `json:"first_name,omitempty" desc:"First name, exactly as the user wrote it."`
	LastName  string `json:"last_name,omitempty" desc:"Last name, exactly as the user wrote it."`
	Company   string `json:"company,omitempty" desc:"Company."`
	Title     string `json:"job_title,omitempty" desc:"Job title."`
	Phone     string `json:"phone,omitempty" desc:"Phone number."`
	Tag       string `json:"tag,omitempty" desc:"A tag to give the contact."`
}

func (CreateContact) task() models.LexiAction { return models.LexiActionCreateContact }

var createContactIntent = intent{name: "create contact", read: readCreateContact,
	tool: proposeTool("propose_create_contact", "Propose creating a contact.",
		func(a *CreateContact) error {
			for _, f := range []struct {
				n string
				v *string
			}{{"first_name", &a.FirstName}, {"last_name", &a.LastName}, {"company", &a.Company}, {"job_title", &a.Title}, {"phone", &a.Phone}, {"tag", &a.Tag}} {
				if err := optional(f.n, f.v); err != nil {
					return err
				}
			}
			return required("email", &a.Email)
		})}

func readCreateContact(c *clause) Action {
	ni := c.creating("contact", "person", "lead", "prospect", "customer", "client")
	if ni < 0 || c.asked && !c.imperative() {
		return nil
	}
	if _, list := c.targetList("to", "into", "onto", "in", "on"); list != "" {
		return nil
	}
	a := CreateContact{}
	name, _, end := c.nameAfter(ni, kEmail, kPhone)
	if end < 0 {
		end = ni + 1
	}
	if name == "" {
		// "a contact for Omar Haddad", "her name is Beatriz Souza"
		if k := c.find(ni+1, "for", "named", "called"); k == ni+1 {
			name, _, end = c.valueAfter(k, c.stopAt([]string{"at", "from", "with", "as", "who", "and", "email", "phone", "title"}, kEmail, kPhone, kCompany))
		} else if k := c.seq("name", "is"); k >= 0 {
			name, _, _ = c.valueAfter(k+1, c.stopAt([]string{"and", "at", "from", "with", "as", "her", "his", "their", "email"}, kEmail, kPhone, kCompany))
		}
	}
	if f := strings.Fields(name); len(f) > 0 && notAName[lower(f[0])] {
		name = ""
	}
	if f := strings.Fields(clean(name)); len(f) > 0 {
		a.FirstName = f[0]
		if len(f) > 1 {
			a.LastName = strings.Join(f[1:], " ")
		}
	}
	for _, part := range []struct {
		word string
		dst  *string
	}{{"first", &a.FirstName}, {"last", &a.LastName}} {
		if k := c.seq(part.word, "name"); k >= 0 {
			if v, _, _ := c.valueAfter(c.skipIs(k+1), c.stopAt([]string{"and", "last", "first", "email", "mail"}, kEmail, kPhone)); v != "" {
				*part.dst = v
			}
		}
	}
	for _, m := range c.ms {
		if r, ok := m.get(kEmail, true); ok {
			a.Email = r.name
		} else if r, ok := m.get(kContact, false); ok && strings.Contains(r.contact.Email, "@") && strings.EqualFold(c.raw(m.from, m.to), r.contact.Email) {
			a.Email = r.contact.Email
		}
		if r, ok := m.get(kPhone, true); ok {
			a.Phone = r.name
		}
	}
	// what follows the name: "at Acme", "as CTO", "CFO at Acme", "title: VP Sales", "tagged vip"
	for i := end; i < c.b; i++ {
		if !c.plain(i) && c.mentionAt(i) == nil {
			continue
		}
		w := c.toks[i].word
		switch {
		case (w == "at" || w == "from" || w == "for" || w == "company" || w == "employer" || (w == "in" || w == "of") && c.mentionAt(i+1) != nil && c.mentionAt(i+1).is(kCompany)) && a.Company == "":
			if m := c.mentionAt(i + 1); m != nil && m.is(kCompany) {
				r, _ := m.get(kCompany, true)
				a.Company = r.name
			} else {
				a.Company, _, _ = c.valueAfter(i, c.stopAt([]string{"as", "with", "and", "email", "phone", "who", "tagged"}, kEmail, kPhone))
			}
		case (w == "as" || w == "title" || w == "role" || w == "position") && a.Title == "":
			a.Title, _, _ = c.valueAfter(i, c.stopAt([]string{"at", "from", "with", "and", "email", "phone", "for", "tagged", "in"}, kEmail, kPhone, kCompany))
		case w == "tagged" || w == "tag":
			a.Tag, _, _ = c.valueAfter(i, c.stopAt([]string{"and", "at", "as"}, kEmail))
		}
	}
	if a.Title == "" {
		// "she's the new Head of Partnerships at Kestrel", "his title is CTO"
		for _, cue := range [][]string{{"she", "'s"}, {"he", "'s"}, {"they're"}, {"title", "is"}, {"role", "is"}, {"she", "is"}, {"he", "is"}, {"she", "works", "as"}, {"he", "works", "as"}, {"she", "work", "as"}, {"he", "work", "as"}} {
			if k := c.seq(cue...); k >= end {
				a.Title, _, _ = c.valueAfter(k+len(cue)-1, c.stopAt([]string{"at", "from", "with", "and", "for", "in"}, kEmail, kPhone, kCompany))
				a.Title = strings.TrimPrefix(strings.TrimPrefix(a.Title, "new "), "our ")
				break
			}
		}
	}
	if a.Title == "" {
		// "Jane Roe, jane@acme.com, CFO at Acme": a short segment before "at" is the title
		for i := end; i < c.b; i++ {
			if c.toks[i].raw != "," {
				continue
			}
			k := i + 1
			for k < c.b && c.toks[k].raw != "," && !(c.plain(k) && (c.toks[k].word == "at" || c.toks[k].word == "from" || c.toks[k].word == "with")) {
				k++
			}
			story := false
			for q := i + 1; q < k; q++ {
				if m := c.mentionAt(q); m != nil && (m.is(kEmail) || m.is(kPhone)) || narrativeWords[c.toks[q].word] || c.toks[q].word == "is" || c.toks[q].word == "her" || c.toks[q].word == "his" {
					story = true
				}
			}
			if m := c.mentionAt(i + 1); !story && k > i+1 && k-i <= 5 && (m == nil || !m.is(kCompany)) && !fieldWords[c.toks[i+1].word] {
				a.Title = c.raw(i+1, k)
				break
			}
		}
	}
	if a.Title == "" {
		// a job title the workspace already has
		for _, m := range c.mentions(kTitle, true) {
			if m.from >= end {
				a.Title = c.raw(m.from, m.to)
				break
			}
		}
	}
	return a
}

// notAName are words that start no person's name: "New contact I need: …".
var notAName = setOf(fields(`i we you he she they need want with for me us please`))

func (a CreateContact) run(ctx context.Context, p *proposer) (result, error) {
	if strings.TrimSpace(a.Email) == "" {
		return declined("What is the new contact's email address? A contact needs one: \"add a contact Jane Roe, jane@acme.com\".")
	}
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	for _, c := range w.v.Contacts {
		if strings.EqualFold(c.Email, strings.TrimSpace(a.Email)) {
			return declined(fmt.Sprintf("%s is already a contact: %s.", c.Email, c.FullName()))
		}
	}
	opt := func(s string) *string {
		if s = strings.TrimSpace(s); s == "" {
			return nil
		}
		return &s
	}
	payload := store.LexiCreateContact{Email: strings.TrimSpace(a.Email), FirstName: opt(a.FirstName), LastName: opt(a.LastName),
		Company: opt(a.Company), Title: opt(a.Title), Phone: opt(a.Phone)}
	if t := strings.TrimSpace(a.Tag); t != "" {
		payload.Tags = []string{t}
	}
	name := strings.TrimSpace(a.FirstName + " " + a.LastName)
	var parts, facts []string
	facts = append(facts, "email="+payload.Email)
	if name != "" {
		facts = append(facts, fmt.Sprintf("name=%q", name))
	}
	for _, f := range []struct{ label, key string }{{"company", a.Company}, {"title", a.Title}, {"phone", a.Phone}, {"tag", a.Tag}} {
		if v := strings.TrimSpace(f.key); v != "" {
			parts = append(parts, f.label+" "+v)
			facts = append(facts, fmt.Sprintf("%s=%q", f.label, v))
		}
	}
	label := payload.Email
	if name != "" {
		label = name + " <" + payload.Email + ">"
	}
	desc := "Creates a new contact " + label
	if len(parts) > 0 {
		desc += " with " + strings.Join(parts, ", ")
	}
	return proposed(&Proposal{Action: models.LexiActionCreateContact, Title: "Create contact " + label, Description: desc + ".", Payload: payload},
		strings.Join(facts, " "))
}
