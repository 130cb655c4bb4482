package store

import (
	"context"

	"gorm.io/gorm"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/models"
)

// Batch reads for nested connections. Each serves many parents in one statement, so that the
// number of statements for a page does not grow with its size. Nested connections are read
// oldest first with first/after; a window function cuts every parent's page in the database.

// Cursor orders of the nested connections: a cursor works only on the connection it came from.
const (
	contactListsOrder = "contact.lists"
	contactDealsOrder = "contact.deals"
	listContactsOrder = "list.contacts"
)

// childPages reads the pages of many parents in one statement: inner selects the children
// with their parent's id and their row number within the parent (a window function), and
// this keeps the first limit+1 of each parent.
func childPages[T any](db *gorm.DB, inner *gorm.DB, args PageArgs, order string, rows rowScanner[T], id func(*T) string) (map[string]*pageResult[T], error) {
	spec, err := args.spec()
	if err != nil {
		return nil, err
	}
	out := map[string]*pageResult[T]{}
	if spec.limit == 0 {
		return out, nil
	}
	var parentID string
	var rn int
	q := db.Table("(?) AS t", inner).Select(rows.selectList("t")+", t.parent_id, t.rn").
		Where("t.rn <= ?", spec.limit+1).Order("t.parent_id").Order("t.rn")
	err = rows.scanAll(q, func() []any { return []any{&parentID, &rn} }, func(item *T) {
		p := out[parentID]
		if p == nil {
			p = &pageResult[T]{info: &models.PageInfo{HasPreviousPage: spec.cursor != nil}}
			out[parentID] = p
		}
		if len(p.items) == spec.limit {
			p.info.HasNextPage = true
			return
		}
		p.items = append(p.items, item)
		p.cursors = append(p.cursors, cursor{Order: order, ID: id(item)}.encode())
	})
	if err != nil {
		return nil, err
	}
	for _, p := range out {
		if n := len(p.cursors); n > 0 {
			p.info.StartCursor, p.info.EndCursor = &p.cursors[0], &p.cursors[n-1]
		}
	}
	return out, nil
}

func afterID(q *gorm.DB, args PageArgs, order, column string) (*gorm.DB, error) {
	spec, err := args.spec()
	if err != nil {
		return nil, err
	}
	if spec.cursor != nil {
		if spec.cursor.Order != order {
			return nil, apperr.Invalid("after", "after is not a cursor of this connection")
		}
		q = q.Where(column+" > ?", spec.cursor.ID)
	}
	return q, nil
}

// ListsOfContacts pages the lists of each contact.
func (s *Store) ListsOfContacts(ctx context.Context, contactIDs []string, args PageArgs) (map[string]*models.ListConnection, error) {
	db := s.read(ctx)
	inner, err := afterID(db.Model(&models.List{}).
		Select(listRows.selectList("lists")+", m.contact_id AS parent_id, ROW_NUMBER() OVER (PARTITION BY m.contact_id ORDER BY lists.id) AS rn").
		Joins("JOIN list_memberships m ON m.list_id = lists.id AND m.workspace_id = lists.workspace_id").
		Where("m.contact_id IN ?", contactIDs), args, contactListsOrder, "lists.id")
	if err != nil {
		return nil, err
	}
	pages, err := childPages(db, inner, args, contactListsOrder, listRows, func(l *models.List) string { return l.ID })
	if err != nil {
		return nil, s.translate(err)
	}
	out := make(map[string]*models.ListConnection, len(contactIDs))
	for _, id := range contactIDs {
		out[id] = listConnection(orEmpty(pages[id], args), nil)
	}
	return out, nil
}

// DealsOfContacts pages the deals of each contact.
func (s *Store) DealsOfContacts(ctx context.Context, contactIDs []string, args PageArgs) (map[string]*models.DealConnection, error) {
	db := s.read(ctx)
	inner, err := afterID(db.Model(&models.Deal{}).
		Select(dealRows.selectList("deals")+", deals.contact_id AS parent_id, ROW_NUMBER() OVER (PARTITION BY deals.contact_id ORDER BY deals.id) AS rn").
		Where("deals.contact_id IN ?", contactIDs), args, contactDealsOrder, "deals.id")
	if err != nil {
		return nil, err
	}
	pages, err := childPages(db, inner, args, contactDealsOrder, dealRows, func(d *models.Deal) string { return d.ID })
	if err != nil {
		return nil, s.translate(err)
	}
	out := make(map[string]*models.DealConnection, len(contactIDs))
	for _, id := range contactIDs {
		out[id] = dealConnection(orEmpty(pages[id], args), nil)
	}
	return out, nil
}

// ContactsOfLists pages the members of each list.
func (s *Store) ContactsOfLists(ctx context.Context, listIDs []string, args PageArgs) (map[string]*models.ContactConnection, error) {
	db := s.read(ctx)
	inner, err := afterID(db.Model(&models.Contact{}).
		Select(contactRows.selectList("contacts")+", m.list_id AS parent_id, ROW_NUMBER() OVER (PARTITION BY m.list_id ORDER BY contacts.id) AS rn").
		Joins("JOIN list_memberships m ON m.contact_id = contacts.id AND m.workspace_id = contacts.workspace_id").
		Where("m.list_id IN ?", listIDs), args, listContactsOrder, "contacts.id")
	if err != nil {
		return nil, err
	}
	pages, err := childPages(db, inner, args, listContactsOrder, contactRows, func(c *models.Contact) string { return c.ID })
	if err != nil {
		return nil, s.translate(err)
	}
	out := make(map[string]*models.ContactConnection, len(listIDs))
	for _, id := range listIDs {
		out[id] = contactConnection(orEmpty(pages[id], args), nil)
	}
	return out, nil
}

// orEmpty is a parent's page, or an empty one for a parent without children (after the
// cursor). As on root connections, a page read after a cursor has a previous page.
func orEmpty[T any](p *pageResult[T], args PageArgs) *pageResult[T] {
	if p == nil {
		return &pageResult[T]{info: &models.PageInfo{HasPreviousPage: args.After != nil && args.PageSize() > 0}}
	}
	return p
}

// Relation counts, for nested totalCount and List.contactCount.
const (
	ListsPerContact = "lists_per_contact"
	DealsPerContact = "deals_per_contact"
	MembersPerList  = "members_per_list"
)

// CountChildren counts, per parent id, the children of one relation.
func (s *Store) CountChildren(ctx context.Context, relation string, parentIDs []string) (map[string]int, error) {
	var (
		model     any
		parentCol string
	)
	switch relation {
	case ListsPerContact:
		model, parentCol = &models.ListMembership{}, "contact_id"
	case MembersPerList:
		model, parentCol = &models.ListMembership{}, "list_id"
	case DealsPerContact:
		model, parentCol = &models.Deal{}, "contact_id"
	default:
		panic("store: unknown relation " + relation)
	}
	var rows []struct {
		ParentID string
		N        int
	}
	unlock := lockRequestTx(ctx) // Scan reads its rows after GORM's callbacks
	defer unlock()
	err := s.read(ctx).Model(model).Select(parentCol+" AS parent_id, COUNT(*) AS n").
		Where(parentCol+" IN ?", parentIDs).Group(parentCol).Scan(&rows).Error
	if err != nil {
		return nil, s.translate(err)
	}
	out := make(map[string]int, len(parentIDs))
	for _, r := range rows {
		out[r.ParentID] = r.N
	}
	return out, nil
}
