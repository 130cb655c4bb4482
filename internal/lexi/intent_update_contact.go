package lexi

import (
	"context"
	"fmt"
	"strings"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// UpdateContact proposes changing one contact's fields; the others stay.
type UpdateContact struct {
	Contact   string `json:"contact" desc:"The contact, by email or full name." required:"true"`
	Email     string `json:"email,omitempty" desc:"New email address."`
	FirstName string `json:"first_name,omitempty" desc:"New first name, exactly as the user wrote it."`
	LastName  string `json:"last_name,omitempty" desc:"New last name, exactly as the user wrote it."`
	Company   string `json:"company,omitempty" desc:"New company."`
	Title     string `json:"job_title,omitempty" desc:"New job title."`
	Phone     string `json:"phone,omitempty" desc:"New phone number."`
}

func (UpdateContact) task() models.LexiAction { return models.LexiActionUpdateContact }

var updateContactIntent = intent{name: "update contact", read: readUpdateContact,
	tool: proposeTool("propose_update_contact", "Propose changing a contact's name, email, company, job title or phone.",
		func(a *UpdateContact) error {
			for _, f := range []struct {
				n string
				v *string
			}{{"email", &a.Email}, {"first_name", &a.FirstName}, {"last_name", &a.LastName}, {"company", &a.Company}, {"job_title", &a.Title}, {"phone", &a.Phone}} {
				if err := optional(f.n, f.v); err != nil {
					return err
				}
			}
			return required("contact", &a.Contact)
		})}

var (
	titleCues   = setOf(fields(`title role position job promoted promote`))
	companyCues = setOf(fields(`company employer moved joined works working left`))
)

func readUpdateContact(c *clause) Action {
	if c.asked && !c.imperative() {
		return nil
	}
	var who *mention
	for _, m := range c.mentions(kContact, true) {
		if !c.inSlot(m.from) {
			if who != nil {
				r1, _ := who.get(kContact, true)
				r2, _ := m.get(kContact, true)
				if r1.who() != r2.who() {
					return nil // one contact at a time
				}
				continue
			}
			who = m
		}
	}
	var contact string
	if who != nil {
		r, _ := who.get(kContact, true)
		contact = r.who()
	} else if c.focus != nil && c.focus.contacts != nil && len(c.focus.contacts.Contacts) == 1 && c.has("his", "her", "their", "him", "them", "she", "he") {
		contact = c.focus.contacts.Contacts[0]
	} else {
		return nil
	}
	a := UpdateContact{Contact: contact}
	after := c.a
	if who != nil {
		after = who.to
	}
	stop := c.stopAt([]string{"and", "please", "at", "from", "instead", "not"}, kEmail, kPhone)
	valueFrom := func(cue int) string {
		k := c.find(cue+1, "to", "be", ":")
		if k < 0 {
			k = c.find(cue+1, "is", "as")
		}
		if k < 0 {
			k = cue
		}
		v, _, _ := c.valueAfter(k, stop)
		return v
	}
	for _, m := range c.ms {
		if r, ok := m.get(kEmail, true); ok && m != who {
			a.Email = r.name
		}
		if r, ok := m.get(kPhone, true); ok {
			a.Phone = r.name
		}
	}
	switch {
	case c.has("rename") || c.seq("first", "name") >= 0 || c.seq("last", "name") >= 0 || c.seq("name", "to") >= 0 || c.seq("surname") >= 0:
		v := clean(c.slotText())
		if v == "" {
			if i := c.idx("name", "surname"); i >= 0 {
				v = valueFrom(i)
			}
		}
		switch {
		case v == "":
		case c.seq("first", "name") >= 0:
			a.FirstName = v
		case c.seq("last", "name") >= 0 || c.has("surname"):
			a.LastName = v
		default:
			f := strings.Fields(v)
			a.FirstName = f[0]
			if len(f) > 1 {
				a.LastName = strings.Join(f[1:], " ")
			}
		}
	case c.idx(keysOf(titleCues)...) >= 0:
		a.Title = valueFrom(c.idx(keysOf(titleCues)...))
	case c.idx(keysOf(companyCues)...) >= 0 || c.seq("now", "at") >= 0:
		for _, m := range c.mentions(kCompany, true) {
			if m != who && m.from > after-1 {
				r, _ := m.get(kCompany, true)
				a.Company = r.name
			}
		}
		if a.Company == "" {
			i := c.idx(keysOf(companyCues)...)
			if i < 0 {
				i = c.seq("now", "at") + 1
			}
			k := i
			for k < c.b && c.toks[k].word != "to" && c.toks[k].word != "at" && c.toks[k].word != "is" && k < i+4 {
				k++
			}
			if k < c.b {
				a.Company, _, _ = c.valueAfter(k, stop)
			}
		}
	case c.lastIs(after) >= 0 && !c.has("email", "phone"):
		// "Olivia is not Head of Finance any more, now she is CFO": the value after the last "is"
		k := c.lastIs(after)
		if m := c.mentionAt(k + 1); m != nil && m.is(kCompany) {
			r, _ := m.get(kCompany, true)
			a.Company = r.name
		} else {
			a.Title, _, _ = c.valueAfter(k, stop)
			a.Title = strings.TrimPrefix(strings.TrimPrefix(a.Title, "now "), "our ")
		}
	case c.seq("is", "now") >= 0 || c.seq("'s", "now") >= 0:
		// "Ann is now the CFO": a title (a company would have said "at")
		i := c.seq("is", "now")
		if i < 0 {
			i = c.seq("'s", "now")
		}
		a.Title, _, _ = c.valueAfter(i+1, stop)
	}
	if a.Email == "" && a.Phone == "" && a.Title == "" && a.Company == "" && a.FirstName == "" && a.LastName == "" {
		return nil
	}
	if a.Email == "" && a.Phone == "" && !c.has("change", "set", "update", "make", "rename", "correct", "fix", "edit", "now", "promoted", "moved", "joined", "new", "should", "is", "to") {
		return nil
	}
	return a
}

// lastIs is the last "is" after token from that is not "is not", or -1.
func (c *clause) lastIs(from int) int {
	for k := c.b - 1; k >= from; k-- {
		if c.plain(k) && c.toks[k].word == "is" && (k+1 >= c.b || c.toks[k+1].word != "not" && c.toks[k+1].word != "wrong") {
			return k
		}
	}
	return -1
}

func (a UpdateContact) run(ctx context.Context, p *proposer) (result, error) {
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	c, reply := w.findContact(a.Contact)
	if c == nil {
		return declined(reply)
	}
	payload := store.LexiUpdateContact{ContactID: c.ID}
	var changes, facts []string
	set := func(label, key string, v string, cur string, dst **string) {
		if v = strings.TrimSpace(v); v == "" || v == cur {
			return
		}
		*dst = &v
		changes = append(changes, fmt.Sprintf("%s from %q to %q", label, cur, v))
		facts = append(facts, fmt.Sprintf("%s=%q", key, v))
	}
	set("email", "email", a.Email, c.Email, &payload.Email)
	set("first name", "first", a.FirstName, deref(c.FirstName), &payload.FirstName)
	set("last name", "last", a.LastName, c.LastNameValue, &payload.LastName)
	set("company", "company", a.Company, deref(c.Company), &payload.Company)
	set("title", "title", a.Title, deref(c.Title), &payload.Title)
	set("phone", "phone", a.Phone, deref(c.Phone), &payload.Phone)
	if len(changes) == 0 {
		return result{reply: fmt.Sprintf("%s already has those values.", c.FullName()), fact: "already contact=" + keys([]*models.Contact{c})}, nil
	}
	r, err := proposed(&Proposal{Action: models.LexiActionUpdateContact,
		Title:       fmt.Sprintf("Change contact %s: %s", c.FullName(), strings.Join(changes, ", ")),
		Description: fmt.Sprintf("Changes contact %s (%s): %s. Nothing else about them changes.", c.FullName(), c.Email, strings.Join(changes, ", ")),
		Payload:     payload}, "contact="+keys([]*models.Contact{c})+" "+strings.Join(facts, " "))
	r.focus.contacts = &Selector{Contacts: []string{c.Email}}
	return r, err
}
