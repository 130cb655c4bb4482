package store

import (
	"context"
	"errors"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/models"
)

// Contact returns one contact of the caller's workspace.
func (s *Store) Contact(ctx context.Context, id string) (*models.Contact, error) {
	c, err := findByID[models.Contact](s.read(ctx), "contact", id)
	return c, s.translate(err)
}

// ContactsByID returns the contacts among ids that exist in the caller's workspace.
func (s *Store) ContactsByID(ctx context.Context, idList []string) ([]*models.Contact, error) {
	var out []*models.Contact
	err := s.read(ctx).Where("id IN ?", idList).Find(&out).Error
	return out, s.translate(err)
}

var contactOrders = map[models.ContactOrderField]ordering[models.Contact]{
	models.ContactOrderFieldCreatedAt: {name: "contacts.created", idCol: "contacts.id",
		id: func(c *models.Contact) string { return c.ID }},
	models.ContactOrderFieldUpdatedAt: {name: "contacts.updated", column: "contacts.updated_at", idCol: "contacts.id", isTime: true,
		value: func(c *models.Contact) string { return timeCursor(c.UpdatedAt) },
		id:    func(c *models.Contact) string { return c.ID }},
	models.ContactOrderFieldEmail: {name: "contacts.email", column: "contacts.email", idCol: "contacts.id",
		value: func(c *models.Contact) string { return c.Email },
		id:    func(c *models.Contact) string { return c.ID }},
	models.ContactOrderFieldLastName: {name: "contacts.last_name", column: "contacts.last_name", idCol: "contacts.id",
		value: func(c *models.Contact) string { return c.LastNameValue },
		id:    func(c *models.Contact) string { return c.ID }},
}

var contactSelect = contactRows.selectList("contacts")

// Contacts pages through the workspace's contacts, newest first unless ordered otherwise.
func (s *Store) Contacts(ctx context.Context, args PageArgs, filter *models.ContactFilter, order *models.ContactOrder) (*models.ContactConnection, error) {
	ord := contactOrders[models.ContactOrderFieldCreatedAt]
	ord.desc = true
	if order != nil {
		o, ok := contactOrders[order.Field]
		if !ok {
			return nil, apperr.Invalid("orderBy.field", "unknown order field")
		}
		ord = o
		ord.desc = order.Direction == models.OrderDirectionDesc
	}
	ord.rows, ord.selectList = &contactRows, contactSelect
	scope := s.contactFilter(filter)
	page, err := paginate(s.read(ctx).Model(&models.Contact{}).Scopes(scope), args, ord)
	if err != nil {
		return nil, s.translate(err)
	}
	conn := contactConnection(page)
	conn.Count, conn.Exact = s.counter(contactCount(filter, scope))
	return conn, nil
}

// contactCount counts the contacts filter selects: the kept count of the workspace's
// contacts, of one list's members or of one tag's contacts when the filter is one of these
// alone, else a capped count.
func contactCount(f *models.ContactFilter, scope func(*gorm.DB) *gorm.DB) count {
	c := count{model: &models.Contact{}, filter: scope}
	if f == nil {
		f = &models.ContactFilter{}
	}
	if (f.Search != nil && *f.Search != "") || f.Company != nil {
		return c
	}
	switch {
	case f.Tag == nil && f.ListID == nil:
		c.scope = scopeContacts
	case f.Tag == nil:
		c.scope = *f.ListID
	case f.ListID == nil:
		c.scopeSQL, c.vars = "'"+scopeTagPrefix+"' || lower(?)", []any{*f.Tag}
	}
	return c
}

func (s *Store) contactFilter(f *models.ContactFilter) func(*gorm.DB) *gorm.DB {
	return func(q *gorm.DB) *gorm.DB {
		if f == nil {
			return q
		}
		if f.Search != nil && *f.Search != "" {
			q = searchWhere(q, s.dialect, *f.Search, contactSearchText,
				"contacts.email", "lower(contacts.first_name)", "lower(contacts.last_name)", "lower(contacts.company)")
		}
		if f.Company != nil {
			q = q.Where("lower(contacts.company) = lower(?)", *f.Company)
		}
		if f.Tag != nil {
			q = q.Where("EXISTS (SELECT 1 FROM contact_tags ct WHERE ct.workspace_id = contacts.workspace_id AND ct.tag = lower(?) AND ct.contact_id = contacts.id)", *f.Tag)
		}
		if f.ListID != nil {
			q = q.Where("EXISTS (SELECT 1 FROM list_memberships m WHERE m.list_id = ? AND m.contact_id = contacts.id AND m.workspace_id = contacts.workspace_id)", *f.ListID)
		}
		return q
	}
}

func contactConnection(p *pageResult[models.Contact]) *models.ContactConnection {
	edges := edgesOf(p, func(c string, n *models.Contact) models.ContactEdge { return models.ContactEdge{Cursor: c, Node: n} })
	return &models.ContactConnection{Edges: edges, PageInfo: p.info}
}

// CreateContact adds a contact; an email already in the workspace is a conflict.
func (s *Store) CreateContact(ctx context.Context, in models.CreateContactInput) (*models.Contact, error) {
	c, err := newContact(in)
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *gorm.DB) error {
		return insertContact(tx, c)
	})
	if err != nil {
		return nil, s.emailConflict(err, c.Email)
	}
	return c, nil
}

// newContact validates a new contact's input.
func newContact(in models.CreateContactInput) (*models.Contact, error) {
	c := &models.Contact{ID: ids.New(ids.Contact)}
	patch := contactPatch{Email: &in.Email, FirstName: in.FirstName, LastName: in.LastName, Company: in.Company,
		Title: in.Title, Phone: in.Phone, Tags: in.Tags}
	if err := patch.apply(c, "input"); err != nil {
		return nil, err
	}
	if c.TagList == nil {
		c.TagList = models.StringList{}
	}
	return c, nil
}

// insertContact adds a contact and announces it.
func insertContact(tx *gorm.DB, c *models.Contact) error {
	if err := insertContactRow(tx, c); err != nil {
		return err
	}
	return emitObject(tx, EventContactCreated, func() (any, error) { return contactObjectOf(c), nil })
}

// insertContactRow adds a contact; the caller announces it (an import announces many at once).
func insertContactRow(tx *gorm.DB, c *models.Contact) error {
	if err := tx.Create(c).Error; err != nil {
		return err
	}
	return insertTags(tx, c.ID, c.TagList) // a new contact has no tag rows to replace
}

func (s *Store) emailConflict(err error, email string) error {
	if err = s.translate(err); apperr.CodeOf(err) == apperr.ECONFLICT {
		return &apperr.Error{Code: apperr.ECONFLICT, Field: "input.email",
			Message: "a contact with email " + email + " already exists"}
	}
	return err
}

// UpdateContact changes the given fields; "" clears an optional one.
func (s *Store) UpdateContact(ctx context.Context, id string, in models.UpdateContactInput) (*models.Contact, error) {
	var c *models.Contact
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		c, err = s.updateContact(tx, id, func(*models.Contact) *contactPatch {
			p := contactPatch(in)
			return &p
		})
		return err
	})
	if err != nil {
		email := ""
		if in.Email != nil { // only a changed email can conflict
			email = strings.ToLower(strings.TrimSpace(*in.Email))
		}
		return nil, s.emailConflict(err, email)
	}
	return c, nil
}

// updateContact locks a contact and applies the patch that patchFor derives from its current
// state, so that read-modify-write changes (adding one tag) cannot lose a concurrent update.
// A nil patch leaves the contact as it is.
func (s *Store) updateContact(tx *gorm.DB, id string, patchFor func(*models.Contact) *contactPatch) (*models.Contact, error) {
	var c models.Contact
	if err := s.forUpdate(tx).Where("id = ?", id).Take(&c).Error; err != nil {
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return nil, apperr.NotFound("contact", id)
		}
		return nil, err
	}
	patch := patchFor(&c)
	if patch == nil {
		return &c, nil
	}
	before := contactObjectOf(&c)
	if err := patch.apply(&c, "input"); err != nil {
		return nil, err
	}
	c.UpdatedAt = Now()
	if err := tx.Select("*").Omit("id", "workspace_id", "created_at").Updates(&c).Error; err != nil {
		return nil, err
	}
	if patch.Tags != nil {
		if err := replaceTags(tx, c.ID, c.TagList); err != nil {
			return nil, err
		}
	}
	return &c, emitUpdate(tx, EventContactUpdated, before, contactObjectOf(&c))
}

// contactPatch is the shape shared by the create and update inputs.
type contactPatch struct {
	Email     *string
	FirstName *string
	LastName  *string
	Company   *string
	Title     *string
	Phone     *string
	Tags      []string
}

func (p contactPatch) apply(c *models.Contact, prefix string) error {
	var err error
	if p.Email != nil {
		if c.Email, err = normalizeEmail(prefix+".email", *p.Email); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		name string
		in   *string
		out  **string
		max  int
	}{
		{"firstName", p.FirstName, &c.FirstName, maxNameLen},
		{"company", p.Company, &c.Company, maxNameLen},
		{"title", p.Title, &c.Title, maxNameLen},
		{"phone", p.Phone, &c.Phone, 50},
	} {
		if f.in == nil {
			continue
		}
		if *f.out, err = optionalText(prefix+"."+f.name, f.in, f.max); err != nil {
			return err
		}
	}
	if p.LastName != nil {
		if c.LastNameValue, err = cleanText(prefix+".lastName", *p.LastName, maxNameLen, false); err != nil {
			return err
		}
	}
	if p.Tags != nil {
		tags, err := normalizeTags(prefix+".tags", p.Tags)
		if err != nil {
			return err
		}
		c.TagList = tags
	}
	return nil
}

func replaceTags(tx *gorm.DB, contactID string, tags []string) error {
	if err := tx.Where("contact_id = ?", contactID).Delete(&models.ContactTag{}).Error; err != nil {
		return err
	}
	return insertTags(tx, contactID, tags)
}

func insertTags(tx *gorm.DB, contactID string, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	rows := make([]models.ContactTag, len(tags))
	for i, t := range tags {
		rows[i] = models.ContactTag{Tag: t, ContactID: contactID}
	}
	return tx.Create(&rows).Error
}

// DeleteContact removes a contact with its memberships and tags; its deals lose their contact.
func (s *Store) DeleteContact(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := emitDeleted(tx, EventContactDeleted, "contact", id, func(c *models.Contact) (any, error) {
			return contactObjectOf(c), nil
		}); err != nil {
			return err
		}
		res := tx.Where("id = ?", id).Delete(&models.Contact{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.NotFound("contact", id)
		}
		// The foreign keys cascade on both databases; these keep SQLite files that were created
		// without foreign_keys enforcement consistent too.
		if err := tx.Where("contact_id = ?", id).Delete(&models.ListMembership{}).Error; err != nil {
			return err
		}
		if err := tx.Where("contact_id = ?", id).Delete(&models.ContactTag{}).Error; err != nil {
			return err
		}
		return tx.Model(&models.Deal{}).Where("contact_id = ?", id).Update("contact_id", nil).Error
	})
}

// forUpdate locks the selected rows on PostgreSQL so that concurrent updates of one row queue
// up; SQLite has a single writer anyway.
func (s *Store) forUpdate(tx *gorm.DB) *gorm.DB {
	if s.dialect == Postgres {
		return tx.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	return tx
}
