package lexi

import (
	"context"
	"fmt"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// AddToList proposes adding the selected contacts to an existing list.
type AddToList struct {
	List string `json:"list_name" desc:"The existing list's name." required:"true"`
	Selector
	// It is "add them to it": the list the message just created or named.
	It bool `json:"-"`
}

func (AddToList) task() models.LexiAction { return models.LexiActionAddContactsToList }

var addToListIntent = intent{name: "add to list", read: readAddToList,
	tool: proposeTool("propose_add_contacts_to_list", "Propose adding contacts to an existing list.",
		func(a *AddToList) error {
			if err := required("list_name", &a.List); err != nil {
				return err
			}
			return checkSelector(&a.Selector, true)
		})}

func readAddToList(c *clause) Action {
	if _, vi := c.verb(addVerbs); vi < 0 && !(c.has("should", "belongs", "belong", "join", "joins") && !c.asked) {
		return nil
	}
	m, list := c.targetList("to", "into", "onto", "in", "on", "under", "->")
	it := false
	if list == "" {
		k := c.find(c.a, "to", "into", "onto", "in", "on", "inside", "there")
		if _, vi := c.requestVerb(addVerbs); vi < 0 || k < 0 || c.after(k) != "it" && c.after(k) != "list" && c.toks[k].word != "inside" && c.toks[k].word != "there" {
			return nil
		}
		it = true
		if c.focus != nil && c.focus.list != nil {
			list = c.focus.list.Name
		}
	}
	sel, ok := c.selector(m)
	if !ok {
		return nil
	}
	return AddToList{List: list, Selector: sel, It: it}
}

func (a AddToList) run(ctx context.Context, p *proposer) (result, error) {
	if a.List == "" {
		return declined("Which list should I add them to?")
	}
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	l, reply := w.resolveList(a.List)
	if l == nil {
		return declined(reply + fmt.Sprintf(" You can ask me to create a list called %s first.", a.List))
	}
	s, reply, err := p.resolve(ctx, a.Selector)
	if err != nil || reply != "" {
		return result{reply: reply, fact: "declined: " + reply}, err
	}
	if len(s.contacts) == 0 {
		return declined(fmt.Sprintf("There are no contacts %s, so there is nothing to add to list %s.", s.describe, l.Name))
	}
	if len(s.contacts) > maxTaskContacts {
		return declined(fmt.Sprintf("That is %d contacts; one task can hold at most %d.", len(s.contacts), maxTaskContacts))
	}
	already := 0
	for _, c := range s.contacts {
		if w.inList(l, c) {
			already++
		}
	}
	n := len(s.contacts)
	desc := fmt.Sprintf("Adds %s to list %s: %s.", s.phrase(), l.Name, names(s.contacts))
	note := ""
	title := fmt.Sprintf("Add %s to list %s", s.phrase(), l.Name)
	switch {
	case already == n:
		desc += " All of them are already in it, so nothing will change."
		note = "All of them are already in the list, so approving it changes nothing."
	case already > 0:
		desc += fmt.Sprintf(" %d of them %s already in it and will stay.", already, isAre(already))
		title = fmt.Sprintf("Add %d of %s to list %s (%d already in it)", n-already, s.phrase(), l.Name, already)
	}
	return proposed(&Proposal{Action: models.LexiActionAddContactsToList, Title: title, Description: desc,
		Payload: store.LexiAddToList{ListID: l.ID, ContactIDs: contactIDs(s.contacts)}},
		fmt.Sprintf("list=%q contacts=%s", l.Name, keys(s.contacts)), note)
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}
