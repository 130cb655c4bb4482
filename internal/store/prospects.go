package store

import (
	"context"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/models"
)

// Prospect returns one entry of the shared catalog.
func (s *Store) Prospect(ctx context.Context, id string) (*models.Prospect, error) {
	p, err := findByID[models.Prospect](s.read(ctx), "prospect", id)
	return p, s.translate(err)
}

var prospectOrder = ordering[models.Prospect]{name: "prospects.created", idCol: "prospects.id",
	id: func(p *models.Prospect) string { return p.ID }}

// Prospects searches the shared catalog, oldest entries first.
func (s *Store) Prospects(ctx context.Context, args PageArgs, filter *models.ProspectFilter) (*models.ProspectConnection, error) {
	scope := func(q *gorm.DB) *gorm.DB {
		if filter == nil {
			return q
		}
		if filter.Search != nil && *filter.Search != "" {
			q = searchWhere(q, s.dialect, *filter.Search, prospectSearchText, "lower(prospects.full_name)",
				"lower(prospects.email)", "lower(prospects.company)", "lower(prospects.title)")
		}
		for col, v := range map[string]*string{"company": filter.Company, "title": filter.Title,
			"industry": filter.Industry, "location": filter.Location} {
			if v != nil {
				q = q.Where("lower(prospects."+col+") = lower(?)", strings.TrimSpace(*v))
			}
		}
		return q
	}
	page, err := paginate(s.read(ctx).Model(&models.Prospect{}).Scopes(scope), args, prospectOrder)
	if err != nil {
		return nil, s.translate(err)
	}
	edges := edgesOf(page, func(c string, n *models.Prospect) models.ProspectEdge { return models.ProspectEdge{Cursor: c, Node: n} })
	conn := &models.ProspectConnection{Edges: edges, PageInfo: page.info}
	conn.Count, conn.Exact = s.counter(count{model: &models.Prospect{}, filter: scope})
	return conn, nil
}

// ProspectRecord is one row of a catalog import.
type ProspectRecord struct {
	FullName, Email, Title, Company, Industry, Location string
}

// UpsertProspects loads catalog rows; an email already in the catalog is updated. It runs in
// one transaction: a bad row rejects the whole file.
func (s *Store) UpsertProspects(ctx context.Context, records []ProspectRecord) (int, error) {
	now := Now()
	rows := make([]models.Prospect, 0, len(records))
	seen := map[string]int{}
	for i, r := range records {
		field := "row " + itoa(i+2) // the header is row 1
		email, err := normalizeEmail(field+".email", r.Email)
		if err != nil {
			return 0, err
		}
		name, err := cleanText(field+".full_name", r.FullName, maxNameLen, true)
		if err != nil {
			return 0, err
		}
		p := models.Prospect{ID: ids.New(ids.Prospect), FullName: name, Email: email, CreatedAt: now, UpdatedAt: now}
		for _, f := range []struct {
			name string
			in   string
			out  **string
		}{{"title", r.Title, &p.Title}, {"company", r.Company, &p.Company},
			{"industry", r.Industry, &p.Industry}, {"location", r.Location, &p.Location}} {
			if *f.out, err = optionalText(field+"."+f.name, &f.in, maxNameLen); err != nil {
				return 0, err
			}
		}
		if j, dup := seen[email]; dup { // the last row for an email wins, as on re-import
			rows[j] = p
			continue
		}
		seen[email] = len(rows)
		rows = append(rows, p)
	}
	err := s.write(ctx, func(tx *gorm.DB) error {
		return tx.Clauses(clause.OnConflict{
			Columns:   []clause.Column{{Name: "email"}},
			DoUpdates: clause.AssignmentColumns([]string{"full_name", "title", "company", "industry", "location", "updated_at"}),
		}).CreateInBatches(&rows, 200).Error
	})
	return len(rows), s.translate(err)
}

// ImportProspects copies catalog entries into the caller's workspace as contacts. A prospect
// whose email is already a contact yields that contact. With a list, all of them join it.
func (s *Store) ImportProspects(ctx context.Context, prospectIDs []string, listID *string) ([]*models.Contact, error) {
	var out []*models.Contact
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		out, err = importProspects(tx, prospectIDs, listID)
		return err
	})
	return out, s.translate(err)
}

func importProspects(tx *gorm.DB, prospectIDs []string, listID *string) ([]*models.Contact, error) {
	if err := checkIDs("prospectIds", prospectIDs); err != nil {
		return nil, err
	}
	prospectIDs = dedupe(prospectIDs)
	if listID != nil {
		if _, err := findList(tx, *listID); err != nil {
			if e := apperr.As(err); e != nil {
				e.Field = "listId"
			}
			return nil, err
		}
	}
	var prospects []models.Prospect
	if err := tx.Where("id IN ?", prospectIDs).Find(&prospects).Error; err != nil {
		return nil, err
	}
	byID := make(map[string]models.Prospect, len(prospects))
	emails := make([]string, 0, len(prospects))
	for _, p := range prospects {
		byID[p.ID] = p
		emails = append(emails, p.Email)
	}
	for _, id := range prospectIDs {
		if _, ok := byID[id]; !ok {
			e := apperr.NotFound("prospect", id)
			e.Field = "prospectIds"
			return nil, e
		}
	}
	var existing []*models.Contact
	if err := tx.Where("email IN ?", emails).Find(&existing).Error; err != nil {
		return nil, err
	}
	byEmail := make(map[string]*models.Contact, len(existing))
	for _, c := range existing {
		byEmail[c.Email] = c
	}
	out := make([]*models.Contact, 0, len(prospectIDs))
	var created []webhookData
	for _, id := range prospectIDs {
		p := byID[id]
		if c, ok := byEmail[p.Email]; ok {
			out = append(out, c)
			continue
		}
		first, last, _ := strings.Cut(p.FullName, " ")
		c := &models.Contact{ID: ids.New(ids.Contact), Email: p.Email, FirstName: &first, LastNameValue: strings.TrimSpace(last),
			Company: p.Company, Title: p.Title, TagList: models.StringList{}}
		if err := insertContactRow(tx, c); err != nil {
			return nil, err
		}
		created = append(created, webhookData{Object: contactObjectOf(c)})
		byEmail[c.Email] = c
		out = append(out, c)
	}
	if err := emit(tx, EventContactCreated, func() ([]webhookData, error) { return created, nil }); err != nil {
		return nil, err
	}
	if listID != nil {
		contactIDs := make([]string, len(out))
		for i, c := range out {
			contactIDs[i] = c.ID
		}
		if _, err := addToList(tx, *listID, contactIDs); err != nil {
			return nil, err
		}
	}
	return out, nil
}
