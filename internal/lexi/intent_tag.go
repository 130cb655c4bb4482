package lexi

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// TagContacts proposes adding a tag to the selected contacts; their other tags stay.
type TagContacts struct {
	Tag string `json:"tag" desc:"The tag to add." required:"true"`
	Selector
}

func (TagContacts) task() models.LexiAction { return models.LexiActionTagContacts }

var tagIntent = intent{name: "tag", read: readTag,
	tool: proposeTool("propose_tag_contacts", "Propose adding a tag to contacts.",
		func(a *TagContacts) error {
			if err := required("tag", &a.Tag); err != nil {
				return err
			}
			return checkSelector(&a.Selector, true)
		})}

var tagVerbs = setOf(fields(`tag label mark flag classify categorize categorise`))

// tagValue finds the tag a clause applies, and the tokens it takes: "as X", "with (the) X
// (tag)", "the X tag", "tag: X".
func (c *clause) tagValue() (string, int, int) {
	stop := c.stopAt([]string{"to", "on", "onto", "for", "and", "please", "the", "all", "everyone", "everybody", "who", "that", "at", "in", "from", "tag", "label"},
		kContact, kCompany, kList, kTitle)
	for i := c.a; i < c.b; i++ {
		if !c.plain(i) {
			continue
		}
		switch w := c.toks[i].word; {
		case w == "as" || w == "with" || (w == "tag" || w == "label") && i+1 < c.b && c.toks[i+1].raw == ":":
			j := i
			if i+1 < c.b && (c.toks[i+1].word == "tag" || c.toks[i+1].word == "label") {
				j = i + 1 // "with tag X"
			}
			if j+1 < c.b && (c.toks[j+1].word == "the" || c.toks[j+1].word == "a") {
				// "with the X tag": the words up to "tag"
				if k := c.find(j+2, "tag", "label"); k > 0 {
					return c.raw(j+2, k), j + 2, k
				}
			}
			if v, a, b := c.valueAfter(j, stop); v != "" {
				return v, a, b
			}
		case w == "tag" || w == "label" || w == "tags" || w == "labels":
			// "the X tag", "a vip tag"
			a := i
			for a > c.a && !c.toks[a-1].punct && !determiners[c.toks[a-1].word] && !tagVerbs[c.toks[a-1].word] && !addVerbs[c.toks[a-1].word] &&
				!removeVerbs[c.toks[a-1].word] && c.toks[a-1].word != "give" && c.toks[a-1].word != "apply" {
				a--
			}
			if _, first := c.first(); a == i && i+1 < c.b && i != first && i > c.a && (determiners[c.toks[i-1].word] || addVerbs[c.toks[i-1].word] || c.toks[i-1].word == "give" || c.toks[i-1].word == "apply") {
				// "put tag vip to …", "give the tag newsletter"
				if v, va, vb := c.valueAfter(i, stop); v != "" {
					return v, va, vb
				}
			}
			if a < i && a > c.a && (determiners[c.toks[a-1].word] || addVerbs[c.toks[a-1].word] || removeVerbs[c.toks[a-1].word] || c.toks[a-1].word == "apply") {
				return c.raw(a, i), a, i
			}
		}
	}
	return "", -1, -1
}

// find is the first token from i on that is one of words, or -1.
func (c *clause) find(i int, words ...string) int {
	for k := i; k < c.b; k++ {
		if c.plain(k) && slices.Contains(words, c.toks[k].word) {
			return k
		}
	}
	return -1
}

func readTag(c *clause) Action {
	v, vi := c.first()
	if !tagVerbs[v] {
		v, vi = "", -1
	}
	apply := v == "" && !c.asked && c.has("apply", "give", "add", "put", "attach", "assign", "stick") && c.has("tag", "label")
	if vi < 0 && !apply {
		return nil
	}
	tag, a, b := c.tagValue()
	if tag == "" && vi >= 0 {
		// "tag Ann champion": the last word
		k := c.b - 1
		for k > vi+1 && c.toks[k].punct {
			k--
		}
		if m := c.mentionAt(k); k > vi+1 && !c.toks[k].punct && (c.plain(k) || m != nil && m.is(kTag) && m.from == k) {
			tag, a, b = c.toks[k].raw, k, k+1
		} else if k > vi+1 && c.toks[k].quoted {
			tag, a, b = c.toks[k].raw, k, k+1
		}
	}
	if tag == "" {
		return nil
	}
	if _, isStage := stageWords[lower(tag)]; isStage && (v == "mark" || v == "flag") {
		return nil // "mark the Globex renewal as won" moves a deal
	}
	var skip []*mention
	for _, m := range c.ms {
		if m.from >= a && m.from < b {
			skip = append(skip, m)
		}
	}
	sel, ok := c.selector(skip...)
	if !ok {
		return nil
	}
	return TagContacts{Tag: tag, Selector: sel}
}

func (a TagContacts) run(ctx context.Context, p *proposer) (result, error) {
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	tag := strings.ToLower(strings.TrimSpace(a.Tag))
	if known := w.resolveTag(tag); known != "" && slices.Contains(w.v.Tags, known) {
		tag = known
	}
	if tag == "" || len([]rune(tag)) > 64 {
		return declined("A tag must be 1 to 64 characters.")
	}
	s, reply, err := p.resolve(ctx, a.Selector)
	if err != nil || reply != "" {
		return result{reply: reply, fact: "declined: " + reply}, err
	}
	if len(s.contacts) == 0 {
		return declined(fmt.Sprintf("There are no contacts %s, so there is nobody to tag.", s.describe))
	}
	if len(s.contacts) > maxTaskContacts {
		return declined(fmt.Sprintf("That is %d contacts; one task can hold at most %d.", len(s.contacts), maxTaskContacts))
	}
	already := 0
	for _, c := range s.contacts {
		if slices.Contains(c.TagList, tag) {
			already++
		}
	}
	n := len(s.contacts)
	desc := fmt.Sprintf("Adds the tag %s to %s: %s. Their other tags stay.", tag, s.phrase(), names(s.contacts))
	title := fmt.Sprintf("Tag %s as %s", s.phrase(), tag)
	note := ""
	switch {
	case already == n:
		desc += " All of them already have it, so nothing will change."
		note = "All of them already have that tag, so approving it changes nothing."
	case already > 0:
		desc += fmt.Sprintf(" %d already %s it.", already, map[bool]string{true: "has", false: "have"}[already == 1])
	}
	return proposed(&Proposal{Action: models.LexiActionTagContacts, Title: title, Description: desc,
		Payload: store.LexiTagContacts{Tag: tag, ContactIDs: contactIDs(s.contacts)}},
		fmt.Sprintf("tag=%s contacts=%s", tag, keys(s.contacts)), note)
}
