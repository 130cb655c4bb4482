package lexi

import (
	"context"
	"fmt"

	"github.com/wbk/crm/models"
)

// DealInfo asks about one deal: its stage, amount or close date, or all of them.
type DealInfo struct {
	Deal  string
	Field string // stage, amount, close, contact or "" for everything
}

func (DealInfo) task() models.LexiAction { return "" }

var dealInfoIntent = intent{name: "deal info", read: readDealInfo}

func readDealInfo(c *clause) Action {
	title, _ := c.dealTitle()
	if title == "" {
		return nil
	}
	if !c.asked && !c.has("status", "stage", "worth", "amount", "value", "tell", "show", "details", "where") {
		return nil
	}
	if first, i := c.first(); (editVerbs[first] || createVerbs[first] && first != "need") && c.after(i) != "date" {
		return nil
	}
	if w, i := c.requestVerb(editVerbs); i >= 0 && w != "close" {
		return nil // "could you update its amount…" changes it
	}
	if _, _, ok := c.stage(); ok && !c.asked {
		return nil
	}
	a := DealInfo{Deal: title}
	switch {
	case c.has("stage", "status", "where", "standing"):
		a.Field = "stage"
	case c.has("worth", "amount", "value", "much", "size", "big"):
		a.Field = "amount"
	case c.has("when", "close", "closing", "closes", "date"):
		a.Field = "close"
	case c.has("who", "contact", "owner"):
		a.Field = "contact"
	}
	if _, _, ok := c.stage(); ok && a.Field == "" {
		a.Field = "stage" // "is the Contoso upgrade won?"
	}
	return a
}

func (a DealInfo) run(ctx context.Context, p *proposer) (result, error) {
	w, err := p.world(ctx)
	if err != nil {
		return result{}, err
	}
	d, reply := w.resolveDeal(a.Deal)
	if d == nil {
		return declined(reply)
	}
	r := result{focus: focus{deal: d}}
	closes := "no close date"
	if d.CloseDate != nil {
		closes = "closes " + string(*d.CloseDate)
	}
	contact := ""
	if d.ContactID != nil {
		if c := w.contact[*d.ContactID]; c != nil {
			contact = c.FullName()
		}
	}
	switch a.Field {
	case "stage":
		r.reply = fmt.Sprintf("%s is in %s.", d.Title, stageName(d.Stage))
		r.fact = fmt.Sprintf("deal %s stage = %s", d.Title, stageName(d.Stage))
	case "amount":
		r.reply = fmt.Sprintf("%s is worth %s.", d.Title, money(d.Amount, d.Currency))
		r.fact = fmt.Sprintf("deal %s amount = %s", d.Title, money(d.Amount, d.Currency))
	case "close":
		r.reply = fmt.Sprintf("%s %s.", d.Title, closes)
		r.fact = fmt.Sprintf("deal %s close = %s", d.Title, closes)
	case "contact":
		if contact == "" {
			contact = "nobody"
		}
		r.reply = fmt.Sprintf("The contact of %s is %s.", d.Title, contact)
		r.fact = fmt.Sprintf("deal %s contact = %s", d.Title, contact)
	default:
		r.reply = fmt.Sprintf("%s: %s, %s, %s", d.Title, stageName(d.Stage), money(d.Amount, d.Currency), closes)
		if contact != "" {
			r.reply += ", contact " + contact
		}
		r.reply += "."
		r.fact = fmt.Sprintf("deal %s = %s %s", d.Title, stageName(d.Stage), money(d.Amount, d.Currency))
	}
	return r, nil
}
