package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"

	"gorm.io/gorm"

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
	// kept: the count of a parent's children is kept in row_counts under the parent's id.
	kept bool
}

// String is the relation's name, "Type.field".
func (r *Relation) String() string { return r.name }

// The nested connections.
var (
	ListsOfContact = &Relation{name: "Contact.lists", order: "contact.lists", countModel: &models.ListMembership{}, countCol: "contact_id"}
	DealsOfContact = &Relation{name: "Contact.deals", order: "contact.deals", countModel: &models.Deal{}, countCol: "contact_id"}
	MembersOfList  = &Relation{name: "List.contacts", order: "list.contacts", countModel: &models.ListMembership{}, countCol: "list_id", kept: true}
)

// nested reads the pages of one relation for many parents in one statement. On PostgreSQL
// each parent's page is a LATERAL subquery with its own LIMIT, read along an index on
// (parent, child): k parents cost at most k × (limit + 1) rows, however many children they
// have. Through a link table the LIMIT is on the link rows alone, and only the children they
// name are read: the planner cannot trade the index walk for a read of every link row of the
// parent. SQLite has no LATERAL: there inner selects the children with their parent's id and
// their row number within the parent (a window function), and the outer query keeps the first
// limit+1 of each parent.
type nested[T, E, C any] struct {
	rel   *Relation
	model any
	rows  rowScanner[T]
	id    func(*T) string
	edge  func(cursor string, node *T) E
	conn  func(edges []*E, info *models.PageInfo) C
	// The statements' text, written once: it depends on the relation only.
	innerSelect, join, parentIn, idAfter, outerSelect string
	// PostgreSQL: the LATERAL page of one parent p, of the link rows when link is set.
	link                                                              bool
	lateralSelect, lateralParent, orderCol, lateralFrom, lateralOuter string
	linkSelect, linkJoin                                              string
}

// newNested describes a relation whose children live in table and whose parent is parentCol,
// reached through join when that is set (the link table list_memberships aliased m). orderCol
// is the child's id as the index on (parentCol, orderCol) holds it, so that each parent's page
// is read in index order.
func newNested[T, E, C any](rel *Relation, model any, table, join, parentCol, orderCol string, rows rowScanner[T], id func(*T) string,
	edge func(string, *T) E, conn func([]*E, *models.PageInfo) C) nested[T, E, C] {
	n := nested[T, E, C]{rel: rel, model: model, rows: rows, id: id, edge: edge, conn: conn, join: join,
		innerSelect: rows.selectList(table) + ", " + parentCol + " AS parent_id, ROW_NUMBER() OVER (PARTITION BY " + parentCol +
			" ORDER BY " + table + ".id) AS rn",
		parentIn:      parentCol + " IN ?",
		idAfter:       orderCol + " > ?",
		outerSelect:   rows.selectList("t") + ", t.parent_id, t.rn",
		lateralSelect: rows.selectList(table) + ", ROW_NUMBER() OVER (ORDER BY " + orderCol + ") AS rn",
		lateralParent: parentCol + " = p.id",
		orderCol:      orderCol,
		lateralFrom:   "unnest(?::text[]) WITH ORDINALITY AS p(id, ord) CROSS JOIN LATERAL (?) AS t",
		lateralOuter:  rows.selectList("t") + ", p.id, t.rn",
	}
	if join != "" {
		n.link = true
		n.linkSelect = orderCol + " AS child_id, ROW_NUMBER() OVER (ORDER BY " + orderCol + ") AS rn"
		n.linkJoin = "JOIN (?) AS lm ON lm.child_id = " + table + ".id"
		n.lateralSelect = rows.selectList(table) + ", lm.rn"
	}
	return n
}

var (
	listsOfContact = newNested(ListsOfContact, &models.List{}, "lists",
		"JOIN list_memberships m ON m.list_id = lists.id AND m.workspace_id = lists.workspace_id", "m.contact_id", "m.list_id",
		listRows, func(l *models.List) string { return l.ID },
		func(c string, n *models.List) models.ListEdge { return models.ListEdge{Cursor: c, Node: n} },
		func(e []*models.ListEdge, info *models.PageInfo) models.ListConnection {
			return models.ListConnection{Edges: e, PageInfo: info}
		})
	dealsOfContact = newNested(DealsOfContact, &models.Deal{}, "deals", "", "deals.contact_id", "deals.id",
		dealRows, func(d *models.Deal) string { return d.ID },
		func(c string, n *models.Deal) models.DealEdge { return models.DealEdge{Cursor: c, Node: n} },
		func(e []*models.DealEdge, info *models.PageInfo) models.DealConnection {
			return models.DealConnection{Edges: e, PageInfo: info}
		})
	membersOfList = newNested(MembersOfList, &models.Contact{}, "contacts",
		"JOIN list_memberships m ON m.contact_id = contacts.id AND m.workspace_id = contacts.workspace_id", "m.list_id", "m.contact_id",
		contactRows, func(c *models.Contact) string { return c.ID },
		func(c string, n *models.Contact) models.ContactEdge { return models.ContactEdge{Cursor: c, Node: n} },
		func(e []*models.ContactEdge, info *models.PageInfo) models.ContactConnection {
			return models.ContactConnection{Edges: e, PageInfo: info}
		})
)

// query builds the statement that reads the pages of parentIDs (each listed once): rows of
// the children's columns, then their parent's id and row number, ordered by parent.
func (n nested[T, E, C]) query(s *Store, ctx context.Context, parentIDs []string, spec pageSpec) *gorm.DB {
	db := s.read(ctx)
	if s.dialect == Postgres {
		var inner *gorm.DB
		if n.link {
			page := db.Table("list_memberships AS m").Select(n.linkSelect).Where(n.lateralParent)
			if spec.cursor != nil {
				page = page.Where(n.idAfter, spec.cursor.ID)
			}
			page = page.Order(n.orderCol).Limit(spec.limit + 1)
			inner = db.Model(n.model).Select(n.lateralSelect).Joins(n.linkJoin, page)
		} else {
			inner = db.Model(n.model).Select(n.lateralSelect).Where(n.lateralParent)
			if spec.cursor != nil {
				inner = inner.Where(n.idAfter, spec.cursor.ID)
			}
			inner = inner.Order(n.orderCol).Limit(spec.limit + 1)
		}
		return db.Table(n.lateralFrom, textArray(parentIDs), inner).Select(n.lateralOuter).Order("p.ord").Order("t.rn")
	}
	inner := db.Model(n.model)
	if n.join != "" {
		inner = inner.Joins(n.join)
	}
	if spec.cursor != nil {
		inner = inner.Where(n.idAfter, spec.cursor.ID)
	}
	inner = inner.Select(n.innerSelect).Where(n.parentIn, parentIDs)
	return db.Table("(?) AS t", inner).Select(n.outerSelect).
		Where("t.rn <= ?", spec.limit+1).Order("t.parent_id").Order("t.rn")
}

// nestedRowsPerParent is the rows a batch presizes for per parent: most parents have fewer
// children than a page holds (a contact is in a few lists, has a deal or none), and the slice
// still grows past it when they have more.
const nestedRowsPerParent = 2

// pages reads the page of every parent; a parent without children gets an empty page. The
// batch's edges, page infos and connections are each one allocation, and its rows a few,
// however many parents and rows it has.
func (n nested[T, E, C]) pages(s *Store, ctx context.Context, parentIDs []string, args PageArgs) (map[string]*C, error) {
	spec, err := args.spec()
	if err != nil {
		return nil, err
	}
	if spec.cursor != nil && spec.cursor.Order != n.rel.order {
		return nil, apperr.Invalid("after", "after is not a cursor of this connection")
	}
	// page is the page of parentIDs[i]: its rows are rows[start:end]; a parent listed twice
	// has the page of its first place.
	page := make(map[string]int, len(parentIDs))
	for i, id := range parentIDs {
		if _, dup := page[id]; !dup {
			page[id] = i
		}
	}
	spans := make([]struct{ start, end int }, len(parentIDs))
	infos := make([]models.PageInfo, len(parentIDs))
	for i := range infos {
		// As on root connections, a page read after a cursor has a previous page.
		infos[i].HasPreviousPage = spec.cursor != nil && spec.limit > 0
	}
	var rows []*T
	if spec.limit > 0 {
		unique := parentIDs
		if len(page) < len(parentIDs) {
			unique = make([]string, 0, len(page))
			for i, id := range parentIDs {
				if page[id] == i {
					unique = append(unique, id)
				}
			}
		}
		q := n.query(s, ctx, unique, spec)
		var (
			parentID, current string
			rn                int
			at                = -1
		)
		// The rows come ordered by parent: each parent's rows are contiguous.
		keep := func(row int) bool {
			if parentID != current || at < 0 {
				current = parentID
				i, ok := page[parentID]
				if !ok {
					at = -1
					return false
				}
				at = i
			}
			if rn > spec.limit {
				infos[at].HasNextPage = true
				return false
			}
			if spans[at].end == 0 {
				spans[at].start = row
			}
			spans[at].end = row + 1
			return true
		}
		rows, err = n.rows.scanAll(q, len(parentIDs)*min(spec.limit+1, nestedRowsPerParent), []any{&parentID, &rn}, keep)
		if err != nil {
			return nil, s.translate(err)
		}
	}
	var cursors []string
	if !args.SkipCursors {
		cursors = make([]string, len(rows))
		encodeCursors(cursors, func(j int) cursor { return cursor{Order: n.rel.order, ID: n.id(rows[j])} })
	}
	edges := make([]E, len(rows))
	edgePtrs := make([]*E, len(rows))
	conns := make([]C, len(parentIDs))
	out := make(map[string]*C, len(parentIDs))
	for i, id := range parentIDs {
		if first := page[id]; first != i {
			out[id] = &conns[first]
			continue
		}
		sp, info := spans[i], &infos[i]
		for j := sp.start; j < sp.end; j++ {
			c := ""
			if cursors != nil {
				c = cursors[j]
			}
			edges[j] = n.edge(c, rows[j])
			edgePtrs[j] = &edges[j]
		}
		if cursors != nil && sp.end > sp.start {
			info.StartCursor, info.EndCursor = &cursors[sp.start], &cursors[sp.end-1]
		}
		conns[i] = n.conn(edgePtrs[sp.start:sp.end:sp.end], info)
		out[id] = &conns[i]
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

// CountChildren counts, per parent id, the children of one relation: a list's members from
// their kept count, a contact's lists and deals along their index on the contact.
func (s *Store) CountChildren(ctx context.Context, rel *Relation, parentIDs []string) (map[string]int, error) {
	if rel == nil || rel.countModel == nil {
		return nil, fmt.Errorf("store: CountChildren of an unknown relation %v", rel)
	}
	if rel.kept {
		return s.keptCounts(ctx, parentIDs)
	}
	var rows []struct {
		ParentID string
		N        int
	}
	unlock := lockRequestTx(ctx) // Scan reads its rows after GORM's callbacks
	defer unlock()
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

// textArray binds a list as one PostgreSQL text[] parameter ("= ANY(?)") instead of one
// parameter per element ("IN (?, ?, …)"): the statement's text no longer depends on the
// number of parents, so a connection prepares it once instead of once per batch size, and
// GORM does not box every element. The native reads hand it to pgx as []string; through
// database/sql (reads in a transaction) it is the array's text form.
type textArray []string

func (a textArray) Value() (driver.Value, error) {
	var b strings.Builder
	b.WriteByte('{')
	for i, s := range a {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('"')
		for j := 0; j < len(s); j++ {
			if s[j] == '"' || s[j] == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(s[j])
		}
		b.WriteByte('"')
	}
	b.WriteByte('}')
	return b.String(), nil
}
