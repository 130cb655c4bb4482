package store

import (
	"context"
	"fmt"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/models"
)

// Batch reads for nested connections. Each serves many parents in one statement, so that the
// number of statements for a page does not grow with its size. Nested connections are read
// oldest first with first/after; a window function cuts every parent's page in the database.

// Relation is one nested connection: the children of a parent through one foreign key, read
// oldest first with first/after. The relations are the values below; the preloader, the
// dataloaders and the relation counts all name a relation by one of them.
type Relation struct {
	// name identifies the relation in loader keys and logs ("Contact.lists").
	name string
	// order is the cursor order of the relation's pages: a cursor works only on the
	// connection it came from.
	order string
	// countModel and countCol count a parent's children (totalCount, List.contactCount).
	countModel any
	countCol   string
}

// String is the relation's name, "Type.field".
func (r *Relation) String() string { return r.name }

// The nested connections.
var (
	ListsOfContact = &Relation{name: "Contact.lists", order: "contact.lists", countModel: &models.ListMembership{}, countCol: "contact_id"}
	DealsOfContact = &Relation{name: "Contact.deals", order: "contact.deals", countModel: &models.Deal{}, countCol: "contact_id"}
	MembersOfList  = &Relation{name: "List.contacts", order: "list.contacts", countModel: &models.ListMembership{}, countCol: "list_id"}
)

// nested reads the pages of one relation for many parents in one statement: inner selects the
// children with their parent's id and their row number within the parent (a window function),
// and the outer query keeps the first limit+1 of each parent.
type nested[T, C any] struct {
	rel   *Relation
	model any
	table string
	// join, when set, reaches the parent through a link table aliased m.
	join      string
	parentCol string
	rows      rowScanner[T]
	id        func(*T) string
	conn      func(*pageResult[T], models.Counter) *C
}

var (
	listsOfContact = nested[models.List, models.ListConnection]{rel: ListsOfContact, model: &models.List{}, table: "lists",
		join:      "JOIN list_memberships m ON m.list_id = lists.id AND m.workspace_id = lists.workspace_id",
		parentCol: "m.contact_id", rows: listRows, id: func(l *models.List) string { return l.ID }, conn: listConnection}
	dealsOfContact = nested[models.Deal, models.DealConnection]{rel: DealsOfContact, model: &models.Deal{}, table: "deals",
		parentCol: "deals.contact_id", rows: dealRows, id: func(d *models.Deal) string { return d.ID }, conn: dealConnection}
	membersOfList = nested[models.Contact, models.ContactConnection]{rel: MembersOfList, model: &models.Contact{}, table: "contacts",
		join:      "JOIN list_memberships m ON m.contact_id = contacts.id AND m.workspace_id = contacts.workspace_id",
		parentCol: "m.list_id", rows: contactRows, id: func(c *models.Contact) string { return c.ID }, conn: contactConnection}
)

// pages reads the page of every parent; a parent without children gets an empty page.
func (n nested[T, C]) pages(s *Store, ctx context.Context, parentIDs []string, args PageArgs) (map[string]*C, error) {
	spec, err := args.spec()
	if err != nil {
		return nil, err
	}
	if spec.cursor != nil && spec.cursor.Order != n.rel.order {
		return nil, apperr.Invalid("after", "after is not a cursor of this connection")
	}
	out := make(map[string]*C, len(parentIDs))
	found := map[string]*pageResult[T]{}
	if spec.limit > 0 {
		db := s.read(ctx)
		idCol := n.table + ".id"
		inner := db.Model(n.model).
			Select(n.rows.selectList(n.table) + ", " + n.parentCol + " AS parent_id, ROW_NUMBER() OVER (PARTITION BY " + n.parentCol + " ORDER BY " + idCol + ") AS rn")
		if n.join != "" {
			inner = inner.Joins(n.join)
		}
		inner = inner.Where(n.parentCol+" IN ?", parentIDs)
		if spec.cursor != nil {
			inner = inner.Where(idCol+" > ?", spec.cursor.ID)
		}
		var parentID string
		var rn int
		q := db.Table("(?) AS t", inner).Select(n.rows.selectList("t")+", t.parent_id, t.rn").
			Where("t.rn <= ?", spec.limit+1).Order("t.parent_id").Order("t.rn")
		err = n.rows.scanAll(q, func() []any { return []any{&parentID, &rn} }, func(item *T) {
			p := found[parentID]
			if p == nil {
				p = &pageResult[T]{info: &models.PageInfo{HasPreviousPage: spec.cursor != nil}}
				found[parentID] = p
			}
			if len(p.items) == spec.limit {
				p.info.HasNextPage = true
				return
			}
			p.items = append(p.items, item)
		})
		if err != nil {
			return nil, s.translate(err)
		}
	}
	for _, id := range parentIDs {
		p := found[id]
		if p == nil {
			// As on root connections, a page read after a cursor has a previous page.
			p = &pageResult[T]{info: &models.PageInfo{HasPreviousPage: args.After != nil && spec.limit > 0}}
		}
		p.cursors = make([]string, len(p.items))
		if !args.SkipCursors {
			for i, item := range p.items {
				p.cursors[i] = cursor{Order: n.rel.order, ID: n.id(item)}.encode()
			}
			if k := len(p.cursors); k > 0 {
				p.info.StartCursor, p.info.EndCursor = &p.cursors[0], &p.cursors[k-1]
			}
		}
		out[id] = n.conn(p, nil)
	}
	return out, nil
}

// ListsOfContacts pages the lists of each contact.
func (s *Store) ListsOfContacts(ctx context.Context, contactIDs []string, args PageArgs) (map[string]*models.ListConnection, error) {
	return listsOfContact.pages(s, ctx, contactIDs, args)
}

// DealsOfContacts pages the deals of each contact.
func (s *Store) DealsOfContacts(ctx context.Context, contactIDs []string, args PageArgs) (map[string]*models.DealConnection, error) {
	return dealsOfContact.pages(s, ctx, contactIDs, args)
}

// ContactsOfLists pages the members of each list.
func (s *Store) ContactsOfLists(ctx context.Context, listIDs []string, args PageArgs) (map[string]*models.ContactConnection, error) {
	return membersOfList.pages(s, ctx, listIDs, args)
}

// CountChildren counts, per parent id, the children of one relation.
func (s *Store) CountChildren(ctx context.Context, rel *Relation, parentIDs []string) (map[string]int, error) {
	if rel == nil || rel.countModel == nil {
		return nil, fmt.Errorf("store: CountChildren of an unknown relation %v", rel)
	}
	var rows []struct {
		ParentID string
		N        int
	}
	err := s.read(ctx).Model(rel.countModel).Select(rel.countCol+" AS parent_id, COUNT(*) AS n").
		Where(rel.countCol+" IN ?", parentIDs).Group(rel.countCol).Scan(&rows).Error
	if err != nil {
		return nil, s.translate(err)
	}
	out := make(map[string]int, len(parentIDs))
	for _, r := range rows {
		out[r.ParentID] = r.N
	}
	return out, nil
}
