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

// CreateDeal proposes a new deal.
type CreateDeal struct {
	Title     string           `json:"title" desc:"The new deal's title, exactly as the user wrote it." required:"true"`
	Amount    float64          `json:"amount,omitempty" desc:"Its amount in major units (dollars, euros), e.g. 50000."`
	Currency  string           `json:"currency,omitempty" desc:"ISO 4217 code of the amount, when the user named one."`
	Stage     models.DealStage `json:"stage,omitempty" desc:"Its stage (default LEAD)."`
	Contact   string           `json:"contact,omitempty" desc:"Its contact, by email or full name."`
	CloseDate string           `json:"close_date,omitempty" desc:"Its expected close date, YYYY-MM-DD."`
}

func (CreateDeal) task() models.LexiAction { return models.LexiActionCreateDeal }

var createDealIntent = intent{name: "create deal", read: readCreateDeal,
	tool: proposeTool("propose_create_deal", "Propose creating a deal.",
		func(a *CreateDeal) error {
			for _, f := range []struct {
				n string
				v *string
			}{{"currency", &a.Currency}, {"close_date", &a.CloseDate}, {"contact", &a.Contact}} {
				if err := optional(f.n, f.v); err != nil {
					return err
				}
			}
			return required("title", &a.Title)
		})}

func readCreateDeal(c *clause) Action {
	di := c.creating("deal", "opportunity", "opp")
	if di < 0 || c.asked && !c.imperative() {
		return nil
	}
	if m, ok := c.deal(); ok && c.slotText() == "" && m.strong(kDeal) && m.to == di {
		return nil // an existing deal
	}
	title, _, _ := c.nameAfter(di, kAmount, kDate, kStage)
	if title == "" {
		title, _, _ = c.fieldValue("title")
	}
	a := CreateDeal{Title: title}
	if a.Title == "" {
		a.Title = c.preNoun(di)
		if _, m, ok := c.amount(); ok && m.from < di && strings.Contains(a.Title, c.raw(m.from, m.to)) {
			a.Title = c.raw(m.to, di)
		}
	}
	if r, m, ok := c.amount(); ok && !c.inSlot(m.from) {
		a.Amount = float64(r.amount) / 100
		if r.currency != c.w.currency {
			a.Currency = r.currency
		}
	}
	if st, _, ok := c.stage(); ok {
		a.Stage = st.stage
	}
	if r, _, ok := c.dateRef(); ok {
		a.CloseDate = r.dates.to.Format(time.DateOnly)
	}
	for _, m := range c.mentions(kContact, true) {
		if !c.inSlot(m.from) {
			r, _ := m.get(kContact, true)
			a.Contact = r.who()
		}
	}
	if a.Title == "" {
		// "a new deal for Contoso": the company names it
		for _, m := range c.mentions(kCompany, true) {
			r, _ := m.get(kCompany, true)
			a.Title = r.name + " deal"
		}
	}
	return a
}

func (a CreateDeal) run(ctx context.Context, p *proposer) (result, error) {
	title := strings.TrimSpace(a.Title)
	if title == "" || len([]rune(title)) > 255 {
		return declined(`What should the deal be called? For example: "create a deal called Acme expansion worth $20k".`)
	}
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	payload := store.LexiCreateDeal{Title: title}
	facts := []string{fmt.Sprintf("title=%q", title)}
	parts := []string{}
	cur := w.currency
	if a.Currency != "" {
		cur = strings.ToUpper(a.Currency)
		payload.Currency = &cur
	} else if cur != "USD" {
		payload.Currency = &cur
	}
	if a.Amount > 0 {
		minor := int(math.Round(a.Amount * 100))
		payload.Amount = &minor
		parts = append(parts, "amount "+money(int64(minor), cur))
		facts = append(facts, "amount="+money(int64(minor), cur))
	}
	stage := models.DealStageLead
	if a.Stage != "" {
		st, ok := parseStage(string(a.Stage))
		if !ok {
			return declined(fmt.Sprintf("%q is not a deal stage. The stages are %s.", a.Stage, stageList()))
		}
		stage = st
		payload.Stage = &st
	}
	parts = append(parts, "stage "+stageName(stage))
	facts = append(facts, "stage="+stageName(stage))
	if a.CloseDate != "" {
		date, err := models.ParseDate(a.CloseDate)
		if err != nil {
			return declined(fmt.Sprintf("%q is not a date (YYYY-MM-DD).", a.CloseDate))
		}
		payload.CloseDate = &date
		parts = append(parts, "close date "+string(date))
		facts = append(facts, "close="+string(date))
	}
	if a.Contact != "" {
		c, reply := w.findContact(a.Contact)
		if c == nil {
			return declined(reply)
		}
		payload.ContactID = &c.ID
		parts = append(parts, "contact "+c.FullName())
		facts = append(facts, "contact="+keys([]*models.Contact{c}))
	}
	return proposed(&Proposal{Action: models.LexiActionCreateDeal,
		Title:       "Create deal " + title,
		Description: fmt.Sprintf("Creates a new deal named %q with %s.", title, strings.Join(parts, ", ")),
		Payload:     payload}, strings.Join(facts, " "))
}
