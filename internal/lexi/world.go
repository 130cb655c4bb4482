package lexi

import (
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// world is what the assistant knows of the workspace while it reads one message: every name
// it holds (contacts by full name, unique first or last name and email; companies with or
// without legal suffixes; tags; lists; deals and campaigns by title or by words only one of
// them has; job titles and the words in them), the clock, and the currency its amounts are in.
type world struct {
	v        *store.LexiVocabulary
	now      time.Time
	currency string
	dict     map[string][]ref
	maxLen   int
	contact  map[string]*models.Contact
	members  map[string]map[string]bool
}

// refKind is what a mention refers to.
type refKind uint8

const (
	kContact refKind = iota + 1
	kCompany
	kTag
	kList
	kDeal
	kCampaign
	kTitle
	kStage
	kAmount
	kDate
	kNumber
	kEmail
	kPhone
)

// ref is one thing a span of the message may mean. Weak refs come from part of a name (a
// first name, one word of a deal's title): the reading of the sentence decides whether they
// count.
type ref struct {
	kind     refKind
	weak     bool
	contact  *models.Contact
	name     string // company, tag or title words, email, phone
	list     *models.List
	deal     *models.Deal
	campaign *models.Campaign
	stage    models.DealStage
	amount   int64 // minor units
	currency string
	dates    dateRange
	number   int
}

func newWorld(v *store.LexiVocabulary, now time.Time) *world {
	w := &world{v: v, now: now, dict: map[string][]ref{}, contact: map[string]*models.Contact{}, members: map[string]map[string]bool{}}
	w.currency = mainCurrency(v.Deals)
	for id, ms := range v.Members {
		w.members[id] = setOf(ms)
	}
	firsts, lasts := map[string]int{}, map[string]int{}
	for _, c := range v.Contacts {
		w.contact[c.ID] = c
		firsts[keyOf(deref(c.FirstName))]++
		lasts[keyOf(c.LastNameValue)]++
	}
	for _, c := range v.Contacts {
		if full := keyOf(c.FullName()); full != "" && strings.Contains(full, " ") {
			w.add(full, ref{kind: kContact, contact: c})
		}
		w.add(strings.ToLower(c.Email), ref{kind: kContact, contact: c})
		if f := keyOf(deref(c.FirstName)); f != "" && firsts[f] == 1 && !strings.Contains(f, " ") {
			w.add(f, ref{kind: kContact, contact: c, weak: true})
		} else if f != "" && firsts[f] > 1 {
			// a first name several contacts share: the reply asks which one
			w.add(f, ref{kind: kContact, name: deref(c.FirstName), weak: true})
		}
		if l := keyOf(c.LastNameValue); l != "" && lasts[l] == 1 && !strings.Contains(l, " ") && !stopWords[l] {
			w.add(l, ref{kind: kContact, contact: c, weak: true})
		}
	}
	firstWords := map[string]int{}
	for _, co := range v.Companies {
		firstWords[strings.Fields(keyOf(co) + " x")[0]]++
	}
	for _, co := range v.Companies {
		w.add(normName(co), ref{kind: kCompany, name: co})
		w.add(keyOf(co), ref{kind: kCompany, name: co})
		if f := strings.Fields(normName(co)); len(f) > 1 && firstWords[f[0]] == 1 && !stopWords[f[0]] && !keywordSet[f[0]] {
			w.add(f[0], ref{kind: kCompany, name: co, weak: true})
		}
	}
	for _, t := range v.Tags {
		w.add(keyOf(t), ref{kind: kTag, name: t})
		w.add(strings.ReplaceAll(t, "-", " "), ref{kind: kTag, name: t})
	}
	titles := map[string]bool{}
	for _, c := range v.Contacts {
		if c.Title != nil && strings.TrimSpace(*c.Title) != "" {
			titles[keyOf(*c.Title)] = true
		}
	}
	for t := range titles {
		f := strings.Fields(t)
		for n := len(f); n >= 1; n-- {
			for i := 0; i+n <= len(f); i++ {
				g := f[i : i+n]
				if stopWords[g[0]] && g[0] != "co" || stopWords[g[n-1]] {
					continue
				}
				w.add(strings.Join(g, " "), ref{kind: kTitle, name: strings.Join(g, " "), weak: n == 1 && n < len(f)})
			}
		}
	}
	for _, l := range v.Lists {
		w.add(keyOf(l.Name), ref{kind: kList, list: l})
		if k := strings.TrimSuffix(keyOf(l.Name), " list"); k != keyOf(l.Name) {
			w.add(k, ref{kind: kList, list: l})
		}
	}
	partials(w, v.Lists, func(l *models.List) string { return l.Name }, func(l *models.List) ref { return ref{kind: kList, list: l, weak: true} })
	for _, d := range v.Deals {
		w.add(keyOf(d.Title), ref{kind: kDeal, deal: d})
	}
	partials(w, v.Deals, func(d *models.Deal) string { return d.Title }, func(d *models.Deal) ref { return ref{kind: kDeal, deal: d, weak: true} })
	for _, c := range v.Campaigns {
		w.add(keyOf(c.Name), ref{kind: kCampaign, campaign: c})
	}
	partials(w, v.Campaigns, func(c *models.Campaign) string { return c.Name }, func(c *models.Campaign) ref { return ref{kind: kCampaign, campaign: c, weak: true} })
	return w
}

// partials registers the runs of words of a name that no other name of its kind has:
// "the Contoso deal" means "Contoso upgrade" when no other deal mentions Contoso.
func partials[T any](w *world, items []T, name func(T) string, mk func(T) ref) {
	owners := map[string]int{}
	grams := make([][]string, len(items))
	for i, it := range items {
		f := strings.Fields(keyOf(name(it)))
		seen := map[string]bool{}
		for n := 1; n < len(f); n++ {
			for j := 0; j+n <= len(f); j++ {
				g := f[j : j+n]
				if stopWords[g[0]] || stopWords[g[n-1]] || n == 1 && (keywordSet[g[0]] || len(g[0]) < 3) {
					continue
				}
				k := strings.Join(g, " ")
				if !seen[k] {
					seen[k] = true
					owners[k]++
					grams[i] = append(grams[i], k)
				}
			}
		}
	}
	for i, it := range items {
		for _, k := range grams[i] {
			if owners[k] == 1 {
				w.add(k, mk(it))
			}
		}
	}
}

func (w *world) add(key string, r ref) {
	if key == "" {
		return
	}
	for _, x := range w.dict[key] {
		if sameRef(x, r) {
			return
		}
	}
	w.dict[key] = append(w.dict[key], r)
	if n := len(strings.Fields(key)); n > w.maxLen {
		w.maxLen = n
	}
}

// who is how a contact ref is looked up again: its email, or the shared first name it was.
func (r ref) who() string {
	if r.contact != nil {
		return r.contact.Email
	}
	return r.name
}

func sameRef(a, b ref) bool {
	return a.kind == b.kind && a.contact == b.contact && a.list == b.list && a.deal == b.deal && a.campaign == b.campaign &&
		strings.EqualFold(a.name, b.name)
}

// keyOf is a name as looked up: its words in lower case, single-spaced.
func keyOf(s string) string {
	var ws []string
	for _, t := range tokenize(s) {
		if !t.punct && t.low != "'s" {
			ws = append(ws, t.low)
		}
	}
	return strings.Join(ws, " ")
}

// normName is a company as compared: lower case, punctuation as spaces, without "the" and
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
	nonWord       = regexp.MustCompile(`[^\p{L}\p{N}&]+`)
	legalSuffixes = setOf(fields(`inc incorporated corp corporation co company ltd limited llc llp lp gmbh ag plc sa sas sarl
		srl spa bv nv oy ab as pty pte kg kgaa ug se group holdings`))
)

// singular drops an English plural ending: "VIPs" → "vip", "companies" → "company".
func singular(s string) string {
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 4:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "'s"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss") && len(s) > 2:
		return s[:len(s)-1]
	}
	return s
}

// mainCurrency is the currency most of the workspace's deals are in: the one its sums are
// written in.
func mainCurrency(deals []*models.Deal) string {
	n := map[string]int{}
	best := "USD"
	for _, d := range deals {
		n[d.Currency]++
		if n[d.Currency] > n[best] {
			best = d.Currency
		}
	}
	return best
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// inList reports whether a contact is a member of a list.
func (w *world) inList(l *models.List, c *models.Contact) bool { return w.members[l.ID][c.ID] }

// companyOf is the workspace's spelling of a contact's company, compared without suffixes.
func sameCompany(a, b string) bool { return a != "" && normName(a) == normName(b) }

// titleHas reports whether a job title holds the words of want ("VP" in "VP Sales").
func titleHas(title, want string) bool {
	t := " " + keyOf(title) + " "
	w := keyOf(want)
	return w != "" && (strings.Contains(t, " "+w+" ") || strings.Contains(t, " "+singular(w)+" "))
}

// dealsOf are the deals whose contact works at a company.
func (w *world) dealsOf(company string) []*models.Deal {
	var out []*models.Deal
	for _, d := range w.v.Deals {
		if strings.Contains(" "+keyOf(d.Title)+" ", " "+normName(company)+" ") {
			out = append(out, d)
			continue
		}
		if d.ContactID != nil {
			if c := w.contact[*d.ContactID]; c != nil && sameCompany(deref(c.Company), company) {
				out = append(out, d)
			}
		}
	}
	return out
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

func isOpen(s models.DealStage) bool { return slices.Contains(openStages(), s) }
