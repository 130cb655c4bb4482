package lexi

import (
	"context"
	"fmt"
	"strings"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// CreateList proposes a new list, empty or with the selected contacts.
type CreateList struct {
	Name string `json:"name" desc:"The new list's name, exactly as the user wrote it." required:"true"`
	Selector
}

func (CreateList) task() models.LexiAction { return models.LexiActionCreateList }

var createListIntent = intent{name: "create list", read: readCreateList,
	tool: proposeTool("propose_create_list", "Propose creating a list, empty (no selection) or with the selected contacts.",
		func(a *CreateList) error {
			if err := required("name", &a.Name); err != nil {
				return err
			}
			return checkSelector(&a.Selector, false)
		})}

func readCreateList(c *clause) Action {
	li := c.creating("list", "lists")
	if li < 0 {
		// "put the VIPs in a new list called X"
		if li = c.seq("new", "list"); li < 0 {
			return nil
		}
		li++
	}
	name, na, nb := c.nameAfter(li)
	if name == "" {
		name, na, nb = c.preNoun(li), li-len(tokenize(c.preNoun(li))), li
	}
	var inName []*mention
	for _, m := range c.ms {
		if m.from >= na && m.from < nb {
			inName = append(inName, m)
		}
	}
	sel, _ := c.selector(inName...)
	return CreateList{Name: name, Selector: sel}
}

func (a CreateList) run(ctx context.Context, p *proposer) (result, error) {
	name := strings.TrimSpace(a.Name)
	if name == "" {
		return declined(`What should the list be called? For example: "create a list called Acme team with the contacts at Acme".`)
	}
	if len([]rune(name)) > 255 {
		return declined("A list name must be 1 to 255 characters.")
	}
	payload := store.LexiCreateList{Name: name}
	title := "Create empty list " + name
	desc := fmt.Sprintf("Creates a new list named %q with no contacts.", name)
	fact := fmt.Sprintf("name=%q", name)
	sel := a.Selector
	sel.All = sel.All && len(sel.Contacts) == 0
	if !sel.IsZero() {
		s, reply, err := p.resolve(ctx, sel)
		if err != nil || reply != "" {
			return result{reply: reply, fact: "declined: " + reply}, err
		}
		if len(s.contacts) == 0 {
			return declined(fmt.Sprintf("There are no contacts %s, so I have not proposed the list. Ask me to create a list called %s to make an empty one.", s.describe, name))
		}
		if len(s.contacts) > maxTaskContacts {
			return declined(fmt.Sprintf("That is %d contacts; one task can hold at most %d.", len(s.contacts), maxTaskContacts))
		}
		payload.ContactIDs = contactIDs(s.contacts)
		title = fmt.Sprintf("Create list %s with %s", name, s.phrase())
		desc = fmt.Sprintf("Creates a new list named %q and adds %s to it: %s.", name, s.phrase(), names(s.contacts))
		fact += " contacts=" + keys(s.contacts)
	}
	note := ""
	if l, err := p.st.ListByName(ctx, name); err == nil {
		note = fmt.Sprintf("Note: a list named %s already exists, so approving this task will fail unless that list is renamed or deleted first.", l.Name)
	} else if !notFound(err) {
		return result{}, err
	}
	return proposed(&Proposal{Action: models.LexiActionCreateList, Title: title, Description: desc, Payload: payload}, fact, note)
}
