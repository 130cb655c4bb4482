package lexi

import (
	"context"
	"fmt"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// RemoveFromList proposes taking the selected contacts out of a list; they stay contacts.
type RemoveFromList struct {
	List string `json:"list_name" desc:"The list's name." required:"true"`
	Selector
}

func (RemoveFromList) task() models.LexiAction { return models.LexiActionRemoveContactsFromList }

var removeFromListIntent = intent{name: "remove from list", read: readRemoveFromList,
	tool: proposeTool("propose_remove_contacts_from_list", "Propose removing contacts from a list (they stay contacts).",
		func(a *RemoveFromList) error {
			if err := required("list_name", &a.List); err != nil {
				return err
			}
			return checkSelector(&a.Selector, true)
		})}

func readRemoveFromList(c *clause) Action {
	if _, vi := c.verb(removeVerbs); vi < 0 && !c.has("off") {
		return nil
	}
	if c.has("tag", "tags", "label", "labels") {
		return nil
	}
	m, list := c.targetList("from", "off", "of", "out")
	if list == "" {
		return nil
	}
	sel, ok := c.selector(m)
	if !ok {
		return nil
	}
	return RemoveFromList{List: list, Selector: sel}
}

func (a RemoveFromList) run(ctx context.Context, p *proposer) (result, error) {
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	l, reply := w.resolveList(a.List)
	if l == nil {
		return declined(reply)
	}
	s, reply, err := p.resolve(ctx, a.Selector)
	if err != nil || reply != "" {
		return result{reply: reply, fact: "declined: " + reply}, err
	}
	var in []*models.Contact
	for _, c := range s.contacts {
		if w.inList(l, c) {
			in = append(in, c)
		}
	}
	if len(in) == 0 {
		return declined(fmt.Sprintf("None of %s is in list %s, so there is nothing to remove.", s.phrase(), l.Name))
	}
	desc := fmt.Sprintf("Removes %s from list %s: %s. They stay contacts; nothing is deleted.", plural(len(in), "contact"), l.Name, names(in))
	if len(in) < len(s.contacts) {
		desc += fmt.Sprintf(" The other %d of %s are not in it.", len(s.contacts)-len(in), s.phrase())
	}
	return proposed(&Proposal{Action: models.LexiActionRemoveContactsFromList,
		Title:       fmt.Sprintf("Remove %s from list %s", names(in), l.Name),
		Description: desc, Payload: store.LexiRemoveFromList{ListID: l.ID, ContactIDs: contactIDs(in)}},
		fmt.Sprintf("list=%q contacts=%s", l.Name, keys(in)))
}
