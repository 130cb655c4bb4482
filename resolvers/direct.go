package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/graph"
	"github.com/wbk/crm/internal/access"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// The direct path answers Query.contacts, the hot read of every dashboard and of /v1/contacts,
// without gqlgen's per-field execution.
//
// gqlgen executes each field of each object on its own: a FieldContext, a context value and a
// marshaler per field, a goroutine per list element and per resolver field, and the selection
// set collected again for every object. A page of 50 contacts with their lists and deals is
// about 600 fields, which cost ~28,000 allocations and five times the CPU of the SQL behind
// them. The direct path plans each selection set once (not once per object), reads the page
// and every nested connection the plan selects up front, one statement each as the preloader
// does, and writes the JSON into one buffer.
//
// It answers only what it knows, field by field (the tables of fields below). Anything else in
// the subtree (a list's members, the lists and deals of a deal's contact, @defer), and any error at
// all, hands the whole root field back to gqlgen's generated executor, which reads again and
// answers as it always did, errors with their paths included. It reads nothing the generated
// executor would not read; the tenant scope, the permission gate, pricing and limits ran before
// it, and the permission the field's @hasPermission names is checked again here.
// internal/httpapi/direct_test.go compares both executors' answers byte for byte.
type Direct struct {
	r *Resolver
	// satisfies lists, per object type, the type names its fragments may name: the type and
	// the interfaces it implements, as the generated executor's implementors lists.
	satisfies map[string][]string
}

// NewDirect returns the direct path over r; schema names the interfaces of each type.
func NewDirect(r *Resolver, schema *ast.Schema) *Direct {
	d := &Direct{r: r, satisfies: map[string][]string{}}
	for _, name := range []string{"ContactConnection", "ContactEdge", "Contact", "ListConnection", "ListEdge",
		"List", "DealConnection", "DealEdge", "Deal", "PageInfo"} {
		names := []string{name}
		if def := schema.Types[name]; def != nil {
			names = append(names, def.Interfaces...)
		}
		d.satisfies[name] = names
	}
	return d
}

var _ interface {
	graphql.HandlerExtension
	graphql.RootFieldInterceptor
} = (*Direct)(nil)

func (*Direct) ExtensionName() string                   { return "DirectReads" }
func (*Direct) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptRootField answers Query.contacts when it can and leaves every other root field,
// and every contacts selection it cannot answer, to the generated executor.
func (d *Direct) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rfc := graphql.GetRootFieldContext(ctx)
	if rfc == nil || rfc.Field.Name != "contacts" || rfc.Field.Field == nil || !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query {
		return next(ctx)
	}
	if out, ok := d.contacts(ctx, oc, rfc.Field); ok {
		return out
	}
	return next(ctx)
}

// contacts plans, reads and writes Query.contacts; false leaves it to the generated executor.
func (d *Direct) contacts(ctx context.Context, oc *graphql.OperationContext, field graphql.CollectedField) (graphql.Marshaler, bool) {
	if access.Require(ctx, models.PermissionRead) != nil {
		return nil, false
	}
	p := planner{d: d, oc: oc}
	sel, ok := p.connection(field.Selections, contactTypes, p.contact)
	if !ok {
		return nil, false
	}
	args, filter, order, ok := contactsArgs(ctx, oc, field)
	if !ok {
		return nil, false
	}
	args.SkipCursors = !sel.readsCursors
	conn, err := d.r.Store.Contacts(ctx, args, filter, order)
	if err != nil {
		return nil, false
	}
	var total int
	if sel.readsTotal {
		if total, err = conn.Count(ctx); err != nil {
			return nil, false
		}
	}
	if len(p.reads) > 0 && len(conn.Edges) > 0 {
		ids := make([]string, len(conn.Edges))
		for i, e := range conn.Edges {
			if e.Node == nil {
				return nil, false
			}
			ids[i] = e.Node.ID
		}
		for _, r := range p.reads {
			if err := r.load(ctx, d.r.Store, ids); err != nil {
				return nil, false
			}
		}
		if err := p.side.load(ctx, d.r.Store, p.reads); err != nil {
			return nil, false
		}
	}
	out := newOutput()
	out.contactConnection(sel, conn, total)
	if out.broken {
		out.release()
		return nil, false
	}
	return out, true
}

// contactsArgs decodes Query.contacts' arguments as the generated executor does.
func contactsArgs(ctx context.Context, oc *graphql.OperationContext, field graphql.CollectedField) (args store.PageArgs, filter *models.ContactFilter, order *models.ContactOrder, ok bool) {
	for name, v := range field.ArgumentMap(oc.Variables) {
		if v == nil {
			continue
		}
		var err error
		switch name {
		case "first":
			args.First, err = intArg(v)
		case "last":
			args.Last, err = intArg(v)
		case "after":
			args.After, err = stringArg(v)
		case "before":
			args.Before, err = stringArg(v)
		case "filter":
			var f models.ContactFilter
			f, err = graph.UnmarshalContactFilter(ctx, v)
			filter = &f
		case "orderBy":
			var o models.ContactOrder
			o, err = graph.UnmarshalContactOrder(ctx, v)
			order = &o
		default:
			return args, nil, nil, false
		}
		if err != nil {
			return args, nil, nil, false
		}
	}
	return args, filter, order, true
}

func intArg(v any) (*int, error) {
	n, err := graphql.UnmarshalInt(v)
	return &n, err
}

func stringArg(v any) (*string, error) {
	s, err := graphql.UnmarshalString(v)
	return &s, err
}

// fieldKind is what the direct path writes for one selected field. Names shared by several
// types (id, title, createdAt) are one kind; each type's writer knows the kinds it has.
type fieldKind uint8

const (
	fTypename fieldKind = iota
	// connections
	fEdges
	fNodes
	fPageInfo
	fTotalCount
	// edges
	fCursor
	fNode
	// PageInfo
	fHasNextPage
	fHasPreviousPage
	fStartCursor
	fEndCursor
	// objects
	fID
	fEmail
	fFirstName
	fLastName
	fFullName
	fCompany
	fTitle
	fPhone
	fTags
	fCreatedAt
	fUpdatedAt
	fLists
	fDeals
	fName
	fDescription
	fAmount
	fCurrency
	fStage
	fCloseDate
	fContactCount
	fContact
)

// The fields the direct path writes, per type. A field missing here (List.contacts) sends
// the root field to the generated executor.
var (
	connectionFields = map[string]fieldKind{"edges": fEdges, "nodes": fNodes, "pageInfo": fPageInfo, "totalCount": fTotalCount}
	edgeFields       = map[string]fieldKind{"cursor": fCursor, "node": fNode}
	pageInfoFields   = map[string]fieldKind{"hasNextPage": fHasNextPage, "hasPreviousPage": fHasPreviousPage,
		"startCursor": fStartCursor, "endCursor": fEndCursor}
	contactFields = map[string]fieldKind{"id": fID, "email": fEmail, "firstName": fFirstName, "lastName": fLastName,
		"fullName": fFullName, "company": fCompany, "title": fTitle, "phone": fPhone, "tags": fTags,
		"createdAt": fCreatedAt, "updatedAt": fUpdatedAt, "lists": fLists, "deals": fDeals}
	listFields = map[string]fieldKind{"id": fID, "name": fName, "description": fDescription,
		"contactCount": fContactCount, "createdAt": fCreatedAt, "updatedAt": fUpdatedAt}
	dealFields = map[string]fieldKind{"id": fID, "title": fTitle, "amount": fAmount, "currency": fCurrency,
		"stage": fStage, "contact": fContact, "closeDate": fCloseDate, "createdAt": fCreatedAt, "updatedAt": fUpdatedAt}
)

// connTypes names a connection's three object types.
type connTypes struct{ conn, edge, node string }

var (
	contactTypes = connTypes{"ContactConnection", "ContactEdge", "Contact"}
	listTypes    = connTypes{"ListConnection", "ListEdge", "List"}
	dealTypes    = connTypes{"DealConnection", "DealEdge", "Deal"}
)

// selection is a planned selection set: the fields to write, in response order, fields with
// the same response key merged, fragments and @skip/@include applied.
type selection struct {
	fields []selected
	// On a connection: whether its query reads a cursor (edges.cursor, pageInfo's cursors)
	// and its totalCount, so the reads build and count only what is written.
	readsCursors, readsTotal bool
}

type selected struct {
	key      string // `"alias":`
	kind     fieldKind
	typename string      // fTypename: the object's type name, quoted
	sub      *selection  // the selection of an object-valued field
	read     *nestedRead // fLists, fDeals: the read holding the pages
	side     *sideReads  // fContactCount, fContact: the read holding the values
}

// planner plans one root field's selection sets and gathers the nested reads they need.
type planner struct {
	d     *Direct
	oc    *graphql.OperationContext
	reads []*nestedRead
	side  sideReads
}

// object plans sel on typ with the field table kinds; child plans its object-valued fields.
func (p *planner) object(sel ast.SelectionSet, typ string, kinds map[string]fieldKind,
	child func(f graphql.CollectedField, kind fieldKind, s *selected) bool) (*selection, bool) {
	collected := graphql.CollectFields(p.oc, sel, p.d.satisfies[typ])
	out := &selection{fields: make([]selected, len(collected))}
	for i, f := range collected {
		if f.IsDeferred() {
			return nil, false
		}
		s := &out.fields[i]
		s.key = `"` + f.Alias + `":`
		if f.Name == "__typename" {
			s.kind, s.typename = fTypename, `"`+typ+`"`
			continue
		}
		kind, ok := kinds[f.Name]
		if !ok {
			return nil, false
		}
		s.kind = kind
		if child != nil && !child(f, kind, s) {
			return nil, false
		}
	}
	return out, true
}

// connection plans a connection's selection; node plans the selection of its nodes.
func (p *planner) connection(sel ast.SelectionSet, t connTypes, node func(ast.SelectionSet) (*selection, bool)) (*selection, bool) {
	var cursors, total bool
	out, ok := p.object(sel, t.conn, connectionFields, func(f graphql.CollectedField, kind fieldKind, s *selected) bool {
		var ok bool
		switch kind {
		case fEdges:
			s.sub, ok = p.object(f.Selections, t.edge, edgeFields, func(f graphql.CollectedField, kind fieldKind, s *selected) bool {
				if kind == fCursor {
					cursors = true
					return true
				}
				var ok bool
				s.sub, ok = node(f.Selections)
				return ok
			})
		case fNodes:
			s.sub, ok = node(f.Selections)
		case fPageInfo:
			s.sub, ok = p.object(f.Selections, "PageInfo", pageInfoFields, func(_ graphql.CollectedField, kind fieldKind, _ *selected) bool {
				cursors = cursors || kind == fStartCursor || kind == fEndCursor
				return true
			})
		case fTotalCount:
			total, ok = true, true
		}
		return ok
	})
	if ok {
		out.readsCursors, out.readsTotal = cursors, total
	}
	return out, ok
}

func (p *planner) contact(sel ast.SelectionSet) (*selection, bool) {
	return p.object(sel, "Contact", contactFields, func(f graphql.CollectedField, kind fieldKind, s *selected) bool {
		switch kind {
		case fLists:
			return p.nested(f, s, store.ListsOfContact, listTypes, p.list)
		case fDeals:
			return p.nested(f, s, store.DealsOfContact, dealTypes, p.deal)
		}
		return true
	})
}

func (p *planner) list(sel ast.SelectionSet) (*selection, bool) {
	return p.object(sel, "List", listFields, func(_ graphql.CollectedField, kind fieldKind, s *selected) bool {
		if kind == fContactCount {
			p.side.listCounts, s.side = true, &p.side
		}
		return true
	})
}

func (p *planner) deal(sel ast.SelectionSet) (*selection, bool) {
	return p.object(sel, "Deal", dealFields, func(f graphql.CollectedField, kind fieldKind, s *selected) bool {
		if kind != fContact {
			return true
		}
		// A deal's contact is written with its own fields only: its lists and deals would be
		// reads of a second level, left to the generated executor.
		var ok bool
		s.sub, ok = p.object(f.Selections, "Contact", contactFields, func(_ graphql.CollectedField, kind fieldKind, _ *selected) bool {
			return kind != fLists && kind != fDeals
		})
		p.side.dealContacts, s.side = true, &p.side
		return ok
	})
}

// nested plans a nested connection field and attaches the read of its pages, shared with
// every other selection of the same relation and arguments.
func (p *planner) nested(f graphql.CollectedField, s *selected, rel *store.Relation, t connTypes,
	node func(ast.SelectionSet) (*selection, bool)) bool {
	args, ok := nestedArgs(p.oc, f)
	if !ok || args.Validate() != nil {
		return false // the generated executor reports the argument's error with its path
	}
	sub, ok := p.connection(f.Selections, t, node)
	if !ok {
		return false
	}
	s.sub = sub
	for _, r := range p.reads {
		if r.rel == rel && sameInt(r.args.First, args.First) && sameString(r.args.After, args.After) {
			s.read = r
			break
		}
	}
	if s.read == nil {
		s.read = &nestedRead{rel: rel, args: args}
		s.read.args.SkipCursors = true
		p.reads = append(p.reads, s.read)
	}
	if sub.readsCursors {
		s.read.args.SkipCursors = false
	}
	s.read.count = s.read.count || sub.readsTotal
	return true
}

func sameInt(a, b *int) bool       { return (a == nil) == (b == nil) && (a == nil || *a == *b) }
func sameString(a, b *string) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// nestedRead is one nested connection read for every contact of the page: one statement for
// the pages, one for the counts when a totalCount is selected.
type nestedRead struct {
	rel    *store.Relation
	args   store.PageArgs
	count  bool
	lists  map[string]*models.ListConnection
	deals  map[string]*models.DealConnection
	counts map[string]int
}

func (r *nestedRead) load(ctx context.Context, s *store.Store, ids []string) error {
	var err error
	switch r.rel {
	case store.ListsOfContact:
		r.lists, err = s.ListsOfContacts(ctx, ids, r.args)
	case store.DealsOfContact:
		r.deals, err = s.DealsOfContacts(ctx, ids, r.args)
	}
	if err == nil && r.count {
		r.counts, err = s.CountChildren(ctx, r.rel, ids)
	}
	return err
}

// sideReads are the values the nested pages' objects select beyond their own columns, read
// once for every object of every nested page: the member count of each list shown
// (List.contactCount) and the contact of each deal shown (Deal.contact).
type sideReads struct {
	listCounts, dealContacts bool
	counts                   map[string]int
	contacts                 map[string]*models.Contact
}

func (r *sideReads) load(ctx context.Context, s *store.Store, pages []*nestedRead) error {
	if !r.listCounts && !r.dealContacts {
		return nil
	}
	var listIDs, contactIDs []string
	seen := map[string]bool{}
	for _, page := range pages {
		for _, conn := range page.lists {
			for _, e := range conn.Edges {
				if r.listCounts && e.Node != nil && !seen[e.Node.ID] {
					seen[e.Node.ID] = true
					listIDs = append(listIDs, e.Node.ID)
				}
			}
		}
		for _, conn := range page.deals {
			for _, e := range conn.Edges {
				if r.dealContacts && e.Node != nil && e.Node.ContactID != nil && !seen[*e.Node.ContactID] {
					seen[*e.Node.ContactID] = true
					contactIDs = append(contactIDs, *e.Node.ContactID)
				}
			}
		}
	}
	var err error
	if len(listIDs) > 0 {
		if r.counts, err = s.CountChildren(ctx, store.MembersOfList, listIDs); err != nil {
			return err
		}
	}
	if len(contactIDs) > 0 {
		contacts, err := s.ContactsByID(ctx, contactIDs)
		if err != nil {
			return err
		}
		r.contacts = make(map[string]*models.Contact, len(contacts))
		for _, c := range contacts {
			r.contacts[c.ID] = c
		}
	}
	return nil
}
