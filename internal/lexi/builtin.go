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

// Builtin is the default assistant: deterministic, no network, no model files. It reads a
// message against the workspace's own nouns (Understand), then runs what it understood
// through the proposer, which reads only through the workspace-scoped store, so an answer can
// only ever contain the caller's own workspace's data.
type Builtin struct {
	Store *store.Store
	// Now is the clock dates are read against ("this month", "overdue"); nil: time.Now.
	Now func() time.Time
}

const (
	// showLimit caps the records a reply lists.
	showLimit = 10
	// maxTaskContacts is the most contacts one task may touch: the store's per-call id limit.
	maxTaskContacts = 1000
	// maxTaskProspects keeps an import task reviewable.
	maxTaskProspects = 100
	// maxProposalsPerTurn bounds the tasks one chat turn may propose.
	maxProposalsPerTurn = 5
	// contextTurns is how many earlier user messages "them" and "it" may refer to.
	contextTurns = 3
)

// HelpText is the reply to anything the built-in assistant does not understand.
const HelpText = `I can answer questions about this workspace and prepare changes for you to approve. Try:
- "How many contacts at Acme?", "Who is the CTO at Acme?", "Show everyone tagged vip"
- "What's our open pipeline?", "Total value of deals in negotiation", "Deals closing this month", "Which deals are overdue?"
- "Create a list called VIP with contacts tagged vip", "Add Maria Lopez to the Events list", "Remove Sam from VIP"
- "Tag Maria and Sam as champions", "Remove the churn-risk tag from Maria"
- "Move the Globex renewal to negotiation", "Set the Globex renewal amount to $50k", "Push its close date to next Friday"
- "Add a contact Jane Roe, jane@acme.com, CFO at Acme", "Change Maria's title to VP Sales"
- "Create a deal called Acme expansion worth $20k", "Draft a campaign called Q4 launch for list VIP", "Import prospects at Acme"
Changes become tasks; nothing changes until a key with WRITE approves them.`

// Turn is what the assistant understood of one message and what it made of it.
type Turn struct {
	Reply     string
	Proposals []Proposal
	// Facts are what each understood request resolved to, in a fixed form ("count contacts =
	// 4", "TAG_CONTACTS tag=champion contacts=ann,bob"): what the phrasing tests compare.
	Facts []string
}

// Reply answers one message.
func (b *Builtin) Reply(ctx context.Context, history []*models.LexiMessage, message string) (string, []Proposal, error) {
	t, err := b.Answer(ctx, history, message)
	if err != nil {
		return "", nil, err
	}
	return t.Reply, t.Proposals, nil
}

// Answer reads one message in the light of the conversation before it and answers it.
func (b *Builtin) Answer(ctx context.Context, history []*models.LexiMessage, message string) (*Turn, error) {
	pr := &proposer{st: b.Store, now: b.Now}
	w, err := pr.world(ctx)
	if err != nil {
		return nil, err
	}
	// What "them" and "it" refer to: what the last few user messages named or listed.
	f := &focus{}
	var earlier []string
	for i := len(history) - 1; i >= 0 && len(earlier) < contextTurns; i-- {
		if history[i].Role == models.LexiRoleUser {
			earlier = append([]string{history[i].Content}, earlier...)
		}
	}
	for _, m := range earlier {
		if _, err := b.turn(ctx, pr, w, m, f, true); err != nil {
			return nil, err
		}
	}
	return b.turn(ctx, pr, w, message, f, false)
}

func (b *Builtin) turn(ctx context.Context, pr *proposer, w *world, message string, f *focus, replay bool) (*Turn, error) {
	t := &Turn{}
	if steeringWords.MatchString(message) {
		if !replay {
			t.Reply, t.Facts = Refusal{Steering: true}.text(), []string{"refused"}
		}
		return t, nil
	}
	var replies []string
	var unknown []string
	var created []CreateList
	lastList := -1
	clauses := read(w, message)
	for i := 0; i < len(clauses); i++ {
		c := clauses[i]
		c.focus = f
		a, _ := recognize(c)
		if a == nil && i+1 < len(clauses) {
			// A statement that asks nothing ("the Contoso upgrade stalled") sets up the
			// request after it ("move it to lost"): read them together.
			focusFromMentions(c, f)
			next := clauses[i+1]
			next.focus = f
			if alone, _ := recognize(next); alone == nil {
				if a2, _ := recognize(joined(c, next, f)); a2 != nil {
					a = a2
					i++
				}
			}
		}
		if a == nil {
			focusFromMentions(c, f)
			unknown = append(unknown, c.unplaced()...)
			continue
		}
		if who := c.strangers(); a.task() == "" && len(who) > 0 && !replay {
			replies = append(replies, fmt.Sprintf("I don't know %q: it is not a contact, company, tag, list, deal or campaign of this workspace.", strings.Join(who, " ")))
			t.Facts = append(t.Facts, "unknown: "+strings.Join(who, " "))
			continue
		}
		if _, isRefusal := a.(Refusal); isRefusal && !replay {
			t.Reply, t.Facts, t.Proposals = a.(Refusal).text(), []string{"refused"}, nil
			return t, nil
		}
		if replay && a.task() != "" {
			focusFromMentions(c, f)
			continue
		}
		if a.task() != "" && len(t.Proposals) == maxProposalsPerTurn {
			replies = append(replies, fmt.Sprintf("I prepare at most %d tasks per message; ask again for the rest.", maxProposalsPerTurn))
			break
		}
		// "create a list called X and put the CEOs on it": one new list with them
		if add, ok := a.(AddToList); ok && add.It && lastList >= 0 {
			cl := created[lastList]
			cl.Selector = add.Selector
			a = cl
			t.Proposals, t.Facts, replies = t.Proposals[:len(t.Proposals)-1], t.Facts[:len(t.Facts)-1], replies[:len(replies)-1]
		}
		if cl, ok := a.(CreateList); ok && cl.Selector.IsZero() {
			created = append(created, cl)
			lastList = len(created) - 1
		} else {
			lastList = -1
		}
		r, err := a.run(ctx, pr)
		if err != nil {
			return nil, err
		}
		if r.proposal == nil && a.task() != "" && strings.HasPrefix(r.fact, "declined") && i+1 < len(clauses) {
			// A request missing a part ("create an empty list for me?") may get it in the
			// next sentence ("Please name it 'Partner Summit'").
			if a2, _ := recognize(joined(c, clauses[i+1], f)); a2 != nil && a2.task() == a.task() {
				if r2, err := a2.run(ctx, pr); err == nil && r2.proposal != nil {
					r = r2
					i++
				}
			}
		}
		if slices.Contains(t.Facts, r.fact) {
			continue // said twice: "X is signed, move it to won"
		}
		focusFromMentions(c, f)
		f.merge(r.focus)
		replies = append(replies, r.reply)
		t.Facts = append(t.Facts, r.fact)
		if r.proposal != nil {
			t.Proposals = append(t.Proposals, *r.proposal)
		}
	}
	if len(replies) == 0 {
		t.Reply = unclearReply(unknown)
		t.Facts = []string{"unclear"}
		return t, nil
	}
	t.Reply = strings.Join(replies, "\n\n")
	return t, nil
}

// joined reads two clauses as one.
func joined(c, next *clause, f *focus) *clause {
	m := newClause(c.w, c.msg, c.toks, nil, c.a, next.b, next.slot, next.asked)
	m.ms = append(append([]*mention{}, c.ms...), next.ms...)
	if next.slot[0] == next.slot[1] {
		m.slot = c.slot
	}
	m.focus = f
	return m
}

// focusFromMentions makes what a clause named the focus of what follows.
func focusFromMentions(c *clause, f *focus) {
	var emails []string
	for _, m := range c.ms {
		if r, ok := m.get(kContact, false); ok {
			emails = append(emails, r.who())
		} else if r, ok := m.get(kContact, true); ok && m.onlyWeak() {
			emails = append(emails, r.who())
		}
		if r, ok := m.get(kDeal, false); ok {
			f.deal = r.deal
		} else if r, ok := m.get(kDeal, true); ok && (m.onlyWeak() || c.has("deal", "opportunity", "opp")) {
			f.deal = r.deal
		}
		if r, ok := m.get(kList, false); ok {
			f.list = r.list
		}
		if r, ok := m.get(kCampaign, true); ok {
			f.campaign = r.campaign
		}
	}
	if len(emails) > 0 {
		f.contacts = &Selector{Contacts: emails}
	}
}

func (f *focus) merge(g focus) {
	if g.contacts != nil {
		f.contacts = g.contacts
	}
	if g.deal != nil {
		f.deal = g.deal
	}
	if g.list != nil {
		f.list = g.list
	}
	if g.campaign != nil {
		f.campaign = g.campaign
	}
}

// unplaced are the words of a clause that are neither the assistant's words nor names it
// knows: what the reply to a request it cannot place names.
func (c *clause) unplaced() []string {
	var out []string
	for i := c.a; i < c.b; i++ {
		t := c.toks[i]
		if t.punct || !c.plain(i) || keywordSet[t.word] || stopWords[t.word] || leadFiller[t.word] || knownWords[t.word] || questionStart[t.word] {
			continue
		}
		out = append(out, t.raw)
	}
	return out
}

// strangers are the words of a clause that look like names the workspace does not have:
// capitalised inside the sentence, or right after "at", "from", "with" or "called".
func (c *clause) strangers() []string {
	var out []string
	_, first := c.first()
	for i := c.a; i < c.b; i++ {
		t := c.toks[i]
		if t.punct || !c.plain(i) || c.mentionAt(i) != nil || !isLetters(t.low) || keywordSet[t.word] || stopWords[t.word] ||
			leadFiller[t.word] || knownWords[t.word] || questionStart[t.word] || commonNouns[t.word] || contactNouns[t.word] {
			continue
		}
		prev := ""
		if i > c.a {
			prev = c.toks[i-1].word
		}
		_ = first
		if prev == "at" || prev == "from" || prev == "called" || prev == "named" || prev == "with" && t.upper || prev == "does" || prev == "about" && t.upper {
			out = append(out, t.raw)
		}
	}
	return out
}

// commonNouns are words a question may hold that name nothing of the workspace.
var commonNouns = setOf(fields(`moment time times total general right now today least most all present whole entire
	name names email emails phone phones title titles role roles job jobs value values size stage stages date dates
	detail details info information status company companies account accounts deal deals list lists tag tags
	crm system database workspace pipeline quarter month year week day days weeks months years`))

var knownWords = setOf(fields(`me us them they it is are was be have has do does did there here who what which how many
	much show tell give find see get need want please thanks me you your about with in on at for from into to by
	as when where why not no yes any some each every more most less least than then so if but or`))

func unclearReply(unknown []string) string {
	if len(unknown) > 0 {
		return fmt.Sprintf("I did not recognise %s: it is not a contact, company, tag, list, deal or campaign of this workspace, "+
			"nor something I know how to do.\n\n%s", apperr.Quote(strings.Join(unknown, " ")), HelpText)
	}
	return HelpText
}

// Parsed is what a message asks for, read without a workspace: the names in it stay
// unplaced, so only requests that name no records are understood.
type Parsed struct {
	Actions []Action
	Refused bool
}

// Parse reads a message against an empty workspace.
func Parse(message string) Parsed {
	w := newWorld(&store.LexiVocabulary{}, time.Now())
	if steeringWords.MatchString(message) {
		return Parsed{Refused: true}
	}
	var out Parsed
	f := &focus{}
	for _, c := range read(w, message) {
		c.focus = f
		a, _ := recognize(c)
		if _, ok := a.(Refusal); ok {
			return Parsed{Refused: true}
		}
		if a != nil {
			out.Actions = append(out.Actions, a)
		}
	}
	return out
}
