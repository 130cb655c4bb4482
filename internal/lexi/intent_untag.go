package lexi

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// UntagContacts proposes removing a tag from the selected contacts; their other tags stay.
type UntagContacts struct {
	Tag string `json:"tag" desc:"The tag to remove." required:"true"`
	Selector
}

func (UntagContacts) task() models.LexiAction { return models.LexiActionUntagContacts }

var untagIntent = intent{name: "untag", read: readUntag,
	tool: proposeTool("propose_untag_contacts", "Propose removing a tag from contacts.",
		func(a *UntagContacts) error {
			if err := required("tag", &a.Tag); err != nil {
				return err
			}
			return checkSelector(&a.Selector, true)
		})}

func readUntag(c *clause) Action {
	_, ri := c.verb(removeVerbs)
	untag := c.idx("untag", "unlabel", "untagged")
	if untag < 0 && (ri < 0 || !c.has("tag", "tags", "label", "labels", "tagged") && len(c.mentions(kTag, false)) == 0) {
		return nil
	}
	if _, list := c.targetList("from", "off", "of", "out"); list != "" && untag < 0 {
		return nil
	}
	// the tag: one the workspace has, else the words before "tag"
	var tagM *mention
	tag := ""
	for _, m := range c.ms {
		if r, ok := m.get(kTag, true); ok && !c.inSlot(m.from) {
			if k := m.to; k < c.b && (c.toks[k].word == "tag" || c.toks[k].word == "label") || c.before(m.from) == "tag" || c.before(m.from) == "untag" && len(c.ms) > 1 {
				tag, tagM = r.name, m
				break
			}
			if tagM == nil {
				tag, tagM = r.name, m
			}
		}
	}
	if tag == "" {
		if v, _, _ := c.tagValue(); v != "" {
			tag = v
		}
	}
	if tag == "" {
		return nil
	}
	sel, ok := c.selector(tagM)
	if !ok {
		// "remove the churn-risk tag" from everyone who has it
		sel = Selector{Tag: tag}
	}
	return UntagContacts{Tag: tag, Selector: sel}
}

func (a UntagContacts) run(ctx context.Context, p *proposer) (result, error) {
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	tag := w.resolveTag(a.Tag)
	if !slices.Contains(w.v.Tags, tag) {
		return declined(fmt.Sprintf("No contact has the tag %s.", strings.ToLower(a.Tag)))
	}
	s, reply, err := p.resolve(ctx, a.Selector)
	if err != nil || reply != "" {
		return result{reply: reply, fact: "declined: " + reply}, err
	}
	var has []*models.Contact
	for _, c := range s.contacts {
		if slices.Contains(c.TagList, tag) {
			has = append(has, c)
		}
	}
	if len(has) == 0 {
		return declined(fmt.Sprintf("None of %s has the tag %s, so there is nothing to remove.", s.phrase(), tag))
	}
	if len(has) > maxTaskContacts {
		return declined(fmt.Sprintf("That is %d contacts; one task can hold at most %d.", len(has), maxTaskContacts))
	}
	return proposed(&Proposal{Action: models.LexiActionUntagContacts,
		Title:       fmt.Sprintf("Remove the tag %s from %s", tag, plural(len(has), "contact")),
		Description: fmt.Sprintf("Removes the tag %s from %s: %s. Their other tags stay; nothing is deleted.", tag, plural(len(has), "contact"), names(has)),
		Payload:     store.LexiUntagContacts{Tag: tag, ContactIDs: contactIDs(has)}},
		fmt.Sprintf("tag=%s contacts=%s", tag, keys(has)))
}
