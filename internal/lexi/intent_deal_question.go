package lexi

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/wbk/crm/models"
)

// DealQuestion asks about the deals that match: how many, which, or a sum, average, largest
// or smallest of their amounts.
type DealQuestion struct {
	Metric  string // count, list, sum, avg, max, min
	Stage   models.DealStage
	Open    bool
	Closed  bool
	Company string
	Contact string // email
	Min     int64  // minor units; 0: none
	Max     int64
	Range   *dateRange
	Overdue bool
}

func (DealQuestion) task() models.LexiAction { return "" }

var dealQuestionIntent = intent{name: "deal question", read: readDealQuestion}

var (
	sumWords = setOf(fields(`total sum worth value revenue much amount amounts pipeline bookings volume`))
	avgWords = setOf(fields(`average avg mean typical`))
	maxWords = setOf(fields(`largest biggest highest max maximum top priciest`))
	minWords = setOf(fields(`smallest lowest min minimum least tiniest cheapest`))
)

func readDealQuestion(c *clause) Action {
	if first, _ := c.first(); !c.asked && !askWords[first] && !c.verbless() && !c.has("how", "what", "which", "show", "list", "total", "sum", "average", "give") {
		return nil
	}
	if first, _ := c.first(); editVerbs[first] && first != "show" {
		return nil
	}
	if m, ok := c.deal(); ok && m.strong(kDeal) && !c.asked {
		return nil // a statement about one deal: "the Acme platform deal closed yesterday"
	}
	dealish := c.has("deal", "deals", "opportunity", "opportunities", "opps", "opp", "pipeline", "revenue", "bookings")
	_, _, hasStage := c.stage()
	q := DealQuestion{Metric: "list"}
	for i := c.a; i < c.b; i++ {
		if !c.plain(i) {
			continue
		}
		w := c.toks[i].word
		switch {
		case avgWords[w]:
			q.Metric = "avg"
		case maxWords[w] && q.Metric != "avg":
			q.Metric = "max"
		case minWords[w] && q.Metric != "avg":
			q.Metric = "min"
		case w == "many" || w == "number" || w == "count":
			if q.Metric == "list" {
				q.Metric = "count"
			}
		case sumWords[w] && q.Metric == "list" && w != "pipeline":
			q.Metric = "sum"
		}
	}
	if c.seq("how", "much") >= 0 && q.Metric == "list" || c.has("pipeline") && (c.has("value", "worth", "total", "much", "size") || c.seq("what's", "our", "pipeline") >= 0) && q.Metric == "list" {
		q.Metric = "sum"
	}
	if c.has("overdue", "late", "slipped", "past-due", "missed") || c.has("past") && c.has("due", "close", "date", "deadline") {
		q.Overdue = true
	}
	if r, m, ok := c.dateRef(); ok && !c.inSlot(m.from) {
		rr := r.dates
		q.Range = &rr
	}
	if !dealish && !hasStage && q.Range == nil && !q.Overdue && (q.Metric == "list" || q.Metric == "count" || c.hasContactNoun() || !c.has("worth", "revenue", "value", "amount", "amounts")) {
		return nil
	}
	if !dealish && !c.has("close", "closing", "closes", "closed", "due", "expected") && (q.Range != nil || q.Overdue) && !hasStage {
		return nil
	}
	if !dealish && !hasStage && q.Range == nil && !q.Overdue {
		// "what's the total amount" with no noun: sums and averages are of deals
		if q.Metric == "list" || q.Metric == "count" {
			return nil
		}
	}
	stages := map[models.DealStage]bool{}
	for _, m := range c.ms {
		if r, ok := m.get(kStage, false); ok && !c.inSlot(m.from) {
			stages[r.stage] = true
		}
	}
	if st, _, ok := c.stage(); ok && len(stages) == 1 {
		q.Stage = st.stage // "won and lost", "incl won + lost": every stage
	}
	if (c.has("open", "active", "ongoing", "live", "current") || c.has("pipeline") && len(stages) == 0) && !q.Overdue {
		q.Open = true
	}
	if c.has("closed") && q.Stage == "" && !c.has("close", "closing") && q.Range == nil {
		q.Closed = true
	}
	for _, m := range c.ms {
		if r, ok := m.get(kCompany, true); ok && !m.strong(kDeal) && (!r.weak || m.onlyWeak()) {
			q.Company = r.name
		}
		if r, ok := m.get(kContact, false); ok {
			q.Contact = r.who()
		}
	}
	for _, cue := range []struct {
		words []string
		min   bool
	}{{[]string{"over", "above", "more", "greater", "bigger", "larger", "exceeding", "least", ">"}, true}, {[]string{"under", "below", "less", "smaller", "most", "<"}, false}} {
		if i := c.idx(cue.words...); i >= 0 {
			if r, m, ok := c.amount(); ok && m.from > i {
				if cue.min {
					q.Min = r.amount
				} else {
					q.Max = r.amount
				}
			}
		}
	}
	if q.Metric == "list" && c.has("pipeline") && !c.has("show", "list", "which", "deals", "what") {
		q.Metric = "sum" // "open pipeline at Acme": its value
	}
	if (q.Min > 0 || q.Max > 0) && q.Metric == "sum" && !c.has("total", "sum") && c.seq("how", "much") < 0 {
		q.Metric = "list" // "deals worth more than 50k" filters
	}
	return q
}

// deals are the deals the question is about.
func (q DealQuestion) deals(w *world) []*models.Deal {
	var base []*models.Deal
	if q.Company != "" {
		base = w.dealsOf(q.Company)
	} else {
		base = w.v.Deals
	}
	today := midnight(w.now)
	var out []*models.Deal
	for _, d := range base {
		switch {
		case q.Stage != "" && d.Stage != q.Stage,
			q.Open && !isOpen(d.Stage),
			q.Closed && isOpen(d.Stage),
			q.Min > 0 && d.Amount <= q.Min,
			q.Max > 0 && d.Amount >= q.Max:
			continue
		}
		if q.Contact != "" {
			c := w.contactByEmail(q.Contact)
			if c == nil || d.ContactID == nil || *d.ContactID != c.ID {
				continue
			}
		}
		if q.Range != nil || q.Overdue {
			if d.CloseDate == nil {
				continue
			}
			cd, err := time.Parse(time.DateOnly, string(*d.CloseDate))
			if err != nil {
				continue
			}
			if q.Range != nil && !q.Range.has(cd) || q.Overdue && (!cd.Before(today) || !isOpen(d.Stage)) {
				continue
			}
		}
		out = append(out, d)
	}
	slices.SortStableFunc(out, func(a, b *models.Deal) int { return strings.Compare(a.Title, b.Title) })
	return out
}

func (w *world) contactByEmail(email string) *models.Contact {
	for _, c := range w.v.Contacts {
		if strings.EqualFold(c.Email, email) {
			return c
		}
	}
	return nil
}

// label is how the reply names the deals: "open deals at Acme closing this month".
func (q DealQuestion) label(w *world) string {
	var parts []string
	switch {
	case q.Stage != "":
		parts = append(parts, "deals in "+stageName(q.Stage))
	case q.Open:
		parts = append(parts, "open deals")
	case q.Closed:
		parts = append(parts, "closed deals")
	case q.Overdue:
		parts = append(parts, "overdue deals")
	default:
		parts = append(parts, "deals")
	}
	if q.Company != "" {
		parts = append(parts, "at "+q.Company)
	}
	if q.Contact != "" {
		if c := w.contactByEmail(q.Contact); c != nil {
			parts = append(parts, "with "+c.FullName())
		}
	}
	if q.Min > 0 {
		parts = append(parts, "over "+money(q.Min, w.currency))
	}
	if q.Max > 0 {
		parts = append(parts, "under "+money(q.Max, w.currency))
	}
	if q.Range != nil {
		parts = append(parts, fmt.Sprintf("closing %s to %s", q.Range.from.Format(time.DateOnly), q.Range.to.Format(time.DateOnly)))
	}
	if q.Overdue && (q.Stage != "" || q.Open) {
		parts = append(parts, "past their close date")
	}
	return strings.Join(parts, " ")
}

func (q DealQuestion) run(ctx context.Context, p *proposer) (result, error) {
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	ds := q.deals(w)
	label := q.label(w)
	titles := make([]string, len(ds))
	for i, d := range ds {
		titles[i] = d.Title
	}
	fact := q.Metric + " " + label + " = "
	r := result{}
	if len(ds) == 1 {
		r.focus.deal = ds[0]
	}
	if len(ds) == 0 && q.Metric != "count" && q.Metric != "sum" {
		r.reply, r.fact = fmt.Sprintf("There are no %s.", label), fact+"none"
		return r, nil
	}
	var sum int64
	for _, d := range ds {
		sum += d.Amount
	}
	switch q.Metric {
	case "count":
		switch {
		case label == "deals":
			r.reply = fmt.Sprintf("You have %s.", plural(len(ds), "deal"))
		case len(ds) == 0:
			r.reply = fmt.Sprintf("There are no %s.", label)
		default:
			r.reply = fmt.Sprintf("There %s %d %s.", isAre(len(ds)), len(ds), singularIf(label, len(ds)))
		}
		r.fact = fact + fmt.Sprint(len(ds))
	case "sum":
		r.reply = fmt.Sprintf("The %s add up to %s (%s).", label, money(sum, w.currency), plural(len(ds), "deal"))
		r.fact = fact + money(sum, w.currency)
	case "avg":
		avg := sum / int64(len(ds))
		r.reply = fmt.Sprintf("The average of the %s is %s (%s, %s in all).", label, money(avg, w.currency), plural(len(ds), "deal"), money(sum, w.currency))
		r.fact = fact + money(avg, w.currency)
	case "max", "min":
		best := ds[0]
		for _, d := range ds[1:] {
			if q.Metric == "max" && d.Amount > best.Amount || q.Metric == "min" && d.Amount < best.Amount {
				best = d
			}
		}
		word := map[string]string{"max": "largest", "min": "smallest"}[q.Metric]
		r.reply = fmt.Sprintf("The %s of the %s is %s: %s, %s.", word, label, best.Title, money(best.Amount, best.Currency), stageName(best.Stage))
		r.fact = fact + best.Title
		r.focus.deal = best
	default:
		var sb strings.Builder
		fmt.Fprintf(&sb, "%s %s (%s in all):", strings.ToUpper(label[:1])+label[1:], map[bool]string{true: "— 1 deal", false: fmt.Sprintf("— %d deals", len(ds))}[len(ds) == 1], money(sum, w.currency))
		for i, d := range ds {
			if i == showLimit {
				fmt.Fprintf(&sb, "\n…and %d more.", len(ds)-showLimit)
				break
			}
			fmt.Fprintf(&sb, "\n- %s, %s, %s", d.Title, money(d.Amount, d.Currency), stageName(d.Stage))
			if d.CloseDate != nil {
				fmt.Fprintf(&sb, ", closes %s", *d.CloseDate)
			}
		}
		r.reply = sb.String()
		r.fact = fact + strings.Join(titles, "; ")
	}
	return r, nil
}

// singularIf writes "deals" as "deal" for one.
func singularIf(label string, n int) string {
	if n == 1 {
		return strings.Replace(label, "deals", "deal", 1)
	}
	return label
}
