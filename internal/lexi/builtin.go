package lexi

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// Builtin is the default assistant: deterministic pattern matching over everyday phrasings,
// no network. It reads only through the workspace-scoped store, so an answer can only ever
// contain the caller's own workspace's data.
type Builtin struct {
	Store *store.Store
}

const (
	// showLimit caps the contacts a reply lists.
	showLimit = 10
	// maxTaskContacts is the most contacts one task may touch: the store's per-call id limit.
	maxTaskContacts = 1000
	// maxTaskProspects keeps an import task reviewable.
	maxTaskProspects = 100
)

// HelpText is the reply to anything the built-in assistant does not understand.
const HelpText = `I can answer questions about this workspace and prepare changes for you to approve. Try:
- "How many contacts do we have?", "How many contacts at Acme?", "How many deals are in negotiation?"
- "Show contacts at Acme", "Find contacts tagged vip"
- "Create a list called VIP with contacts tagged vip"
- "Add contacts tagged vip to list VIP"
- "Tag contacts at Acme as enterprise"
- "Move deal Globex renewal to negotiation"
- "Draft a campaign called Q4 launch for list VIP"
- "Import prospects at Acme"
Changes become tasks; nothing changes until a key with WRITE approves them.`

// Reply answers one message.
func (b *Builtin) Reply(ctx context.Context, _ []*models.LexiMessage, message string) (string, []Proposal, error) {
	text := normalize(message)
	for _, in := range intents {
		if m := in.re.FindStringSubmatch(text); m != nil {
			reply, p, err := in.run(ctx, b, m)
			if err != nil {
				return "", nil, err
			}
			if p == nil {
				return reply, nil, nil
			}
			return reply, []Proposal{*p}, nil
		}
	}
	return HelpText, nil, nil
}

type intent struct {
	re  *regexp.Regexp
	run func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error)
}

// Pieces of the patterns. Everything is matched case-insensitively on the normalized text;
// names keep the case the user typed.
const (
	contactsWord = `(?:contacts?|people|persons?|everyone|everybody)`
	theAll       = `(?:(?:all|every)\s+)?(?:(?:the|our|my)\s+)?`
	calledWord   = `(?:(?:called|named|titled)\s+)?`
	// listRef is "list X", "list called X", "the X list"; two groups, one of them set.
	listRef = `(?:the\s+)?(?:list\s+` + calledWord + `(.+)|(.+?)\s+list)`
)

var intents = []intent{
	// Changes first: "create a list … with contacts tagged vip" must not read as a question.
	{re(`^(?:create|make|build|set\s+up|start|add|new)\s+(?:me\s+)?(?:a\s+|an\s+|the\s+)?(?:new\s+)?(?:contact\s+)?list\s+` + calledWord +
		`(.+?)(\s+(?:with|of|containing|for|from|including|using)\s+` + theAll + contactsWord + `(?:\s+(.+))?)?$`),
		func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error) {
			return b.createList(ctx, m[1], m[2] != "", m[3])
		}},
	{re(`^(?:create|make|build|set\s+up|start)\s+(?:me\s+)?(?:a\s+|an\s+|the\s+)?(?:new\s+)?(.+?)\s+list(\s+(?:with|of|containing|for|from|including|using)\s+` +
		theAll + contactsWord + `(?:\s+(.+))?)?$`),
		func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error) {
			return b.createList(ctx, m[1], m[2] != "", m[3])
		}},
	{re(`^(?:add|put|include|append|copy)\s+` + theAll + contactsWord + `(?:\s+(.+?))?\s+(?:to|into|onto|in)\s+` + listRef + `$`),
		func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error) {
			return b.addToList(ctx, m[1], first(m[2], m[3]))
		}},
	{re(`^(?:tag|label|mark)\s+` + theAll + contactsWord + `(?:\s+(.+?))?\s+(?:as|with)\s+(?:(?:a|the)\s+)?(?:tag\s+)?(.+?)(?:\s+tag)?$`),
		func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error) {
			return b.tagContacts(ctx, m[1], m[2])
		}},
	{re(`^add\s+(?:(?:a|the)\s+)?tag\s+(.+?)\s+to\s+` + theAll + contactsWord + `(?:\s+(.+))?$`),
		func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error) {
			return b.tagContacts(ctx, m[2], m[1])
		}},
	{re(`^(?:draft|create|make|write|prepare|start|set\s+up|new)\s+(?:me\s+)?(?:a\s+|an\s+|the\s+)?(?:new\s+)?(?:draft\s+)?(?:e-?mail\s+)?campaign\s+` + calledWord +
		`(.+?)(?:\s+(?:for|to|targeting|using|with|on)\s+` + listRef + `)?$`),
		func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error) {
			return b.createCampaign(ctx, m[1], first(m[2], m[3]))
		}},
	{re(`^(?:import|add|bring\s+in|copy)\s+` + theAll + `prospects?\s+(?:at|from|of|working\s+at|who\s+work\s+at)\s+(?:the\s+)?(?:company\s+)?(.+?)(?:\s+(?:in)?to\s+` + listRef + `)?$`),
		func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error) {
			return b.importProspects(ctx, m[1], first(m[2], m[3]))
		}},
	{re(`^(?:move|set|change|update|put|advance|push|bump|mark)\s+(?:the\s+)?(?:stage\s+of\s+(?:the\s+)?)?(?:deal\s+)?` + calledWord +
		`(.+?)(?:'s\s+stage|\s+deal)?\s+(?:to|into|as|at|in)\s+(?:the\s+)?(?:stage\s+)?(.+?)(?:\s+stage)?$`),
		func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error) {
			return b.moveDeal(ctx, m[1], m[2])
		}},

	// Questions.
	{re(`^(?:how\s+many|count(?:\s+all)?(?:\s+(?:the|our|my))?|(?:what(?:'s|\s+is)\s+)?the\s+(?:number|count)\s+of|number\s+of|total(?:\s+number\s+of)?)\s+(?:of\s+)?(?:(?:the|our|my)\s+)?` +
		`(contacts?|people|deals?|lists?|campaigns?)(?:\s+(.+))?$`),
		func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error) {
			return b.count(ctx, strings.ToLower(m[1]), m[2])
		}},
	{re(`^(?:show|list|find|get|display|give|search(?:\s+for)?|look\s+up|who\s+are|which\s+are|see)(?:\s+me)?\s+` + theAll + contactsWord + `(?:\s+(.+))?$`),
		func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error) {
			return b.show(ctx, m[1])
		}},
	{re(`^(?:which|what)\s+` + contactsWord + `\s+(.+)$`),
		func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error) {
			return b.show(ctx, m[1])
		}},
	{re(`^who\s+(?:works?|is|are)\s+(?:at|for|with)\s+(.+)$`),
		func(ctx context.Context, b *Builtin, m []string) (string, *Proposal, error) {
			return b.show(ctx, "at "+m[1])
		}},
}

func re(p string) *regexp.Regexp { return regexp.MustCompile(`(?i)` + p) }

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

var (
	spaces        = regexp.MustCompile(`\s+`)
	leadingNoise  = re(`^(?:(?:hey|hi|hello|ok|okay|so)\b[\s,!]*|lexi\b[\s,:!]*|please\b[\s,]*|(?:can|could|would|will)\s+you(?:\s+please)?\s+|i(?:'d|\s+would)\s+like\s+(?:you\s+)?to\s+|i\s+(?:want|need)\s+(?:you\s+)?to\s+|let'?s\s+|go\s+ahead\s+and\s+|kindly\s+|now\s+)`)
	trailingNoise = re(`(?:[\s,]+(?:please|thanks|thank\s+you|for\s+me|now|pls|plz))$`)
)

// normalize strips what carries no meaning: politeness, "Lexi,", typographic quotes,
// repeated spaces and trailing punctuation.
func normalize(s string) string {
	s = strings.NewReplacer("\u201c", `"`, "\u201d", `"`, "\u2018", "'", "\u2019", "'", "\u00a0", " ").Replace(s)
	s = strings.TrimSpace(spaces.ReplaceAllString(s, " "))
	for {
		before := s
		s = strings.TrimRight(s, ".?!;:, ")
		s = trailingNoise.ReplaceAllString(s, "")
		s = strings.TrimLeft(leadingNoise.ReplaceAllString(s, ""), ",: ")
		if s == before {
			return s
		}
	}
}

// unquote returns a name as the user meant it: without surrounding quotes or a trailing
// full stop.
func unquote(s string) string {
	s = strings.TrimSpace(s)
	for len(s) >= 2 {
		q := s[0]
		if (q == '"' || q == '\'' || q == '`') && s[len(s)-1] == q {
			s = strings.TrimSpace(s[1 : len(s)-1])
			continue
		}
		break
	}
	return s
}

// selector is a set of contacts described in words: all of them, those at a company, or
// those with a tag.
type selector struct {
	company, tag string
}

var (
	selTag     = re(`^(?:tagged|labell?ed|marked)\s+(?:as\s+|with\s+)?(?:(?:a|the)\s+)?(?:tag\s+)?(.+?)(?:\s+tag)?$`)
	selWithTag = re(`^(?:with|having|(?:(?:that|who)\s+)?(?:have|has))\s+(?:(?:a|the)\s+)?tag\s+(.+)$`)
	selCompany = re(`^(?:(?:(?:who|that)\s+)?(?:works?|are|is)\s+|working\s+|employed\s+)?(?:at|from|in|of|for|with)\s+(?:(?:the\s+)?company\s+)?(.+)$`)
	selCoIs    = re(`^(?:whose\s+|with\s+|where\s+)?(?:the\s+)?company\s+(?:is\s+|=\s*)?(.+)$`)
	selLead    = re(`^(?:(?:who|that|which)\s+)?(?:(?:are|is|were)\s+)?(?:currently\s+|now\s+)?`)
	selFiller  = re(`\s*\b(?:do\s+we\s+have|do\s+i\s+have|have\s+we\s+got|are\s+there|is\s+there|exist|in\s+total|altogether|overall|in\s+(?:the|our|my|this)\s+(?:crm|workspace)|we\s+have|i\s+have|there\s+are)\b\s*`)
)

// parseSelector reads "at Acme", "tagged vip", "with the tag 'vip'", "who work at Acme", or
// nothing (all contacts).
func parseSelector(s string) (selector, bool) {
	s = strings.TrimSpace(outsideQuotes(" "+s+" ", func(part string) string { return selFiller.ReplaceAllString(part, " ") }))
	s = strings.TrimSpace(selLead.ReplaceAllString(s, ""))
	if s == "" {
		return selector{}, true
	}
	for _, p := range []*regexp.Regexp{selTag, selWithTag} {
		if m := p.FindStringSubmatch(s); m != nil {
			if tag := strings.ToLower(unquote(m[1])); tag != "" {
				return selector{tag: tag}, true
			}
		}
	}
	for _, p := range []*regexp.Regexp{selCompany, selCoIs} {
		if m := p.FindStringSubmatch(s); m != nil {
			if co := unquote(m[1]); co != "" {
				return selector{company: co}, true
			}
		}
	}
	return selector{}, false
}

// outsideQuotes applies fn to the parts of s that are not inside double quotes, so that a
// quoted name ("Overall Inc") is taken as written.
func outsideQuotes(s string, fn func(string) string) string {
	parts := strings.Split(s, `"`)
	for i := 0; i < len(parts); i += 2 { // even parts are outside quotes
		parts[i] = fn(parts[i])
	}
	return strings.Join(parts, `"`)
}

func (s selector) filter() *models.ContactFilter {
	f := &models.ContactFilter{}
	if s.company != "" {
		f.Company = &s.company
	}
	if s.tag != "" {
		f.Tag = &s.tag
	}
	return f
}

// describe is the set in words, as it follows "contacts": "at Acme", "tagged vip", "".
func (s selector) describe() string {
	switch {
	case s.tag != "":
		return "tagged " + s.tag
	case s.company != "":
		return "at " + s.company
	}
	return ""
}

func (s selector) all() bool { return s.tag == "" && s.company == "" }

// phrase is "the 3 contacts tagged vip", "the 1 contact at Acme", "all 60 contacts".
func (s selector) phrase(n int) string {
	if s.all() {
		return fmt.Sprintf("all %s", plural(n, "contact"))
	}
	return fmt.Sprintf("the %s %s", plural(n, "contact"), s.describe())
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if noun == "person" {
		return fmt.Sprintf("%d people", n)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func notUnderstood(what string) string {
	return "I did not understand which " + what + " you mean. " + HelpText
}

// match resolves a selector to the contacts a task will touch.
func (b *Builtin) match(ctx context.Context, sel selector) ([]*models.Contact, int, error) {
	return b.Store.MatchContacts(ctx, sel.filter(), maxTaskContacts)
}

func contactIDs(cs []*models.Contact) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// names lists contacts by name for a task's description, cut short after showLimit.
func names(cs []*models.Contact) string {
	var parts []string
	for i, c := range cs {
		if i == showLimit {
			parts = append(parts, fmt.Sprintf("and %d more", len(cs)-showLimit))
			break
		}
		parts = append(parts, c.FullName())
	}
	return strings.Join(parts, ", ")
}

const approveNote = "Nothing changes until a key with WRITE approves it."

func proposed(p *Proposal, notes ...string) (string, *Proposal, error) {
	reply := "I've prepared a task for your approval: " + p.Title + ". " + approveNote
	for _, n := range notes {
		if n != "" {
			reply += " " + n
		}
	}
	return reply, p, nil
}

func (b *Builtin) count(ctx context.Context, what, rest string) (string, *Proposal, error) {
	switch {
	case strings.HasPrefix(what, "contact") || what == "people":
		sel, ok := parseSelector(rest)
		if !ok {
			return notUnderstood("contacts"), nil, nil
		}
		_, n, err := b.Store.MatchContacts(ctx, sel.filter(), 0)
		if err != nil {
			return "", nil, err
		}
		if sel.all() {
			if n == 0 {
				return "You have no contacts yet.", nil, nil
			}
			return fmt.Sprintf("You have %s.", plural(n, "contact")), nil, nil
		}
		return fmt.Sprintf("%s %s.", thereAre(n, "contact"), sel.describe()), nil, nil
	case strings.HasPrefix(what, "deal"):
		rest = strings.TrimSpace(selFiller.ReplaceAllString(" "+rest+" ", " "))
		rest = strings.TrimSpace(selLead.ReplaceAllString(rest, ""))
		if rest == "" {
			n, err := b.Store.CountDeals(ctx, nil)
			if err != nil {
				return "", nil, err
			}
			return fmt.Sprintf("You have %s.", plural(n, "deal")), nil, nil
		}
		stage, ok := parseStage(strings.TrimSpace(stagePrefix.ReplaceAllString(rest, "")))
		if !ok {
			return "I can count deals in total or by stage (lead, qualified, proposal, negotiation, won, lost).", nil, nil
		}
		n, err := b.Store.CountDeals(ctx, &stage)
		if err != nil {
			return "", nil, err
		}
		return fmt.Sprintf("%s %s.", thereAre(n, "deal"), stagePhrase(stage)), nil, nil
	case strings.HasPrefix(what, "list"):
		conn, err := b.Store.Lists(ctx, store.PageArgs{First: ptr(0)}, nil)
		if err != nil {
			return "", nil, err
		}
		n, err := conn.TotalCount(ctx)
		if err != nil {
			return "", nil, err
		}
		return fmt.Sprintf("You have %s.", plural(n, "list")), nil, nil
	default:
		conn, err := b.Store.Campaigns(ctx, store.PageArgs{First: ptr(0)}, nil)
		if err != nil {
			return "", nil, err
		}
		n, err := conn.TotalCount(ctx)
		if err != nil {
			return "", nil, err
		}
		return fmt.Sprintf("You have %s.", plural(n, "campaign")), nil, nil
	}
}

func thereAre(n int, noun string) string {
	switch n {
	case 0:
		return "There are no " + noun + "s"
	case 1:
		return "There is 1 " + noun
	}
	return fmt.Sprintf("There are %d %ss", n, noun)
}

func ptr[T any](v T) *T { return &v }

var stagePrefix = re(`^(?:in|at|with)\s+(?:(?:the|stage)\s+)*|\s+stage$`)

var stageWords = map[string]models.DealStage{
	"lead": models.DealStageLead, "leads": models.DealStageLead, "new": models.DealStageLead,
	"qualified": models.DealStageQualified, "qualification": models.DealStageQualified,
	"proposal": models.DealStageProposal, "proposals": models.DealStageProposal, "proposed": models.DealStageProposal,
	"negotiation": models.DealStageNegotiation, "negotiations": models.DealStageNegotiation, "negotiating": models.DealStageNegotiation,
	"won": models.DealStageWon, "closed won": models.DealStageWon, "closed-won": models.DealStageWon, "win": models.DealStageWon,
	"lost": models.DealStageLost, "closed lost": models.DealStageLost, "closed-lost": models.DealStageLost,
}

func parseStage(s string) (models.DealStage, bool) {
	s = strings.ToLower(unquote(strings.TrimSpace(stagePrefix.ReplaceAllString(strings.TrimSpace(s), ""))))
	st, ok := stageWords[s]
	return st, ok
}

func stageName(s models.DealStage) string { return strings.ToLower(string(s)) }

// stagePhrase is how a stage reads after "There are 4 deals".
func stagePhrase(s models.DealStage) string {
	switch s {
	case models.DealStageNegotiation:
		return "in negotiation"
	case models.DealStageWon, models.DealStageLost:
		return stageName(s)
	}
	return "in the " + stageName(s) + " stage"
}

func (b *Builtin) show(ctx context.Context, rest string) (string, *Proposal, error) {
	sel, ok := parseSelector(rest)
	if !ok {
		return notUnderstood("contacts"), nil, nil
	}
	cs, n, err := b.Store.MatchContacts(ctx, sel.filter(), showLimit)
	if err != nil {
		return "", nil, err
	}
	label := strings.TrimSpace("contacts " + sel.describe())
	if n == 0 {
		return "I found no " + label + ".", nil, nil
	}
	var sb strings.Builder
	switch {
	case n == 1:
		fmt.Fprintf(&sb, "I found 1 %s:", strings.TrimSpace("contact "+sel.describe()))
	case n > len(cs):
		fmt.Fprintf(&sb, "I found %d %s; here are the first %d:", n, label, len(cs))
	default:
		fmt.Fprintf(&sb, "I found %d %s:", n, label)
	}
	for _, c := range cs {
		sb.WriteString("\n- " + c.FullName() + ", " + c.Email)
		if c.Company != nil {
			sb.WriteString(", " + *c.Company)
		}
	}
	if n > len(cs) {
		fmt.Fprintf(&sb, "\n…and %d more.", n-len(cs))
	}
	return sb.String(), nil, nil
}

// createList proposes a list; withContacts says the request named contacts for it ("with all
// contacts", "with contacts tagged vip"), rawSel which ones ("" for all of them).
func (b *Builtin) createList(ctx context.Context, rawName string, withContacts bool, rawSel string) (string, *Proposal, error) {
	name := unquote(rawName)
	if name == "" || len([]rune(name)) > 255 {
		return "A list name must be 1 to 255 characters.", nil, nil
	}
	payload := store.LexiCreateList{Name: name}
	title := "Create empty list " + name
	desc := fmt.Sprintf("Creates a new list named %q with no contacts.", name)
	if withContacts {
		sel, ok := parseSelector(rawSel)
		if !ok {
			return notUnderstood("contacts"), nil, nil
		}
		cs, n, err := b.match(ctx, sel)
		if err != nil {
			return "", nil, err
		}
		if n == 0 {
			return fmt.Sprintf("There are no contacts %s, so I have not proposed a list. Ask me to create a list called %s to make an empty one.",
				sel.describe(), name), nil, nil
		}
		if n > maxTaskContacts {
			return fmt.Sprintf("That is %d contacts; one task can hold at most %d.", n, maxTaskContacts), nil, nil
		}
		payload.ContactIDs = contactIDs(cs)
		title = fmt.Sprintf("Create list %s with %s", name, sel.phrase(n))
		desc = fmt.Sprintf("Creates a new list named %q and adds %s to it: %s.", name, sel.phrase(n), names(cs))
	}
	note := ""
	if _, err := b.Store.ListByName(ctx, name); err == nil {
		note = fmt.Sprintf("Note: a list named %s already exists, so approving this task will fail unless that list is renamed or deleted first.", name)
	} else if apperr.CodeOf(err) != apperr.ENOTFOUND {
		return "", nil, err
	}
	return proposed(&Proposal{Action: models.LexiActionCreateList, Title: title, Description: desc, Payload: payload}, note)
}

func (b *Builtin) findList(ctx context.Context, rawName string) (*models.List, string, error) {
	name := unquote(rawName)
	l, err := b.Store.ListByName(ctx, name)
	if apperr.CodeOf(err) == apperr.ENOTFOUND {
		return nil, fmt.Sprintf("There is no list named %s. You can ask me to create a list called %s first.", name, name), nil
	}
	return l, "", err
}

func (b *Builtin) addToList(ctx context.Context, rawSel, rawList string) (string, *Proposal, error) {
	sel, ok := parseSelector(rawSel)
	if !ok {
		return notUnderstood("contacts"), nil, nil
	}
	l, reply, err := b.findList(ctx, rawList)
	if l == nil {
		return reply, nil, err
	}
	cs, n, err := b.match(ctx, sel)
	if err != nil {
		return "", nil, err
	}
	if n == 0 {
		return fmt.Sprintf("There are no contacts %s, so there is nothing to add to list %s.", sel.describe(), l.Name), nil, nil
	}
	if n > maxTaskContacts {
		return fmt.Sprintf("That is %d contacts; one task can hold at most %d.", n, maxTaskContacts), nil, nil
	}
	members, _, err := b.Store.MatchContacts(ctx, &models.ContactFilter{ListID: &l.ID}, 100*maxTaskContacts)
	if err != nil {
		return "", nil, err
	}
	in := make(map[string]bool, len(members))
	for _, c := range members {
		in[c.ID] = true
	}
	already := 0
	for _, c := range cs {
		if in[c.ID] {
			already++
		}
	}
	desc := fmt.Sprintf("Adds %s to list %s: %s.", sel.phrase(n), l.Name, names(cs))
	note := ""
	switch {
	case already == n:
		desc += " All of them are already in it, so nothing will change."
		note = "All of them are already in the list, so approving it changes nothing."
	case already > 0:
		desc += fmt.Sprintf(" %s already in it and will stay as %s.", isAre(already), pronoun(already))
	}
	title := fmt.Sprintf("Add %s to list %s", sel.phrase(n), l.Name)
	if already > 0 && already < n {
		title = fmt.Sprintf("Add %d of %s to list %s (%s already in it)", n-already, sel.phrase(n), l.Name, isAre(already))
	}
	return proposed(&Proposal{Action: models.LexiActionAddContactsToList,
		Title:       title,
		Description: desc,
		Payload:     store.LexiAddToList{ListID: l.ID, ContactIDs: contactIDs(cs)}}, note)
}

func isAre(n int) string {
	if n == 1 {
		return "1 is"
	}
	return fmt.Sprintf("%d are", n)
}

func hasHave(n int) string {
	if n == 1 {
		return "has"
	}
	return "have"
}

func pronoun(n int) string {
	if n == 1 {
		return "it is"
	}
	return "they are"
}

func (b *Builtin) tagContacts(ctx context.Context, rawSel, rawTag string) (string, *Proposal, error) {
	sel, ok := parseSelector(rawSel)
	if !ok {
		return notUnderstood("contacts"), nil, nil
	}
	tag := strings.ToLower(unquote(rawTag))
	if tag == "" || len([]rune(tag)) > 64 {
		return "A tag must be 1 to 64 characters.", nil, nil
	}
	cs, n, err := b.match(ctx, sel)
	if err != nil {
		return "", nil, err
	}
	if n == 0 {
		return fmt.Sprintf("There are no contacts %s, so there is nobody to tag.", sel.describe()), nil, nil
	}
	if n > maxTaskContacts {
		return fmt.Sprintf("That is %d contacts; one task can hold at most %d.", n, maxTaskContacts), nil, nil
	}
	already := 0
	for _, c := range cs {
		for _, t := range c.TagList {
			if t == tag {
				already++
				break
			}
		}
	}
	desc := fmt.Sprintf("Adds the tag %s to %s: %s. Their other tags stay.", tag, sel.phrase(n), names(cs))
	note := ""
	switch {
	case already == n:
		desc += " All of them already have it, so nothing will change."
		note = "All of them already have that tag, so approving it changes nothing."
	case already > 0:
		desc += fmt.Sprintf(" %d already %s it.", already, hasHave(already))
	}
	title := fmt.Sprintf("Tag %s as %s", sel.phrase(n), tag)
	if already > 0 && already < n {
		title = fmt.Sprintf("Tag %d of %s as %s (%d already %s it)", n-already, sel.phrase(n), tag, already, hasHave(already))
	}
	return proposed(&Proposal{Action: models.LexiActionTagContacts,
		Title:       title,
		Description: desc,
		Payload:     store.LexiTagContacts{Tag: tag, ContactIDs: contactIDs(cs)}}, note)
}

func (b *Builtin) moveDeal(ctx context.Context, rawDeal, rawStage string) (string, *Proposal, error) {
	stage, ok := parseStage(rawStage)
	if !ok {
		return fmt.Sprintf("%q is not a deal stage. The stages are lead, qualified, proposal, negotiation, won and lost.", unquote(rawStage)), nil, nil
	}
	title := unquote(rawDeal)
	d, err := b.Store.DealByTitle(ctx, title)
	if apperr.CodeOf(err) == apperr.ENOTFOUND {
		return fmt.Sprintf("I could not find a deal called %s.", title), nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	if d.Stage == stage {
		return fmt.Sprintf("Deal %s is already in %s.", d.Title, stageName(stage)), nil, nil
	}
	return proposed(&Proposal{Action: models.LexiActionUpdateDealStage,
		Title:       fmt.Sprintf("Move deal %s from %s to %s", d.Title, stageName(d.Stage), stageName(stage)),
		Description: fmt.Sprintf("Changes the stage of deal %s from %s to %s. Its amount, contact and close date stay.", d.Title, stageName(d.Stage), stageName(stage)),
		Payload:     store.LexiDealStage{DealID: d.ID, Stage: stage}})
}

func (b *Builtin) createCampaign(ctx context.Context, rawName, rawList string) (string, *Proposal, error) {
	name := unquote(rawName)
	if name == "" || len([]rune(name)) > 255 {
		return "A campaign name must be 1 to 255 characters.", nil, nil
	}
	payload := store.LexiCreateCampaign{Name: name}
	title := "Create draft campaign " + name
	desc := fmt.Sprintf("Creates a DRAFT campaign named %q without a list, subject or body; nothing is sent.", name)
	if rawList != "" {
		l, reply, err := b.findList(ctx, rawList)
		if l == nil {
			return reply, nil, err
		}
		payload.ListID = &l.ID
		title += " for list " + l.Name
		desc = fmt.Sprintf("Creates a DRAFT campaign named %q for list %s, without a subject or body; nothing is sent.", name, l.Name)
	}
	return proposed(&Proposal{Action: models.LexiActionCreateCampaign, Title: title, Description: desc, Payload: payload})
}

func (b *Builtin) importProspects(ctx context.Context, rawCompany, rawList string) (string, *Proposal, error) {
	company := unquote(rawCompany)
	conn, err := b.Store.Prospects(ctx, store.PageArgs{First: ptr(maxTaskProspects)}, &models.ProspectFilter{Company: &company})
	if err != nil {
		return "", nil, err
	}
	n, err := conn.TotalCount(ctx)
	if err != nil {
		return "", nil, err
	}
	if n == 0 {
		return fmt.Sprintf("The prospect catalog has nobody at %s.", company), nil, nil
	}
	ps := conn.Nodes()
	idList := make([]string, len(ps))
	nameList := make([]string, 0, showLimit+1)
	for i, p := range ps {
		idList[i] = p.ID
		if i < showLimit {
			nameList = append(nameList, p.FullName)
		}
	}
	if len(ps) > showLimit {
		nameList = append(nameList, fmt.Sprintf("and %d more", len(ps)-showLimit))
	}
	payload := store.LexiImportProspects{ProspectIDs: idList}
	title := fmt.Sprintf("Import %s at %s as contacts", plural(len(ps), "prospect"), company)
	desc := fmt.Sprintf("Copies %s at %s from the prospect catalog into this workspace as contacts (one whose email is already a contact is left as it is): %s.",
		plural(len(ps), "prospect"), company, strings.Join(nameList, ", "))
	if n > len(ps) {
		desc += fmt.Sprintf(" The catalog has %d at %s; this task takes the first %d.", n, company, len(ps))
	}
	if rawList != "" {
		l, reply, err := b.findList(ctx, rawList)
		if l == nil {
			return reply, nil, err
		}
		payload.ListID = &l.ID
		title += " into list " + l.Name
		desc += " They all join list " + l.Name + "."
	}
	return proposed(&Proposal{Action: models.LexiActionImportProspects, Title: title, Description: desc, Payload: payload})
}
