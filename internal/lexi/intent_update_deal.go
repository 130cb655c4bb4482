package lexi

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// UpdateDeal proposes changing a deal's amount, close date, title, contact or stage.
type UpdateDeal struct {
	Deal      string           `json:"deal_title" desc:"The deal's current title." required:"true"`
	Title     string           `json:"new_title,omitempty" desc:"Its new title, exactly as the user wrote it."`
	Amount    float64          `json:"amount,omitempty" desc:"Its new amount in major units (dollars, euros), e.g. 50000."`
	Currency  string           `json:"currency,omitempty" desc:"ISO 4217 code of the new amount, when the user named one."`
	CloseDate string           `json:"close_date,omitempty" desc:"Its new expected close date, YYYY-MM-DD."`
	Stage     models.DealStage `json:"stage,omitempty" desc:"Its new stage."`
	Contact   string           `json:"contact,omitempty" desc:"Its new contact, by email or full name."`
}

func (UpdateDeal) task() models.LexiAction { return models.LexiActionUpdateDeal }

var updateDealIntent = intent{name: "update deal", read: readUpdateDeal,
	tool: proposeTool("propose_update_deal", "Propose changing a deal's amount, close date, title, contact or stage.",
		func(a *UpdateDeal) error {
			for _, f := range []struct {
				n string
				v *string
			}{{"new_title", &a.Title}, {"currency", &a.Currency}, {"close_date", &a.CloseDate}, {"contact", &a.Contact}} {
				if err := optional(f.n, f.v); err != nil {
					return err
				}
			}
			return required("deal_title", &a.Deal)
		})}

var closeCues = setOf(fields(`close closing closes closed due expected push pushed slip slipped pull date`))

func readUpdateDeal(c *clause) Action {
	title, dm := c.dealTitle()
	if title == "" || c.asked && !c.imperative() {
		return nil
	}
	a := UpdateDeal{Deal: title}
	if r, m, ok := c.amount(); ok && m != dm && (c.has("amount", "worth", "value", "price", "size", "valued", "bump", "increase", "raise", "lower", "reduce", "drop", "cut") || !r.weak ||
		dm == nil && c.has("make", "set", "change", "update") && r.amount >= 100*100) {
		a.Amount = float64(r.amount) / 100
		if r.currency != "" && r.currency != c.w.currency {
			a.Currency = r.currency
		}
	}
	if r, m, ok := c.dateRef(); ok && m != dm && (c.has(keysOf(closeCues)...) || c.has("move", "moved", "set", "change", "update")) && !(c.has("closed") && !c.has("date") && r.dates.to.Before(midnight(c.w.now).AddDate(0, 0, 1))) {
		d := r.dates.to
		a.CloseDate = d.Format(time.DateOnly)
	}
	if c.has("rename", "retitle") || c.has("title", "name") && c.has("change", "set", "update") {
		if s := c.slotText(); s != "" {
			a.Title = clean(s)
		}
	}
	if c.has("assign", "owner", "contact") || c.seq("link", "to") >= 0 {
		for _, m := range c.mentions(kContact, true) {
			if m != dm {
				r, _ := m.get(kContact, true)
				a.Contact = r.who()
			}
		}
	}
	if a.Amount == 0 && a.CloseDate == "" && a.Title == "" && a.Contact == "" {
		return nil
	}
	if st, _, ok := c.stage(); ok {
		a.Stage = st.stage
	}
	return a
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func (a UpdateDeal) run(ctx context.Context, p *proposer) (result, error) {
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	d, reply := w.resolveDeal(strings.TrimSpace(a.Deal))
	if d == nil {
		return declined(reply)
	}
	payload := store.LexiUpdateDeal{DealID: d.ID}
	var changes, facts []string
	if t := strings.TrimSpace(a.Title); t != "" && t != d.Title {
		payload.Title = &t
		changes = append(changes, fmt.Sprintf("title from %q to %q", d.Title, t))
		facts = append(facts, fmt.Sprintf("title=%q", t))
	}
	if a.Amount > 0 {
		minor := int(math.Round(a.Amount * 100))
		cur := d.Currency
		if a.Currency != "" && !strings.EqualFold(a.Currency, d.Currency) {
			cur = strings.ToUpper(a.Currency)
			payload.Currency = &cur
		}
		if int64(minor) != d.Amount || cur != d.Currency {
			payload.Amount = &minor
			changes = append(changes, fmt.Sprintf("amount from %s to %s", money(d.Amount, d.Currency), money(int64(minor), cur)))
			facts = append(facts, "amount="+money(int64(minor), cur))
		}
	}
	if a.CloseDate != "" {
		date, err := models.ParseDate(a.CloseDate)
		if err != nil {
			return declined(fmt.Sprintf("%q is not a date (YYYY-MM-DD).", a.CloseDate))
		}
		if d.CloseDate == nil || *d.CloseDate != date {
			payload.CloseDate = &date
			from := "none"
			if d.CloseDate != nil {
				from = string(*d.CloseDate)
			}
			changes = append(changes, fmt.Sprintf("close date from %s to %s", from, date))
			facts = append(facts, "close="+string(date))
		}
	}
	if a.Stage != "" {
		st, ok := parseStage(string(a.Stage))
		if !ok {
			return declined(fmt.Sprintf("%q is not a deal stage. The stages are %s.", a.Stage, stageList()))
		}
		if st != d.Stage {
			payload.Stage = &st
			changes = append(changes, fmt.Sprintf("stage from %s to %s", stageName(d.Stage), stageName(st)))
			facts = append(facts, "stage="+stageName(st))
		}
	}
	if a.Contact != "" {
		c, reply := w.findContact(a.Contact)
		if c == nil {
			return declined(reply)
		}
		if d.ContactID == nil || *d.ContactID != c.ID {
			payload.ContactID = &c.ID
			changes = append(changes, "contact to "+c.FullName())
			facts = append(facts, "contact="+keys([]*models.Contact{c}))
		}
	}
	if len(changes) == 0 {
		return result{reply: fmt.Sprintf("Deal %s already has those values.", d.Title), fact: fmt.Sprintf("already deal=%q", d.Title), focus: focus{deal: d}}, nil
	}
	r, err := proposed(&Proposal{Action: models.LexiActionUpdateDeal,
		Title:       fmt.Sprintf("Change deal %s: %s", d.Title, strings.Join(changes, ", ")),
		Description: fmt.Sprintf("Changes deal %s: %s. Nothing else about it changes.", d.Title, strings.Join(changes, ", ")),
		Payload:     payload}, fmt.Sprintf("deal=%q %s", d.Title, strings.Join(facts, " ")))
	r.focus.deal = d
	return r, err
}
