package lexi

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// proposer is the one place where an action meets the workspace: it resolves the names in an
// action (companies with or without legal suffixes, tags, lists and deals, loosely spelled)
// against the workspace, answers questions, and builds the proposal of a change. A name that
// matches nothing or several things gets a reply naming the candidates, and no proposal.
type proposer struct {
	st    *store.Store
	vocab *store.LexiVocabulary
}

func (p *proposer) vocabulary(ctx context.Context) (*store.LexiVocabulary, error) {
	if p.vocab == nil {
		v, err := p.st.LexiVocabulary(ctx)
		if err != nil {
			return nil, err
		}
		p.vocab = v
	}
	return p.vocab, nil
}

// run answers a question or proposes a change; p is nil when nothing is proposed.
func (p *proposer) run(ctx context.Context, a Action) (string, *Proposal, error) {
	switch a := a.(type) {
	case Count:
		reply, err := p.count(ctx, a)
		return reply, nil, err
	case Show:
		reply, err := p.show(ctx, a)
		return reply, nil, err
	case CreateList:
		return p.createList(ctx, a)
	case AddToList:
		return p.addToList(ctx, a)
	case TagContacts:
		return p.tagContacts(ctx, a)
	case MoveDeal:
		return p.moveDeal(ctx, a)
	case DraftCampaign:
		return p.draftCampaign(ctx, a)
	case ImportProspects:
		return p.importProspects(ctx, a)
	}
	return "", nil, fmt.Errorf("lexi: no proposer for %T", a)
}

// selection is a Selector resolved against the workspace.
type selection struct {
	filter   models.ContactFilter
	describe string // follows "contacts": "at Acme", "tagged vip", "in list VIP", "" for all
}

func (s selection) all() bool { return s.describe == "" }

// phrase is "the 3 contacts tagged vip", "the 1 contact at Acme", "all 60 contacts".
func (s selection) phrase(n int) string {
	if s.all() {
		return fmt.Sprintf("all %s", plural(n, "contact"))
	}
	return fmt.Sprintf("the %s %s", plural(n, "contact"), s.describe)
}

// normName is a name as compared: lower case, punctuation as spaces, without "the" and
// legal suffixes ("Acme Inc." = "acme" = "ACME Corp").
func normName(s string) string {
	s = strings.ToLower(s)
	s = nonWord.ReplaceAllString(s, " ")
	f := strings.Fields(s)
	if len(f) > 0 && f[0] == "the" {
		f = f[1:]
	}
	for len(f) > 1 && legalSuffixes[f[len(f)-1]] {
		f = f[:len(f)-1]
	}
	return strings.Join(f, " ")
}

var (
	nonWord       = regexp.MustCompile(`[^\p{L}\p{N}]+`)
	legalSuffixes = map[string]bool{"inc": true, "incorporated": true, "corp": true, "corporation": true, "co": true, "company": true,
		"ltd": true, "limited": true, "llc": true, "llp": true, "lp": true, "gmbh": true, "ag": true, "plc": true, "sa": true, "sas": true,
		"sarl": true, "srl": true, "spa": true, "bv": true, "nv": true, "oy": true, "ab": true, "as": true, "pty": true, "pte": true,
		"kg": true, "kgaa": true, "ug": true, "se": true, "group": true, "holdings": true}
)

// singular drops an English plural ending: "VIPs" → "vip", "prospects" → "prospect".
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 4:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss") && len(s) > 2:
		return s[:len(s)-1]
	}
	return s
}

// matchNames finds the names among candidates that want means: equal when normalized, else
// those it starts (a whole word at a time: "Stark" → "Stark Industries"), else those that
// contain it as whole words.
func matchNames(want string, candidates []string) []string {
	w := normName(want)
	if w == "" {
		return nil
	}
	forms := []string{w}
	if s := singular(w); s != w {
		forms = append(forms, s)
	}
	var exact, prefix, inside []string
	for _, c := range candidates {
		n := normName(c)
		for _, f := range forms {
			switch {
			case n == f || n == singular(f) || singular(n) == f:
				exact = append(exact, c)
			case strings.HasPrefix(n, f+" "):
				prefix = append(prefix, c)
			case strings.Contains(" "+n+" ", " "+f+" "):
				inside = append(inside, c)
			default:
				continue
			}
			break
		}
	}
	switch {
	case len(exact) > 0:
		return dedupe(exact)
	case len(prefix) > 0:
		return dedupe(prefix)
	case len(inside) > 0:
		return dedupe(inside)
	}
	// One typo in a name of five letters or more: "Globx", "Initec".
	var near []string
	for _, c := range candidates {
		if n := normName(c); len(w) >= 5 && oneEdit(w, n) {
			near = append(near, c)
		}
	}
	return dedupe(near)
}

// dedupe keeps the first of names equal but for case: contacts filter companies
// case-insensitively, so "Acme" and "ACME" are one company.
func dedupe(s []string) []string {
	var out []string
	for _, x := range s {
		if !slices.ContainsFunc(out, func(y string) bool { return strings.EqualFold(x, y) }) {
			out = append(out, x)
		}
	}
	return out
}

// oneOf is "A", "A or B", "A, B or C".
func oneOf(names []string) string {
	if len(names) > 8 {
		names = append(names[:8:8], fmt.Sprintf("%d more", len(names)-8))
	}
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func listNames(ls []*models.List) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Name
	}
	return out
}

// resolveCompany finds the workspace's company a name means. A name no contact's company
// matches is kept as written (its count is zero); several matches are ambiguous.
func (p *proposer) resolveCompany(ctx context.Context, name string) (string, string, error) {
	v, err := p.vocabulary(ctx)
	if err != nil {
		return "", "", err
	}
	switch m := matchNames(name, v.Companies); len(m) {
	case 0:
		return name, "", nil
	case 1:
		return m[0], "", nil
	default:
		return "", fmt.Sprintf("Which company do you mean: %s?", oneOf(m)), nil
	}
}

// resolveList finds the list a name means; reply says why there is none.
func (p *proposer) resolveList(ctx context.Context, name string) (*models.List, string, error) {
	l, err := p.st.ListByName(ctx, name)
	if err == nil {
		return l, "", nil
	}
	if apperr.CodeOf(err) != apperr.ENOTFOUND {
		return nil, "", err
	}
	v, err := p.vocabulary(ctx)
	if err != nil {
		return nil, "", err
	}
	m := matchNames(name, listNames(v.Lists))
	if len(m) == 1 {
		for _, l := range v.Lists {
			if l.Name == m[0] {
				return l, "", nil
			}
		}
	}
	if len(m) > 1 {
		return nil, fmt.Sprintf("There is no list named %s. Which list do you mean: %s?", name, oneOf(m)), nil
	}
	reply := fmt.Sprintf("There is no list named %s. You can ask me to create a list called %s first.", name, name)
	if len(v.Lists) > 0 {
		reply += " Your lists are: " + strings.Join(firstN(listNames(v.Lists), 10), ", ") + "."
	}
	return nil, reply, nil
}

func firstN(s []string, n int) []string {
	if len(s) > n {
		return append(s[:n:n], fmt.Sprintf("and %d more", len(s)-n))
	}
	return s
}

// resolveTag finds the workspace's tag a word means ("VIPs" → vip); an unknown tag stays as
// written, lower case.
func (p *proposer) resolveTag(ctx context.Context, tag string) (string, error) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	v, err := p.vocabulary(ctx)
	if err != nil {
		return "", err
	}
	for _, form := range []string{tag, singular(tag), strings.ReplaceAll(tag, " ", "-"), strings.ReplaceAll(tag, "-", " ")} {
		if slices.Contains(v.Tags, form) {
			return form, nil
		}
	}
	// One typo ("vipp", "enterprize") when exactly one tag is that close.
	var near []string
	for _, t := range v.Tags {
		if len(tag) >= 3 && oneEdit(tag, t) {
			near = append(near, t)
		}
	}
	if len(near) == 1 {
		return near[0], nil
	}
	return tag, nil
}

// resolveSelector turns a Selector into a filter; reply is set when it cannot be.
func (p *proposer) resolveSelector(ctx context.Context, sel Selector) (selection, string, error) {
	var out selection
	var parts []string
	if sel.Name != "" && sel.Company == "" && sel.Tag == "" {
		if co, tag, ok := p.companyAndTag(ctx, sel.Name); ok { // "acme vips"
			sel.Name, sel.Company, sel.Tag = "", co, tag
		}
	}
	if sel.Name != "" {
		kind, value, reply, err := p.resolveName(ctx, sel.Name, sel.Company != "")
		if err != nil || reply != "" {
			return out, reply, err
		}
		switch kind {
		case "company":
			sel.Company = value
		case "tag":
			if sel.Tag == "" {
				sel.Tag = value
			}
		case "list":
			sel.List = value
		}
	}
	if sel.Company != "" {
		co, reply, err := p.resolveCompany(ctx, sel.Company)
		if err != nil || reply != "" {
			return out, reply, err
		}
		out.filter.Company = &co
		parts = append(parts, "at "+co)
	}
	if sel.Tag != "" {
		tag, err := p.resolveTag(ctx, sel.Tag)
		if err != nil {
			return out, "", err
		}
		out.filter.Tag = &tag
		parts = append(parts, "tagged "+tag)
	}
	if sel.List != "" {
		l, reply, err := p.resolveList(ctx, sel.List)
		if err != nil || reply != "" {
			return out, reply, err
		}
		out.filter.ListID = &l.ID
		parts = append(parts, "in list "+l.Name)
	}
	out.describe = strings.Join(parts, " ")
	return out, "", nil
}

var genericWords = map[string]bool{"team": true, "teams": true, "crew": true, "crowd": true, "gang": true, "group": true, "guys": true,
	"folks": true, "account": true, "accounts": true, "side": true, "org": true, "company": true, "employees": true, "staff": true}

// companyAndTag reads a name of several words as a company followed by a tag ("Acme VIPs"),
// when both are exactly the workspace's.
func (p *proposer) companyAndTag(ctx context.Context, name string) (string, string, bool) {
	v, err := p.vocabulary(ctx)
	if err != nil {
		return "", "", false
	}
	f := strings.Fields(name)
	for i := 1; i < len(f); i++ {
		head, tail := strings.Join(f[:i], " "), strings.ToLower(strings.Join(f[i:], " "))
		var co string
		for _, c := range v.Companies {
			if normName(c) == normName(head) {
				co = c
				break
			}
		}
		if co == "" {
			continue
		}
		for _, t := range []string{tail, singular(tail)} {
			if slices.Contains(v.Tags, t) {
				return co, t, true
			}
		}
	}
	return "", "", false
}

// resolveName places a word that may be a company, a tag or a list ("the Acme contacts",
// "VIPs"). Exact matches win over partial ones; a company wins over a tag over a list, except
// when the selection already names a company.
func (p *proposer) resolveName(ctx context.Context, name string, haveCompany bool) (kind, value, reply string, err error) {
	v, err := p.vocabulary(ctx)
	if err != nil {
		return "", "", "", err
	}
	n := normName(name)
	var companies []string
	if !haveCompany {
		for _, c := range v.Companies {
			if normName(c) == n {
				companies = append(companies, c)
			}
		}
		companies = dedupe(companies)
	}
	tag, err := p.resolveTag(ctx, name)
	if err != nil {
		return "", "", "", err
	}
	lists := []string{}
	for _, l := range v.Lists {
		if ln := normName(l.Name); ln == n || ln == singular(n) || singular(ln) == n {
			lists = append(lists, l.Name)
		}
	}
	switch {
	case len(companies) == 1:
		return "company", companies[0], "", nil
	case slices.Contains(v.Tags, tag):
		return "tag", tag, "", nil
	case len(lists) == 1:
		return "list", lists[0], "", nil
	}
	if !haveCompany {
		if m := matchNames(name, v.Companies); len(m) == 1 {
			return "company", m[0], "", nil
		} else if len(m) > 1 {
			return "", "", fmt.Sprintf("Which company do you mean: %s?", oneOf(m)), nil
		}
	}
	if m := matchNames(name, listNames(v.Lists)); len(m) == 1 {
		return "list", m[0], "", nil
	} else if len(m) > 1 {
		return "", "", fmt.Sprintf("Which list do you mean: %s?", oneOf(m)), nil
	}
	// "the Acme team", "the Globex crowd": the name without a generic last word.
	if f := strings.Fields(name); len(f) > 1 && genericWords[strings.ToLower(f[len(f)-1])] {
		return p.resolveName(ctx, strings.Join(f[:len(f)-1], " "), haveCompany)
	}
	return "", "", fmt.Sprintf("I don't know %q: it is not a company, tag or list in this workspace. "+
		`Say "contacts at …", "contacts tagged …" or "contacts in list …".`, name), nil
}

func (p *proposer) count(ctx context.Context, a Count) (string, error) {
	switch a.Of {
	case Contacts:
		sel, reply, err := p.resolveSelector(ctx, a.Contacts)
		if err != nil || reply != "" {
			return reply, err
		}
		_, n, err := p.st.MatchContacts(ctx, &sel.filter, 0)
		if err != nil {
			return "", err
		}
		if sel.all() {
			if n == 0 {
				return "You have no contacts yet.", nil
			}
			return fmt.Sprintf("You have %s.", plural(n, "contact")), nil
		}
		return fmt.Sprintf("%s %s.", thereAre(n, "contact"), sel.describe) + p.unknownCompanyNote(ctx, a.Contacts, n), nil
	case Deals:
		n, err := p.countDeals(ctx, a.Deals)
		if err != nil {
			return "", err
		}
		switch {
		case a.Deals.Stage != "":
			return fmt.Sprintf("%s %s.", thereAre(n, "deal"), stagePhrase(a.Deals.Stage)) + unfilteredNote(a.Deals), nil
		case a.Deals.Open:
			return fmt.Sprintf("%s.", thereAre(n, "open deal")) + unfilteredNote(a.Deals), nil
		}
		return fmt.Sprintf("You have %s.", plural(n, "deal")), nil
	case Lists:
		conn, err := p.st.Lists(ctx, store.PageArgs{First: new(0)}, nil)
		if err != nil {
			return "", err
		}
		n, err := conn.TotalCount(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("You have %s.", plural(n, "list")), nil
	default:
		conn, err := p.st.Campaigns(ctx, store.PageArgs{First: new(0)}, nil)
		if err != nil {
			return "", err
		}
		n, err := conn.TotalCount(ctx)
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("You have %s.", plural(n, "campaign")), nil
	}
}

// unknownCompanyNote names the workspace's companies when a count or search names a company
// that none of its contacts works at.
func (p *proposer) unknownCompanyNote(ctx context.Context, sel Selector, n int) string {
	if n > 0 || sel.Company == "" {
		return ""
	}
	v, err := p.vocabulary(ctx)
	if err != nil || len(v.Companies) == 0 || len(matchNames(sel.Company, v.Companies)) > 0 {
		return ""
	}
	return " No contact works at a company of that name; the companies in your contacts are " + strings.Join(firstN(v.Companies, 10), ", ") + "."
}

// unfilteredNote owns up to the part of a question about deals that was not answered.
func unfilteredNote(ds DealSelector) string {
	if ds.Unfiltered == "" {
		return ""
	}
	return fmt.Sprintf(" That is all of them: I can't select deals by date or amount (%q).", ds.Unfiltered)
}

func (p *proposer) countDeals(ctx context.Context, ds DealSelector) (int, error) {
	if !ds.Open {
		if ds.Stage == "" {
			return p.st.CountDeals(ctx, nil)
		}
		return p.st.CountDeals(ctx, &ds.Stage)
	}
	total := 0
	for _, st := range openStages() {
		n, err := p.st.CountDeals(ctx, &st)
		if err != nil {
			return 0, err
		}
		total += n
	}
	return total, nil
}

// openStages are the stages of deals neither won nor lost.
func openStages() []models.DealStage {
	var out []models.DealStage
	for _, s := range models.AllDealStage {
		if s != models.DealStageWon && s != models.DealStageLost {
			out = append(out, s)
		}
	}
	return out
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

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func (p *proposer) show(ctx context.Context, a Show) (string, error) {
	switch a.Of {
	case Deals:
		return p.showDeals(ctx, a.Deals)
	case Lists:
		return p.showLists(ctx)
	case Campaigns:
		return p.showCampaigns(ctx)
	}
	sel, reply, err := p.resolveSelector(ctx, a.Contacts)
	if err != nil || reply != "" {
		return reply, err
	}
	cs, n, err := p.st.MatchContacts(ctx, &sel.filter, showLimit)
	if err != nil {
		return "", err
	}
	label := strings.TrimSpace("contacts " + sel.describe)
	if n == 0 {
		return "I found no " + label + "." + p.unknownCompanyNote(ctx, a.Contacts, n), nil
	}
	var sb strings.Builder
	switch {
	case n == 1:
		fmt.Fprintf(&sb, "I found 1 %s:", strings.TrimSpace("contact "+sel.describe))
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
	return sb.String(), nil
}

func (p *proposer) showDeals(ctx context.Context, ds DealSelector) (string, error) {
	v, err := p.vocabulary(ctx)
	if err != nil {
		return "", err
	}
	var deals []*models.Deal
	for _, d := range v.Deals {
		if (ds.Stage == "" || d.Stage == ds.Stage) && (!ds.Open || slices.Contains(openStages(), d.Stage)) {
			deals = append(deals, d)
		}
	}
	label := "deals"
	switch {
	case ds.Stage != "":
		label = "deals " + stagePhrase(ds.Stage)
	case ds.Open:
		label = "open deals"
	}
	if len(deals) == 0 {
		return "I found no " + label + ".", nil
	}
	var sb strings.Builder
	if len(deals) == 1 {
		fmt.Fprintf(&sb, "I found 1 %s:", strings.Replace(label, "deals", "deal", 1))
	} else {
		fmt.Fprintf(&sb, "I found %d %s:", len(deals), label)
	}
	for i, d := range deals {
		if i == showLimit {
			fmt.Fprintf(&sb, "\n…and %d more.", len(deals)-showLimit)
			break
		}
		fmt.Fprintf(&sb, "\n- %s, %s, %s", d.Title, providerAmount(d.Amount, d.Currency), stageName(d.Stage))
	}
	if note := unfilteredNote(ds); note != "" {
		sb.WriteString("\n" + strings.TrimSpace(note))
	}
	return sb.String(), nil
}

func (p *proposer) showLists(ctx context.Context) (string, error) {
	v, err := p.vocabulary(ctx)
	if err != nil {
		return "", err
	}
	if len(v.Lists) == 0 {
		return "You have no lists yet.", nil
	}
	ids := make([]string, len(v.Lists))
	for i, l := range v.Lists {
		ids[i] = l.ID
	}
	members, err := p.st.CountChildren(ctx, store.MembersOfList, ids)
	if err != nil {
		return "", err
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "You have %s:", plural(len(v.Lists), "list"))
	for _, l := range v.Lists {
		fmt.Fprintf(&sb, "\n- %s (%s)", l.Name, plural(members[l.ID], "contact"))
	}
	return sb.String(), nil
}

func (p *proposer) showCampaigns(ctx context.Context) (string, error) {
	conn, err := p.st.Campaigns(ctx, store.PageArgs{First: new(showLimit)}, nil)
	if err != nil {
		return "", err
	}
	n, err := conn.TotalCount(ctx)
	if err != nil {
		return "", err
	}
	if n == 0 {
		return "You have no campaigns yet.", nil
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "You have %s:", plural(n, "campaign"))
	for _, c := range conn.Nodes() {
		fmt.Fprintf(&sb, "\n- %s (%s)", c.Name, strings.ToLower(string(c.Status)))
	}
	if n > showLimit {
		fmt.Fprintf(&sb, "\n…and %d more.", n-showLimit)
	}
	return sb.String(), nil
}

// match resolves a selector to the contacts a task will touch; reply says why there are none
// to touch.
func (p *proposer) match(ctx context.Context, sel Selector, what string) ([]*models.Contact, selection, string, error) {
	s, reply, err := p.resolveSelector(ctx, sel)
	if err != nil || reply != "" {
		return nil, s, reply, err
	}
	cs, n, err := p.st.MatchContacts(ctx, &s.filter, maxTaskContacts)
	if err != nil {
		return nil, s, "", err
	}
	if n == 0 {
		return nil, s, fmt.Sprintf("There are no contacts %s, so %s.", s.describe, what) + p.unknownCompanyNote(ctx, sel, 0), nil
	}
	if n > maxTaskContacts {
		return nil, s, fmt.Sprintf("That is %d contacts; one task can hold at most %d.", n, maxTaskContacts), nil
	}
	return cs, s, "", nil
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

func (p *proposer) createList(ctx context.Context, a CreateList) (string, *Proposal, error) {
	name := strings.TrimSpace(a.Name)
	if name == "" || len([]rune(name)) > 255 {
		return "A list name must be 1 to 255 characters.", nil, nil
	}
	payload := store.LexiCreateList{Name: name}
	title := "Create empty list " + name
	desc := fmt.Sprintf("Creates a new list named %q with no contacts.", name)
	if !a.Selector.IsZero() {
		sel := a.Selector
		sel.All = false
		cs, s, reply, err := p.match(ctx, sel, "I have not proposed a list. Ask me to create a list called "+name+" to make an empty one")
		if err != nil || reply != "" {
			return reply, nil, err
		}
		payload.ContactIDs = contactIDs(cs)
		title = fmt.Sprintf("Create list %s with %s", name, s.phrase(len(cs)))
		desc = fmt.Sprintf("Creates a new list named %q and adds %s to it: %s.", name, s.phrase(len(cs)), names(cs))
	}
	note := ""
	if _, err := p.st.ListByName(ctx, name); err == nil {
		note = fmt.Sprintf("Note: a list named %s already exists, so approving this task will fail unless that list is renamed or deleted first.", name)
	} else if apperr.CodeOf(err) != apperr.ENOTFOUND {
		return "", nil, err
	}
	return proposed(&Proposal{Action: models.LexiActionCreateList, Title: title, Description: desc, Payload: payload}, note)
}

func (p *proposer) addToList(ctx context.Context, a AddToList) (string, *Proposal, error) {
	l, reply, err := p.resolveList(ctx, a.List)
	if l == nil {
		return reply, nil, err
	}
	sel := a.Selector
	sel.All = false
	cs, s, reply, err := p.match(ctx, sel, "there is nothing to add to list "+l.Name)
	if err != nil || reply != "" {
		return reply, nil, err
	}
	n := len(cs)
	members, _, err := p.st.MatchContacts(ctx, &models.ContactFilter{ListID: &l.ID}, 100*maxTaskContacts)
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
	desc := fmt.Sprintf("Adds %s to list %s: %s.", s.phrase(n), l.Name, names(cs))
	note := ""
	switch {
	case already == n:
		desc += " All of them are already in it, so nothing will change."
		note = "All of them are already in the list, so approving it changes nothing."
	case already > 0:
		desc += fmt.Sprintf(" %s already in it and will stay as %s.", isAre(already), pronoun(already))
	}
	title := fmt.Sprintf("Add %s to list %s", s.phrase(n), l.Name)
	if already > 0 && already < n {
		title = fmt.Sprintf("Add %d of %s to list %s (%s already in it)", n-already, s.phrase(n), l.Name, isAre(already))
	}
	return proposed(&Proposal{Action: models.LexiActionAddContactsToList, Title: title, Description: desc,
		Payload: store.LexiAddToList{ListID: l.ID, ContactIDs: contactIDs(cs)}}, note)
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

func (p *proposer) tagContacts(ctx context.Context, a TagContacts) (string, *Proposal, error) {
	tag := strings.ToLower(strings.TrimSpace(a.Tag))
	if tag == "" || len([]rune(tag)) > 64 {
		return "A tag must be 1 to 64 characters.", nil, nil
	}
	sel := a.Selector
	sel.All = false
	cs, s, reply, err := p.match(ctx, sel, "there is nobody to tag")
	if err != nil || reply != "" {
		return reply, nil, err
	}
	n := len(cs)
	already := 0
	for _, c := range cs {
		if slices.Contains(c.TagList, tag) {
			already++
		}
	}
	desc := fmt.Sprintf("Adds the tag %s to %s: %s. Their other tags stay.", tag, s.phrase(n), names(cs))
	note := ""
	switch {
	case already == n:
		desc += " All of them already have it, so nothing will change."
		note = "All of them already have that tag, so approving it changes nothing."
	case already > 0:
		desc += fmt.Sprintf(" %d already %s it.", already, hasHave(already))
	}
	title := fmt.Sprintf("Tag %s as %s", s.phrase(n), tag)
	if already > 0 && already < n {
		title = fmt.Sprintf("Tag %d of %s as %s (%d already %s it)", n-already, s.phrase(n), tag, already, hasHave(already))
	}
	return proposed(&Proposal{Action: models.LexiActionTagContacts, Title: title, Description: desc,
		Payload: store.LexiTagContacts{Tag: tag, ContactIDs: contactIDs(cs)}}, note)
}

// resolveDeal finds the deal a title means: exactly, else the deals whose titles hold all
// its words.
func (p *proposer) resolveDeal(ctx context.Context, title string) (*models.Deal, string, error) {
	d, err := p.st.DealByTitle(ctx, title)
	if err == nil {
		return d, "", nil
	}
	if apperr.CodeOf(err) != apperr.ENOTFOUND {
		return nil, "", err
	}
	v, err := p.vocabulary(ctx)
	if err != nil {
		return nil, "", err
	}
	words := strings.Fields(normName(title))
	var found []*models.Deal
	for _, d := range v.Deals {
		t := " " + normName(d.Title) + " "
		ok := len(words) > 0
		for _, w := range words {
			if !strings.Contains(t, " "+w+" ") && !strings.Contains(t, " "+singular(w)+" ") {
				ok = false
				break
			}
		}
		if ok {
			found = append(found, d)
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Sprintf("I could not find a deal called %s.", title), nil
	case 1:
		return found[0], "", nil
	}
	titles := make([]string, len(found))
	for i, d := range found {
		titles[i] = d.Title
	}
	return nil, fmt.Sprintf("Several deals match %s. Which one do you mean: %s?", title, oneOf(titles)), nil
}

func (p *proposer) moveDeal(ctx context.Context, a MoveDeal) (string, *Proposal, error) {
	stage, ok := parseStage(string(a.Stage))
	if !ok {
		return stageUnknown(string(a.Stage)), nil, nil
	}
	d, reply, err := p.resolveDeal(ctx, strings.TrimSpace(a.Deal))
	if d == nil {
		return reply, nil, err
	}
	if d.Stage == stage {
		return fmt.Sprintf("Deal %s is already in %s.", d.Title, stageName(stage)), nil, nil
	}
	return proposed(&Proposal{Action: models.LexiActionUpdateDealStage,
		Title:       fmt.Sprintf("Move deal %s from %s to %s", d.Title, stageName(d.Stage), stageName(stage)),
		Description: fmt.Sprintf("Changes the stage of deal %s from %s to %s. Its amount, contact and close date stay.", d.Title, stageName(d.Stage), stageName(stage)),
		Payload:     store.LexiDealStage{DealID: d.ID, Stage: stage}})
}

func (p *proposer) draftCampaign(ctx context.Context, a DraftCampaign) (string, *Proposal, error) {
	name := strings.TrimSpace(a.Name)
	if name == "" || len([]rune(name)) > 255 {
		return "A campaign name must be 1 to 255 characters.", nil, nil
	}
	payload := store.LexiCreateCampaign{Name: name}
	title := "Create draft campaign " + name
	desc := fmt.Sprintf("Creates a DRAFT campaign named %q without a list, subject or body; nothing is sent.", name)
	if strings.TrimSpace(a.List) != "" {
		l, reply, err := p.resolveList(ctx, strings.TrimSpace(a.List))
		if l == nil {
			return reply, nil, err
		}
		payload.ListID = &l.ID
		title += " for list " + l.Name
		desc = fmt.Sprintf("Creates a DRAFT campaign named %q for list %s, without a subject or body; nothing is sent.", name, l.Name)
	}
	return proposed(&Proposal{Action: models.LexiActionCreateCampaign, Title: title, Description: desc, Payload: payload})
}

func (p *proposer) importProspects(ctx context.Context, a ImportProspects) (string, *Proposal, error) {
	company := strings.TrimSpace(a.Company)
	conn, err := p.st.Prospects(ctx, store.PageArgs{First: new(maxTaskProspects)}, &models.ProspectFilter{Company: &company})
	if err != nil {
		return "", nil, err
	}
	n, err := conn.TotalCount(ctx)
	if err != nil {
		return "", nil, err
	}
	if n == 0 && normName(company) != strings.ToLower(company) {
		// "Contoso Ltd" when the catalog says "Contoso"
		core := normName(company)
		if conn, err = p.st.Prospects(ctx, store.PageArgs{First: new(maxTaskProspects)}, &models.ProspectFilter{Company: &core}); err != nil {
			return "", nil, err
		}
		if n, err = conn.TotalCount(ctx); err != nil {
			return "", nil, err
		}
	}
	if n == 0 {
		return fmt.Sprintf("The prospect catalog has nobody at %s.", company), nil, nil
	}
	ps := conn.Nodes()
	idList := make([]string, len(ps))
	nameList := make([]string, 0, showLimit+1)
	for i, pr := range ps {
		idList[i] = pr.ID
		if i < showLimit {
			nameList = append(nameList, pr.FullName)
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
	if strings.TrimSpace(a.List) != "" {
		l, reply, err := p.resolveList(ctx, strings.TrimSpace(a.List))
		if l == nil {
			return reply, nil, err
		}
		payload.ListID = &l.ID
		title += " into list " + l.Name
		desc += " They all join list " + l.Name + "."
	}
	return proposed(&Proposal{Action: models.LexiActionImportProspects, Title: title, Description: desc, Payload: payload})
}
