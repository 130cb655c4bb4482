package lexi

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// The provider's read tools: each runs at once against the caller's workspace only.

type toolContactRow struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Email   string   `json:"email"`
	Company string   `json:"company,omitempty"`
	Tags    []string `json:"tags,omitempty"`
}

// contactQuery are the arguments of count_contacts and search_contacts.
type contactQuery struct {
	Company  string `json:"company,omitempty" desc:"Exact company name, case-insensitive."`
	Tag      string `json:"tag,omitempty" desc:"A tag the contacts have."`
	Search   string `json:"search,omitempty" desc:"Text to look for in email, first name, last name or company."`
	ListID   string `json:"list_id,omitempty" desc:"Only members of the list with this id."`
	ListName string `json:"list_name,omitempty" desc:"Only members of the list with this name."`
	Limit    int    `json:"limit,omitempty" desc:"At most this many rows (default and maximum 20)." minimum:"1" maximum:"20"`
}

func (r *toolRun) contacts(ctx context.Context, a *contactQuery, countOnly bool) (any, error) {
	f := &models.ContactFilter{}
	var err error
	if f.Company, err = argOptional("company", a.Company); err != nil {
		return nil, err
	}
	if f.Tag, err = argOptional("tag", a.Tag); err != nil {
		return nil, err
	}
	if f.Search, err = argOptional("search", a.Search); err != nil {
		return nil, err
	}
	if f.ListID, err = argOptional("list_id", a.ListID); err != nil {
		return nil, err
	}
	listName, err := argText("list_name", a.ListName)
	if err != nil {
		return nil, err
	}
	if listName != "" {
		l, err := r.p.Store.ListByName(ctx, listName)
		if err != nil {
			if apperr.CodeOf(err) == apperr.ENOTFOUND {
				return nil, badArgs(fmt.Sprintf("there is no list named %q", listName))
			}
			return nil, err
		}
		if f.ListID != nil && *f.ListID != l.ID {
			return nil, badArgs("list_id and list_name name different lists")
		}
		f.ListID = &l.ID
	}
	limit := argLimit(a.Limit)
	if countOnly {
		limit = 0
	}
	cs, n, err := r.p.Store.MatchContacts(ctx, f, limit)
	if err != nil {
		return nil, err
	}
	if countOnly {
		return map[string]any{"count": n}, nil
	}
	rows := make([]toolContactRow, len(cs))
	for i, c := range cs {
		rows[i] = toolContactRow{ID: c.ID, Name: c.FullName(), Email: c.Email, Tags: c.Tags()}
		if c.Company != nil {
			rows[i].Company = *c.Company
		}
	}
	return map[string]any{"total": n, "contacts": rows}, nil
}

// dealQuery are the arguments of count_deals and search_deals.
type dealQuery struct {
	Stage        models.DealStage `json:"stage,omitempty" desc:"Only deals in this stage."`
	ContactID    string           `json:"contact_id,omitempty" desc:"Only deals of the contact with this id."`
	ContactEmail string           `json:"contact_email,omitempty" desc:"Only deals of the contact with this email."`
	Limit        int              `json:"limit,omitempty" desc:"At most this many rows (default and maximum 20)." minimum:"1" maximum:"20"`
}

func (r *toolRun) deals(ctx context.Context, a *dealQuery, countOnly bool) (any, error) {
	f := &models.DealFilter{}
	if a.Stage != "" {
		f.Stage = &a.Stage
	}
	var err error
	if f.ContactID, err = argOptional("contact_id", a.ContactID); err != nil {
		return nil, err
	}
	email, err := argText("contact_email", a.ContactEmail)
	if err != nil {
		return nil, err
	}
	if email != "" {
		c, err := r.contactByEmail(ctx, email)
		if err != nil {
			return nil, err
		}
		if f.ContactID != nil && *f.ContactID != c.ID {
			return nil, badArgs("contact_id and contact_email name different contacts")
		}
		f.ContactID = &c.ID
	}
	first := argLimit(a.Limit)
	if countOnly {
		first = 0
	}
	conn, err := r.p.Store.Deals(ctx, store.PageArgs{First: &first}, f)
	if err != nil {
		return nil, err
	}
	n, err := conn.TotalCount(ctx)
	if err != nil {
		return nil, err
	}
	if countOnly {
		return map[string]any{"count": n}, nil
	}
	deals := conn.Nodes()
	var contactIDs []string
	for _, d := range deals {
		if d.ContactID != nil {
			contactIDs = append(contactIDs, *d.ContactID)
		}
	}
	contacts := map[string]*models.Contact{}
	if len(contactIDs) > 0 {
		cs, err := r.p.Store.ContactsByID(ctx, contactIDs)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			contacts[c.ID] = c
		}
	}
	type dealRow struct {
		ID           string `json:"id"`
		Title        string `json:"title"`
		Amount       string `json:"amount"`
		Stage        string `json:"stage"`
		CloseDate    string `json:"close_date,omitempty"`
		ContactName  string `json:"contact_name,omitempty"`
		ContactEmail string `json:"contact_email,omitempty"`
	}
	rows := make([]dealRow, len(deals))
	for i, d := range deals {
		rows[i] = dealRow{ID: d.ID, Title: d.Title, Amount: providerAmount(d.Amount, d.Currency), Stage: string(d.Stage)}
		if d.CloseDate != nil {
			rows[i].CloseDate = string(*d.CloseDate)
		}
		if d.ContactID != nil {
			if c := contacts[*d.ContactID]; c != nil {
				rows[i].ContactName, rows[i].ContactEmail = c.FullName(), c.Email
			}
		}
	}
	return map[string]any{"total": n, "deals": rows}, nil
}

// formatAmount shows minor units as "1234.50 USD" (two decimals; currencies without minor
// units are rare in a CRM and read well enough).
func providerAmount(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%d.%02d %s", sign, minor/100, minor%100, currency)
}

func (r *toolRun) contactByEmail(ctx context.Context, email string) (*models.Contact, error) {
	cs, _, err := r.p.Store.MatchContacts(ctx, &models.ContactFilter{Search: &email}, searchLimit)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if strings.EqualFold(c.Email, email) {
			return c, nil
		}
	}
	return nil, badArgs("there is no contact with that email")
}

// listQuery are the arguments of list_lists.
type listQuery struct {
	Search string `json:"search,omitempty" desc:"Text to look for in the list name."`
	Limit  int    `json:"limit,omitempty" desc:"At most this many rows (default and maximum 20)." minimum:"1" maximum:"20"`
}

func (r *toolRun) lists(ctx context.Context, a *listQuery) (any, error) {
	search, err := argOptional("search", a.Search)
	if err != nil {
		return nil, err
	}
	first := argLimit(a.Limit)
	conn, err := r.p.Store.Lists(ctx, store.PageArgs{First: &first}, &models.ListFilter{Search: search})
	if err != nil {
		return nil, err
	}
	n, err := conn.TotalCount(ctx)
	if err != nil {
		return nil, err
	}
	lists := conn.Nodes()
	listIDs := make([]string, len(lists))
	for i, l := range lists {
		listIDs[i] = l.ID
	}
	members := map[string]int{}
	if len(listIDs) > 0 {
		if members, err = r.p.Store.CountChildren(ctx, store.MembersOfList, listIDs); err != nil {
			return nil, err
		}
	}
	type listRow struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Description string `json:"description,omitempty"`
		Contacts    int    `json:"contacts"`
	}
	rows := make([]listRow, len(lists))
	for i, l := range lists {
		rows[i] = listRow{ID: l.ID, Name: l.Name, Contacts: members[l.ID]}
		if l.Description != nil {
			rows[i].Description = *l.Description
		}
	}
	return map[string]any{"total": n, "lists": rows}, nil
}

// campaignQuery are the arguments of list_campaigns.
type campaignQuery struct {
	Status models.CampaignStatus `json:"status,omitempty" desc:"Only campaigns with this status."`
	Limit  int                   `json:"limit,omitempty" desc:"At most this many rows (default and maximum 20)." minimum:"1" maximum:"20"`
}

func (r *toolRun) campaigns(ctx context.Context, a *campaignQuery) (any, error) {
	f := &models.CampaignFilter{}
	if a.Status != "" {
		f.Status = &a.Status
	}
	first := argLimit(a.Limit)
	conn, err := r.p.Store.Campaigns(ctx, store.PageArgs{First: &first}, f)
	if err != nil {
		return nil, err
	}
	n, err := conn.TotalCount(ctx)
	if err != nil {
		return nil, err
	}
	campaigns := conn.Nodes()
	var listIDs []string
	for _, c := range campaigns {
		if c.ListID != nil {
			listIDs = append(listIDs, *c.ListID)
		}
	}
	listNames := map[string]string{}
	if len(listIDs) > 0 {
		ls, err := r.p.Store.ListsByID(ctx, listIDs)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			listNames[l.ID] = l.Name
		}
	}
	type campaignRow struct {
		ID          string `json:"id"`
		Name        string `json:"name"`
		Status      string `json:"status"`
		Subject     string `json:"subject,omitempty"`
		List        string `json:"list,omitempty"`
		ScheduledAt string `json:"scheduled_at,omitempty"`
	}
	rows := make([]campaignRow, len(campaigns))
	for i, c := range campaigns {
		rows[i] = campaignRow{ID: c.ID, Name: c.Name, Status: string(c.Status)}
		if c.Subject != nil {
			rows[i].Subject = *c.Subject
		}
		if c.ListID != nil {
			rows[i].List = listNames[*c.ListID]
		}
		if c.ScheduledAt != nil {
			rows[i].ScheduledAt = c.ScheduledAt.UTC().Format(time.RFC3339)
		}
	}
	return map[string]any{"total": n, "campaigns": rows}, nil
}
