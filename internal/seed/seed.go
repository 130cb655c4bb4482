// Package seed fills a workspace with a realistic sample CRM and provides the prospect
// catalog, so that a fresh install (and the built-in assistant demo) has data to work with.
package seed

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// ProspectCount is the size of the catalog Prospects returns.
const ProspectCount = 300

// Demo fills workspace ws with a realistic sample CRM: ~60 contacts, ~6 lists with members,
// ~25 deals across all stages, ~4 campaigns (some DRAFT, one SCHEDULED two weeks ahead).
// Close dates are relative to today. The workspace should be empty: an email or list name it
// already holds is a conflict and stops the seeding.
func Demo(ctx context.Context, s *store.Store, ws *models.Workspace) error {
	return demo(ctx, s, ws, time.Now().UTC())
}

// demo takes the clock as an argument so that tests can pin close dates and schedules.
func demo(ctx context.Context, s *store.Store, ws *models.Workspace, now time.Time) error {
	if s == nil || ws == nil || ws.ID == "" {
		return errors.New("seed: a store and a workspace are required")
	}
	// Going through the public, tenant-scoped methods (rather than the DB handle) means the
	// demo data passes the same validation and isolation as data entered through the API.
	ctx = store.WithWorkspace(ctx, ws.ID)

	contactIDs := make(map[string]string, len(people))
	for i, p := range people {
		c := companies[p.company]
		email := emailFor(p.first, p.last, c.domain)
		// 0100 to 0199 is the fictional block; offsetting by the index keeps numbers unique.
		phone := fmt.Sprintf(c.phone, 100+i%100)
		contact, err := s.CreateContact(ctx, models.CreateContactInput{
			Email:     email,
			FirstName: new(p.first),
			LastName:  new(p.last),
			Company:   new(c.name),
			Title:     new(p.title),
			Phone:     new(phone),
			Tags:      p.tags,
		})
		if err != nil {
			return fmt.Errorf("seed contact %s: %w", email, err)
		}
		contactIDs[email] = contact.ID
	}

	listIDs := make(map[string]string, len(lists))
	for _, l := range lists {
		created, err := s.CreateList(ctx, models.CreateListInput{Name: l.name, Description: new(l.description)})
		if err != nil {
			return fmt.Errorf("seed list %q: %w", l.name, err)
		}
		listIDs[l.name] = created.ID
		var members []string
		for _, p := range people {
			email := emailFor(p.first, p.last, companies[p.company].domain)
			if l.member(p, email) {
				members = append(members, contactIDs[email])
			}
		}
		if len(members) == 0 {
			continue // AddContactsToList rejects an empty call
		}
		if _, err := s.AddContactsToList(ctx, created.ID, members); err != nil {
			return fmt.Errorf("seed members of list %q: %w", l.name, err)
		}
	}

	today := now.Truncate(24 * time.Hour)
	for _, d := range deals {
		in := models.CreateDealInput{
			Title:     d.title,
			Amount:    new(d.amount),
			Currency:  new(d.currency),
			Stage:     new(d.stage),
			CloseDate: new(models.Date(today.AddDate(0, 0, d.closeIn).Format("2006-01-02"))),
		}
		if d.contact != "" {
			id, ok := contactIDs[d.contact]
			if !ok {
				return fmt.Errorf("seed deal %q: no demo contact %s", d.title, d.contact)
			}
			in.ContactID = &id
		}
		if _, err := s.CreateDeal(ctx, in); err != nil {
			return fmt.Errorf("seed deal %q: %w", d.title, err)
		}
	}

	for _, c := range campaigns {
		in := models.CreateCampaignInput{Name: c.name, Subject: new(c.subject), Body: new(c.body)}
		if c.list != "" {
			id, ok := listIDs[c.list]
			if !ok {
				return fmt.Errorf("seed campaign %q: no demo list %q", c.name, c.list)
			}
			in.ListID = &id
		}
		if c.scheduled {
			// Relative to now, because the store refuses a schedule in the past.
			at := now.Add(14 * 24 * time.Hour)
			in.ScheduledAt = &at
		}
		if _, err := s.CreateCampaign(ctx, in); err != nil {
			return fmt.Errorf("seed campaign %q: %w", c.name, err)
		}
	}
	return nil
}

// Prospects returns a deterministic catalog of 300 realistic prospects (full name, unique
// lower-case email, title, company, industry, location), built from name/company/title/
// industry/city lists combined deterministically (no randomness, no time dependence).
func Prospects() []store.ProspectRecord {
	nf, nl := len(prospectFirstNames), len(prospectLastNames)
	out := make([]store.ProspectRecord, ProspectCount)
	for i := range out {
		// Row i has first name i%nf and last name 13*(i%nf)+7*(i/nf) mod nl. For one first
		// name the last names step by 7, which is coprime to nl=30, so no full name (and hence
		// no email) repeats while i/nf < nl, i.e. for up to nf*nl = 900 rows.
		first := prospectFirstNames[i%nf]
		last := prospectLastNames[(13*(i%nf)+7*(i/nf))%nl]
		co := prospectCompanies[(7*i)%len(prospectCompanies)]
		out[i] = store.ProspectRecord{
			FullName: first + " " + last,
			Email:    emailFor(first, last, co.domain),
			Title:    prospectTitles[(3*i+i/len(prospectTitles))%len(prospectTitles)],
			Company:  co.name,
			Industry: co.industry,
			Location: prospectCities[(5*i+i/len(prospectCities))%len(prospectCities)],
		}
	}
	return out
}

// emailFor builds first.last@domain from the letters and digits of the names, so that
// "O'Connor" or "Van Dijk" still give a plain address.
func emailFor(first, last, domain string) string {
	return localPart(first) + "." + localPart(last) + "@" + domain
}

func localPart(name string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(name) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return b.String()
}
