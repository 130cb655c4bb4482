package lexi

import (
	"context"
	"regexp"
	"strings"

	"github.com/wbk/crm/models"
)

// The intents, in ONE table: each is one file holding its action type, how a clause is read
// as it (read), how it runs (the action's run method) and, for changes, its tool for the
// model provider. The first intent whose read accepts a clause wins, so the more specific
// come first.

type intent struct {
	name string
	read func(c *clause) Action
	tool *tool // nil: the built-in assistant only (questions the provider's read tools cover)
}

var intents = []intent{
	refuseIntent,
	createContactIntent,
	createDealIntent,
	createListIntent,
	createCampaignIntent,
	updateCampaignIntent,
	removeFromListIntent,
	untagIntent,
	tagIntent,
	addToListIntent,
	importIntent,
	updateContactIntent,
	updateDealIntent,
	moveDealIntent,
	pipelineIntent,
	mostContactsIntent,
	dealInfoIntent,
	dealQuestionIntent,
	recordsQuestionIntent,
	contactQuestionIntent,
}

// recognize reads one clause.
func recognize(c *clause) (Action, string) {
	for _, in := range intents {
		if a := in.read(c); a != nil {
			return a, in.name
		}
	}
	return nil, ""
}

// Refusal is a request Lexi will not serve: deleting or sending something, or an attempt to
// change its instructions.
type Refusal struct{ Steering bool }

var steeringWords = regexp.MustCompile(`(?i)\b(?:ignore|disregard|forget|override|bypass)\b.{0,40}\b(?:instructions?|rules?|prompts?|directions|guidelines|restrictions|guardrails|above|previous|prior|everything|programming)\b` +
	`|\bsystem\s+prompt|\byou\s+are\s+(?:now|no\s+longer)\b|\bact\s+as\b|\bpretend\b|\bjailbreak|\bdeveloper\s+mode\b|\bdo\s+anything\s+now\b|\bnew\s+instructions\b` +
	`|\breveal\b.{0,30}\b(?:prompt|instructions)\b|\brole\s*-?\s*play\b|\bfrom\s+now\s+on\b`)

var destructiveVerbs = setOf(fields(`delete deleting deleted erase erasing destroy wipe purge truncate nuke trash
	unsubscribe deactivate archive merge overwrite export dump send sending sent blast email e-mail mail publish cancel
	unschedule`))

var refuseIntent = intent{name: "refuse", read: func(c *clause) Action {
	_, first := c.first()
	for i := c.a; i < c.b; i++ {
		if !c.plain(i) {
			continue
		}
		w := c.toks[i].word
		if i != first && !(i > c.a && requestLead[c.toks[i-1].word]) {
			continue // "we're sending a reminder" tells, it does not ask
		}
		if !destructiveVerbs[w] && !destructiveVerbs[fixDestructive(w)] {
			if w == "get" && c.after(i) == "rid" || w == "clear" && (c.after(i) == "out" || c.after(i) == "all") {
				return Refusal{}
			}
			continue
		}
		// "email" and "mail" are verbs only before whom they go to: "an email campaign",
		// "their email" are nouns.
		if _, first := c.first(); (w == "email" || w == "e-mail" || w == "mail") && (i != first || i+1 < c.b && c.mentionAt(i+1) != nil && c.mentionAt(i+1).is(kEmail)) {
			continue
		}
		if w == "sent" || w == "send" && c.has("subject") {
			continue
		}
		return Refusal{}
	}
	// "remove Ann" with no list or tag to remove her from deletes her.
	if i := c.idx("remove", "drop"); i >= 0 && !c.has("from", "off", "out", "tag", "tags", "label", "untag") {
		if _, ok := c.selector(); ok || c.has("contact", "deal", "list", "campaign") {
			return Refusal{}
		}
	}
	return nil
}}

// fixDestructive spells the destructive verbs right, so that a typo cannot slip a request
// past the refusal: "deleet", "erse".
func fixDestructive(w string) string {
	if len(w) < 5 || realWords[w] {
		return w
	}
	for _, k := range []string{"delete", "destroy", "erase", "unsubscribe"} {
		if oneEdit(w, k) {
			return k
		}
	}
	return w
}

// refusalText is the reply to a request Lexi will not serve.
func (r Refusal) text() string {
	if r.Steering {
		return "I can't change how I work: I follow the same rules for every message. I answer questions about this workspace " +
			"and prepare changes as tasks for you to approve.\n\n" + HelpText
	}
	return "I can't do that: I never delete, send or export anything. I answer questions about this workspace and prepare " +
		"changes to contacts, lists, tags, deals and campaigns as tasks for you to approve.\n\n" + HelpText
}

// clean trims a name taken from the message: surrounding spaces and quotes only.
func clean(s string) string {
	s = strings.TrimSpace(s)
	for len(s) >= 2 && (isQuote(rune(s[0])) || s[0] == '\'') && (isQuote(rune(s[len(s)-1])) || s[len(s)-1] == '\'') {
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	return s
}

func (Refusal) task() models.LexiAction { return "" }

func (r Refusal) run(context.Context, *proposer) (result, error) {
	return result{reply: r.text(), fact: "refused"}, nil
}
