package store

import (
	"context"
	"errors"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/models"
)

// List returns one list of the caller's workspace.
func (s *Store) List(ctx context.Context, id string) (*models.List, error) {
	return findList(s.read(ctx), id)
}

func findList(db *gorm.DB, id string) (*models.List, error) {
	return findByID[models.List](db, "list", id)
}

// ListByName finds a list by its name, case-insensitively.
func (s *Store) ListByName(ctx context.Context, name string) (*models.List, error) {
	var l models.List
	err := s.read(ctx).Where("lower(name) = lower(?)", name).Take(&l).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil, apperr.NotFound("list", name)
	}
	return &l, s.translate(err)
}

// ListsByID returns the lists among ids that exist in the caller's workspace.
func (s *Store) ListsByID(ctx context.Context, idList []string) ([]*models.List, error) {
	var out []*models.List
	err := s.read(ctx).Where("id IN ?", idList).Find(&out).Error
	return out, s.translate(err)
}

var listOrder = ordering[models.List]{name: "lists.created", idCol: "lists.id", desc: true,
	id: func(l *models.List) string { return l.ID }}

// Lists pages through the workspace's lists, newest first.
func (s *Store) Lists(ctx context.Context, args PageArgs, filter *models.ListFilter) (*models.ListConnection, error) {
	searched := filter != nil && filter.Search != nil && *filter.Search != ""
	scope := func(q *gorm.DB) *gorm.DB {
		if searched {
			q = searchWhere(q, s.dialect, *filter.Search, "lower(lists.name)", "lower(lists.name)")
		}
		return q
	}
	page, err := paginate(s.read(ctx).Model(&models.List{}).Scopes(scope), args, listOrder)
	if err != nil {
		return nil, s.translate(err)
	}
	c := count{model: &models.List{}, filter: scope}
	if !searched {
		c.scope = scopeLists
	}
	conn := listConnection(page)
	conn.Count, conn.Exact = s.counter(c)
	return conn, nil
}

func listConnection(p *pageResult[models.List]) *models.ListConnection {
	edges := edgesOf(p, func(c string, n *models.List) models.ListEdge { return models.ListEdge{Cursor: c, Node: n} })
	return &models.ListConnection{Edges: edges, PageInfo: p.info}
}

// CreateList adds a list; list names are unique in a workspace, ignoring case.
func (s *Store) CreateList(ctx context.Context, in models.CreateListInput) (*models.List, error) {
	var l *models.List
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		l, err = createList(tx, in)
		return err
	})
	if err != nil {
		return nil, s.listConflict(err)
	}
	return l, nil
}

func createList(tx *gorm.DB, in models.CreateListInput) (*models.List, error) {
	name, err := cleanText("input.name", in.Name, maxNameLen, true)
	if err != nil {
		return nil, err
	}
	desc, err := optionalText("input.description", in.Description, maxTextLen)
	if err != nil {
		return nil, err
	}
	l := &models.List{ID: ids.New(ids.List), Name: name, Description: desc}
	if err := tx.Create(l).Error; err != nil {
		return nil, err
	}
	return l, emitObject(tx, EventListCreated, func() (any, error) { return listObjectOf(l, 0), nil })
}

func (s *Store) listConflict(err error) error {
	if err = s.translate(err); apperr.CodeOf(err) == apperr.ECONFLICT {
		return &apperr.Error{Code: apperr.ECONFLICT, Field: "input.name", Message: "a list with this name already exists"}
	}
	return err
}

// UpdateList renames or re-describes a list.
func (s *Store) UpdateList(ctx context.Context, id string, in models.UpdateListInput) (*models.List, error) {
	var l *models.List
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		if l, err = findList(s.forUpdate(tx), id); err != nil {
			return err
		}
		before := listObjectOf(l, 0)
		if in.Name != nil {
			if l.Name, err = cleanText("input.name", *in.Name, maxNameLen, true); err != nil {
				return err
			}
		}
		if in.Description != nil {
			if l.Description, err = optionalText("input.description", in.Description, maxTextLen); err != nil {
				return err
			}
		}
		l.UpdatedAt = Now()
		if err := tx.Select("name", "description", "updated_at").Updates(l).Error; err != nil {
			return err
		}
		return emitListUpdate(tx, before, l)
	})
	if err != nil {
		return nil, s.listConflict(err)
	}
	return l, nil
}

// DeleteList removes a list and its memberships; its campaigns keep no list.
func (s *Store) DeleteList(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := emitDeleted(tx, EventListDeleted, "list", id, func(l *models.List) (any, error) {
			return listObjectIn(tx, l)
		}); err != nil {
			return err
		}
		res := tx.Where("id = ?", id).Delete(&models.List{})
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected == 0 {
			return apperr.NotFound("list", id)
		}
		if err := tx.Where("list_id = ?", id).Delete(&models.ListMembership{}).Error; err != nil {
			return err
		}
		return tx.Model(&models.Campaign{}).Where("list_id = ?", id).Update("list_id", nil).Error
	})
}

// AddContactsToList adds contacts to a list. Every id must be a contact of the workspace:
// an unknown or foreign id fails the whole call and adds nothing.
func (s *Store) AddContactsToList(ctx context.Context, listID string, contactIDs []string) (*models.List, error) {
	var l *models.List
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		l, err = addToList(tx, listID, contactIDs)
		return err
	})
	return l, s.translate(err)
}

func addToList(tx *gorm.DB, listID string, contactIDs []string) (*models.List, error) {
	if err := checkIDs("contactIds", contactIDs); err != nil {
		return nil, err
	}
	// Lock the list first: concurrent changes of one list's members then queue up instead of
	// deadlocking on each other's membership rows (PostgreSQL; SQLite drops the clause).
	l, err := findList(tx.Clauses(clause.Locking{Strength: "UPDATE"}), listID)
	if err != nil {
		return nil, err
	}
	contactIDs = dedupe(contactIDs)
	if err := requireAll(tx, &models.Contact{}, "contact", "contactIds", contactIDs); err != nil {
		return nil, err
	}
	targets, added, err := membershipTargets(tx, EventListMembersAdded, l.ID, contactIDs, false)
	if err != nil {
		return nil, err
	}
	now := Now()
	rows := make([]models.ListMembership, len(contactIDs))
	for i, id := range contactIDs {
		rows[i] = models.ListMembership{ListID: l.ID, ContactID: id, CreatedAt: now}
	}
	if err := tx.Clauses(clause.OnConflict{DoNothing: true}).CreateInBatches(&rows, 500).Error; err != nil {
		return nil, err
	}
	if err := touch(tx, l); err != nil {
		return nil, err
	}
	return l, emitMembers(tx, EventListMembersAdded, targets, l, added)
}

// RemoveContactsFromList removes contacts from a list; ids not in it are ignored, but every id
// must still be a contact of the workspace.
func (s *Store) RemoveContactsFromList(ctx context.Context, listID string, contactIDs []string) (*models.List, error) {
	var l *models.List
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		l, _, err = s.removeFromList(tx, listID, contactIDs)
		return err
	})
	return l, s.translate(err)
}

// removeFromList removes contacts from a list inside a transaction and says how many of them
// were members.
func (s *Store) removeFromList(tx *gorm.DB, listID string, contactIDs []string) (*models.List, int64, error) {
	if err := checkIDs("contactIds", contactIDs); err != nil {
		return nil, 0, err
	}
	l, err := findList(s.forUpdate(tx), listID) // see addToList
	if err != nil {
		return nil, 0, err
	}
	contactIDs = dedupe(contactIDs)
	if err := requireAll(tx, &models.Contact{}, "contact", "contactIds", contactIDs); err != nil {
		return nil, 0, err
	}
	targets, removed, err := membershipTargets(tx, EventListMembersRemoved, l.ID, contactIDs, true)
	if err != nil {
		return nil, 0, err
	}
	res := tx.Where("list_id = ? AND contact_id IN ?", l.ID, contactIDs).Delete(&models.ListMembership{})
	if res.Error != nil {
		return nil, 0, res.Error
	}
	if err := touch(tx, l); err != nil {
		return nil, 0, err
	}
	return l, res.RowsAffected, emitMembers(tx, EventListMembersRemoved, targets, l, removed)
}

func touch(tx *gorm.DB, l *models.List) error {
	l.UpdatedAt = Now()
	return tx.Model(l).Update("updated_at", l.UpdatedAt).Error
}

// requireAll fails with NOT_FOUND naming the first id that is not a row of model in the
// caller's workspace.
func requireAll(tx *gorm.DB, model any, what, field string, idList []string) error {
	var found []string
	if err := tx.Model(model).Where("id IN ?", idList).Pluck("id", &found).Error; err != nil {
		return err
	}
	if len(found) == len(idList) {
		return nil
	}
	have := make(map[string]bool, len(found))
	for _, id := range found {
		have[id] = true
	}
	for _, id := range idList {
		if !have[id] {
			e := apperr.NotFound(what, id)
			e.Field = field
			return e
		}
	}
	return nil
}
