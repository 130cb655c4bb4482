package store

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/models"
)

// The Lexi actions that edit single records: each one's payload runs itself through the
// transaction-level function of the mutation it mirrors (newContact and insertContact,
// updateContact, removeFromList, createDeal, updateDeal, updateCampaign), so that approving
// the task obeys exactly the rules of the same change made by hand.

// lexiEdit is a payload that knows how to run itself inside the approval's transaction.
type lexiEdit interface {
	run(s *Store, tx *gorm.DB) (string, error)
}

// lexiEdits makes an empty payload of each such action, for decoding.
var lexiEdits = map[models.LexiAction]func() any{
	models.LexiActionCreateContact:          func() any { return &LexiCreateContact{} },
	models.LexiActionUpdateContact:          func() any { return &LexiUpdateContact{} },
	models.LexiActionRemoveContactsFromList: func() any { return &LexiRemoveFromList{} },
	models.LexiActionUntagContacts:          func() any { return &LexiUntagContacts{} },
	models.LexiActionCreateDeal:             func() any { return &LexiCreateDeal{} },
	models.LexiActionUpdateDeal:             func() any { return &LexiUpdateDeal{} },
	models.LexiActionUpdateCampaign:         func() any { return &LexiUpdateCampaign{} },
}

type (
	LexiCreateContact struct {
		Email     string   `json:"email"`
		FirstName *string  `json:"firstName,omitempty"`
		LastName  *string  `json:"lastName,omitempty"`
		Company   *string  `json:"company,omitempty"`
		Title     *string  `json:"title,omitempty"`
		Phone     *string  `json:"phone,omitempty"`
		Tags      []string `json:"tags,omitempty"`
	}
	// LexiUpdateContact changes the given fields of one contact; "" clears an optional one.
	LexiUpdateContact struct {
		ContactID string  `json:"contactId"`
		Email     *string `json:"email,omitempty"`
		FirstName *string `json:"firstName,omitempty"`
		LastName  *string `json:"lastName,omitempty"`
		Company   *string `json:"company,omitempty"`
		Title     *string `json:"title,omitempty"`
		Phone     *string `json:"phone,omitempty"`
	}
	LexiRemoveFromList struct {
		ListID     string   `json:"listId"`
		ContactIDs []string `json:"contactIds"`
	}
	LexiUntagContacts struct {
		Tag        string   `json:"tag"`
		ContactIDs []string `json:"contactIds"`
	}
	LexiCreateDeal struct {
		Title     string            `json:"title"`
		Amount    *int              `json:"amount,omitempty"`
		Currency  *string           `json:"currency,omitempty"`
		Stage     *models.DealStage `json:"stage,omitempty"`
		ContactID *string           `json:"contactId,omitempty"`
		CloseDate *models.Date      `json:"closeDate,omitempty"`
	}
	LexiUpdateDeal struct {
		DealID    string            `json:"dealId"`
		Title     *string           `json:"title,omitempty"`
		Amount    *int              `json:"amount,omitempty"`
		Currency  *string           `json:"currency,omitempty"`
		Stage     *models.DealStage `json:"stage,omitempty"`
		ContactID *string           `json:"contactId,omitempty"`
		CloseDate *models.Date      `json:"closeDate,omitempty"`
	}
	LexiUpdateCampaign struct {
		CampaignID  string     `json:"campaignId"`
		Name        *string    `json:"name,omitempty"`
		Subject     *string    `json:"subject,omitempty"`
		ListID      *string    `json:"listId,omitempty"`
		ScheduledAt *time.Time `json:"scheduledAt,omitempty"`
	}
)

func (p *LexiCreateContact) run(s *Store, tx *gorm.DB) (string, error) {
	c, err := newContact(models.CreateContactInput{Email: p.Email, FirstName: p.FirstName, LastName: p.LastName,
		Company: p.Company, Title: p.Title, Phone: p.Phone, Tags: p.Tags})
	if err != nil {
		return "", failed("Could not create contact "+p.Email, err)
	}
	if err := insertContact(tx, c); err != nil {
		return "", failed("Could not create contact "+p.Email, s.emailConflict(err, c.Email))
	}
	return fmt.Sprintf("Created contact %s <%s>", contactLabel(c), c.Email), nil
}

func (p *LexiUpdateContact) run(s *Store, tx *gorm.DB) (string, error) {
	var before models.Contact
	c, err := s.updateContact(tx, p.ContactID, func(c *models.Contact) *contactPatch {
		before = *c
		return &contactPatch{Email: p.Email, FirstName: p.FirstName, LastName: p.LastName, Company: p.Company,
			Title: p.Title, Phone: p.Phone}
	})
	if err != nil {
		email := ""
		if p.Email != nil {
			email = strings.ToLower(strings.TrimSpace(*p.Email))
		}
		return "", failed("Could not update contact "+p.ContactID, s.emailConflict(err, email))
	}
	var changes []string
	for _, f := range []struct {
		name          string
		before, after string
	}{
		{"email", before.Email, c.Email},
		{"first name", deref(before.FirstName), deref(c.FirstName)},
		{"last name", before.LastNameValue, c.LastNameValue},
		{"company", deref(before.Company), deref(c.Company)},
		{"title", deref(before.Title), deref(c.Title)},
		{"phone", deref(before.Phone), deref(c.Phone)},
	} {
		if f.before != f.after {
			changes = append(changes, fmt.Sprintf("%s from %q to %q", f.name, f.before, f.after))
		}
	}
	if len(changes) == 0 {
		return "Contact " + contactLabel(c) + " already had those values; nothing changed", nil
	}
	return "Changed contact " + contactLabel(c) + ": " + strings.Join(changes, ", "), nil
}

func (p *LexiRemoveFromList) run(s *Store, tx *gorm.DB) (string, error) {
	l, n, err := s.removeFromList(tx, p.ListID, p.ContactIDs)
	if err != nil {
		return "", failed("Could not remove the contacts from the list", err)
	}
	msg := fmt.Sprintf("Removed %s from list %s", countNoun(int(n), "contact"), l.Name)
	if rest := len(dedupe(p.ContactIDs)) - int(n); rest > 0 {
		msg += fmt.Sprintf(" (%d %s not in it)", rest, map[bool]string{true: "was", false: "were"}[rest == 1])
	}
	return msg, nil
}

func (p *LexiUntagContacts) run(s *Store, tx *gorm.DB) (string, error) {
	if err := checkIDs("contactIds", p.ContactIDs); err != nil {
		return "", err
	}
	tag := strings.ToLower(strings.TrimSpace(p.Tag))
	changed := 0
	for _, id := range dedupe(p.ContactIDs) {
		_, err := s.updateContact(tx, id, func(c *models.Contact) *contactPatch {
			i := slices.Index(c.TagList, tag)
			if i < 0 {
				return nil
			}
			changed++
			return &contactPatch{Tags: slices.Delete(slices.Clone(c.TagList), i, i+1)}
		})
		if err != nil {
			return "", failed("Could not remove the tag "+p.Tag+" from contact "+id, err)
		}
	}
	return fmt.Sprintf("Removed the tag %s from %s", tag, countNoun(changed, "contact")), nil
}

func checkDate(field string, d *models.Date) error {
	if d == nil || *d == "" {
		return nil
	}
	if _, err := models.ParseDate(string(*d)); err != nil {
		return apperr.Invalid(field, "%q is not a date (YYYY-MM-DD)", string(*d))
	}
	return nil
}

func (p *LexiCreateDeal) run(s *Store, tx *gorm.DB) (string, error) {
	if err := checkDate("input.closeDate", p.CloseDate); err != nil {
		return "", failed("Could not create deal "+p.Title, err)
	}
	d, err := createDeal(tx, models.CreateDealInput{Title: p.Title, Amount: p.Amount, Currency: p.Currency,
		Stage: p.Stage, ContactID: p.ContactID, CloseDate: p.CloseDate})
	if err != nil {
		return "", failed("Could not create deal "+p.Title, err)
	}
	return fmt.Sprintf("Created deal %s (%s, %s)", d.Title, strings.ToLower(string(d.Stage)), minorAmount(d.Amount, d.Currency)), nil
}

func (p *LexiUpdateDeal) run(s *Store, tx *gorm.DB) (string, error) {
	if err := checkDate("input.closeDate", p.CloseDate); err != nil {
		return "", failed("Could not update the deal", err)
	}
	before, err := findDeal(s.forUpdate(tx), p.DealID)
	if err != nil {
		return "", failed("Could not update the deal", err)
	}
	b := *before
	d, err := s.updateDeal(tx, p.DealID, models.UpdateDealInput{Title: p.Title, Amount: p.Amount, Currency: p.Currency,
		Stage: p.Stage, ContactID: p.ContactID, CloseDate: p.CloseDate})
	if err != nil {
		return "", failed("Could not update deal "+b.Title, err)
	}
	var changes []string
	for _, f := range []struct{ name, before, after string }{
		{"title", b.Title, d.Title},
		{"amount", minorAmount(b.Amount, b.Currency), minorAmount(d.Amount, d.Currency)},
		{"stage", strings.ToLower(string(b.Stage)), strings.ToLower(string(d.Stage))},
		{"contact", deref(b.ContactID), deref(d.ContactID)},
		{"close date", string(derefDate(b.CloseDate)), string(derefDate(d.CloseDate))},
	} {
		if f.before != f.after {
			changes = append(changes, fmt.Sprintf("%s from %s to %s", f.name, orNone(f.before), orNone(f.after)))
		}
	}
	if len(changes) == 0 {
		return "Deal " + d.Title + " already had those values; nothing changed", nil
	}
	return "Changed deal " + d.Title + ": " + strings.Join(changes, ", "), nil
}

func (p *LexiUpdateCampaign) run(s *Store, tx *gorm.DB) (string, error) {
	c, err := findCampaign(tx, p.CampaignID)
	if err != nil {
		return "", failed("Could not update the campaign", err)
	}
	before := *c
	c, err = s.updateCampaign(tx, p.CampaignID, models.UpdateCampaignInput{Name: p.Name, Subject: p.Subject,
		ListID: p.ListID, ScheduledAt: p.ScheduledAt})
	if err != nil {
		return "", failed("Could not update campaign "+before.Name, err)
	}
	var changes []string
	if before.Name != c.Name {
		changes = append(changes, fmt.Sprintf("name from %q to %q", before.Name, c.Name))
	}
	if deref(before.Subject) != deref(c.Subject) {
		changes = append(changes, fmt.Sprintf("subject to %q", deref(c.Subject)))
	}
	if deref(before.ListID) != deref(c.ListID) {
		to := "none"
		if c.ListID != nil {
			l, err := findList(tx, *c.ListID)
			if err != nil {
				return "", err
			}
			to = l.Name
		}
		changes = append(changes, "list to "+to)
	}
	if p.ScheduledAt != nil {
		changes = append(changes, "scheduled for "+c.ScheduledAt.Format(time.RFC3339))
	}
	if len(changes) == 0 {
		return "Campaign " + c.Name + " already had those values; nothing changed", nil
	}
	return "Changed campaign " + c.Name + ": " + strings.Join(changes, ", "), nil
}

func contactLabel(c *models.Contact) string {
	if n := strings.TrimSpace(c.FullName()); n != "" {
		return n
	}
	return c.Email
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func derefDate(d *models.Date) models.Date {
	if d == nil {
		return ""
	}
	return *d
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// minorAmount shows minor units as "1234.50 USD".
func minorAmount(minor int64, currency string) string {
	return fmt.Sprintf("%d.%02d %s", minor/100, minor%100, currency)
}
