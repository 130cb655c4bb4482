// Package loaders batches the reads of nested fields per request with dataloaders, so that a
// page of N parents costs the same number of SQL statements as a page of one.
//
// Batching by a time window alone is not enough: when the database is slow, some siblings
// ask after the window closed and a page's children come in two or three statements. So
// every page read here also leaves a hint, the ids its items will be asked about next (a page
// of contacts hints its contact ids to the Contact.lists loader); the first sibling that
// asks queues the whole hinted set in one batch, and the others find their answer cached.
// Hints are left before any child resolver can run: by the root resolver before it returns,
// and by a loader's fetch before it releases its waiters.
package loaders

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// batchWait is how long a loader collects keys beyond the hinted ones.
const batchWait = 200 * time.Microsecond

func options() []dataloadgen.Option {
	return []dataloadgen.Option{dataloadgen.WithWait(batchWait), dataloadgen.WithBatchCapacity(1000)}
}

// Hint kinds: which ids a page announces.
const (
	contactsShown = "contacts"     // contacts whose lists/deals may be asked
	listsShown    = "lists"        // lists whose members/counts may be asked
	contactRefs   = "contact-refs" // contacts referenced by deals
	listRefs      = "list-refs"    // lists referenced by campaigns
)

// Loaders are one request's dataloaders. Every operation gets them and most use none or a
// few, so each loader and map is made on first use (under mu), not up front.
type Loaders struct {
	store *store.Store

	mu       sync.Mutex
	hints    map[string][]string
	children map[string]any // nested-connection loaders by relation and page arguments
	// preloaded holds nested pages read up front from the selection set, by the same key as
	// children and then by parent id: a parent found here needs no loader round.
	preloaded map[string]map[string]any

	contact *hinted[*models.Contact]
	list    *hinted[*models.List]
	counts  map[*store.Relation]*hinted[int]
}

// countedKinds are the relations Count answers, with the hints their parents come from.
var countedKinds = map[*store.Relation]string{
	store.ListsOfContact: contactsShown, store.DealsOfContact: contactsShown, store.MembersOfList: listsShown,
}

// hinted is a dataloader that, on its first use after new hints, queues them all at once.
type hinted[V any] struct {
	loader *dataloadgen.Loader[string, V]
	kind   string
	queued int // how many of the hints of kind have been queued; guarded by Loaders.mu
}

func (h *hinted[V]) load(ctx context.Context, l *Loaders, key string) (V, error) {
	// Queue the hints and this key under one lock: a sibling must not slip its lone key into a
	// batch of its own between the two. Queuing never blocks; fetches run in goroutines.
	l.mu.Lock()
	all := l.hints[h.kind]
	if fresh := all[h.queued:]; len(fresh) > 0 {
		h.loader.LoadAllThunk(ctx, fresh)
	}
	h.queued = len(all)
	thunk := h.loader.LoadThunk(ctx, key)
	l.mu.Unlock()
	return thunk()
}

type ctxKey struct{}

// New returns fresh loaders on s.
func New(s *store.Store) *Loaders {
	return &Loaders{store: s}
}

func (l *Loaders) contactLoader() *hinted[*models.Contact] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.contact == nil {
		l.contact = &hinted[*models.Contact]{kind: contactRefs, loader: dataloadgen.NewLoader(
			byID(l.store.ContactsByID, func(c *models.Contact) string { return c.ID }, l.SawContacts), options()...)}
	}
	return l.contact
}

func (l *Loaders) listLoader() *hinted[*models.List] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.list == nil {
		l.list = &hinted[*models.List]{kind: listRefs, loader: dataloadgen.NewLoader(
			byID(l.store.ListsByID, func(x *models.List) string { return x.ID }, l.SawLists), options()...)}
	}
	return l.list
}

func (l *Loaders) countLoader(relation *store.Relation) (*hinted[int], error) {
	kind, ok := countedKinds[relation]
	if !ok {
		return nil, fmt.Errorf("loaders: %s has no count", relation)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.counts[relation]
	if h == nil {
		if l.counts == nil {
			l.counts = map[*store.Relation]*hinted[int]{}
		}
		h = &hinted[int]{kind: kind, loader: dataloadgen.NewLoader(counting(l.store, relation), options()...)}
		l.counts[relation] = h
	}
	return h, nil
}

// With attaches loaders to ctx.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the request's loaders.
func For(ctx context.Context) *Loaders {
	l, _ := ctx.Value(ctxKey{}).(*Loaders)
	if l == nil {
		panic("loaders: no loaders in context; the HTTP handler attaches them")
	}
	return l
}

func (l *Loaders) hint(kind string, ids []string) {
	if len(ids) == 0 {
		return
	}
	l.mu.Lock()
	if l.hints == nil {
		l.hints = map[string][]string{}
	}
	l.hints[kind] = append(l.hints[kind], ids...)
	l.mu.Unlock()
}

// SawContacts announces contacts a response shows, whose nested fields may follow.
func (l *Loaders) SawContacts(cs []*models.Contact) {
	ids := make([]string, 0, len(cs))
	for _, c := range cs {
		if c != nil {
			ids = append(ids, c.ID)
		}
	}
	l.hint(contactsShown, ids)
}

// SawLists announces lists a response shows.
func (l *Loaders) SawLists(ls []*models.List) {
	ids := make([]string, 0, len(ls))
	for _, x := range ls {
		if x != nil {
			ids = append(ids, x.ID)
		}
	}
	l.hint(listsShown, ids)
}

// SawDeals announces deals a response shows: their contacts may follow.
func (l *Loaders) SawDeals(ds []*models.Deal) {
	var ids []string
	for _, d := range ds {
		if d != nil && d.ContactID != nil {
			ids = append(ids, *d.ContactID)
		}
	}
	l.hint(contactRefs, ids)
}

// SawCampaigns announces campaigns a response shows: their lists may follow.
func (l *Loaders) SawCampaigns(cs []*models.Campaign) {
	var ids []string
	for _, c := range cs {
		if c != nil && c.ListID != nil {
			ids = append(ids, *c.ListID)
		}
	}
	l.hint(listRefs, ids)
}

// Contact loads a contact of the workspace by id; nil when there is none.
func (l *Loaders) Contact(ctx context.Context, id string) (*models.Contact, error) {
	return l.contactLoader().load(ctx, l, id)
}

// List loads a list of the workspace by id; nil when there is none.
func (l *Loaders) List(ctx context.Context, id string) (*models.List, error) {
	return l.listLoader().load(ctx, l, id)
}

// byID adapts a "fetch these ids" store method; ids it does not return load as nil.
func byID[T any](fetch func(context.Context, []string) ([]*T, error), id func(*T) string, saw func([]*T)) func(context.Context, []string) ([]*T, []error) {
	return func(ctx context.Context, keys []string) ([]*T, []error) {
		rows, err := fetch(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
		saw(rows)
		found := make(map[string]*T, len(rows))
		for _, r := range rows {
			found[id(r)] = r
		}
		out := make([]*T, len(keys))
		for i, k := range keys {
			out[i] = found[k]
		}
		return out, nil
	}
}

func counting(s *store.Store, relation *store.Relation) func(context.Context, []string) ([]int, []error) {
	return func(ctx context.Context, keys []string) ([]int, []error) {
		counts, err := s.CountChildren(ctx, relation, keys)
		if err != nil {
			return nil, []error{err}
		}
		out := make([]int, len(keys))
		for i, k := range keys {
			out[i] = counts[k]
		}
		return out, nil
	}
}

// Count returns the number of children parentID has in relation.
func (l *Loaders) Count(ctx context.Context, relation *store.Relation, parentID string) (int, error) {
	h, err := l.countLoader(relation)
	if err != nil {
		return 0, err
	}
	return h.load(ctx, l, parentID)
}

func (l *Loaders) counter(relation *store.Relation, parentID string) models.Counter {
	return func(ctx context.Context) (int, error) { return l.Count(ctx, relation, parentID) }
}

// relation is what the loaders know of one nested connection: how to read many parents' pages
// at once, which hints its parents come from, and what its pages announce in turn.
type relation[C any] struct {
	rel   *store.Relation
	kind  string // the hints of the parents
	fetch func(*store.Store) func(context.Context, []string, store.PageArgs) (map[string]*C, error)
	saw   func(*Loaders, *C)
	// withCount copies a page and attaches the parent's totalCount: the cached page is shared.
	withCount func(*C, models.Counter) *C
}

// copyWithCount is a relation's withCount: it copies the page, then set attaches the count
// to the copy.
func copyWithCount[C any](set func(*C, models.Counter)) func(*C, models.Counter) *C {
	return func(c *C, n models.Counter) *C {
		cp := *c
		set(&cp, n)
		return &cp
	}
}

var (
	listsOfContact = relation[models.ListConnection]{rel: store.ListsOfContact, kind: contactsShown,
		fetch: func(s *store.Store) func(context.Context, []string, store.PageArgs) (map[string]*models.ListConnection, error) {
			return s.ListsOfContacts
		},
		saw:       func(l *Loaders, c *models.ListConnection) { l.SawLists(c.Nodes()) },
		withCount: copyWithCount(func(c *models.ListConnection, n models.Counter) { c.Count = n })}
	dealsOfContact = relation[models.DealConnection]{rel: store.DealsOfContact, kind: contactsShown,
		fetch: func(s *store.Store) func(context.Context, []string, store.PageArgs) (map[string]*models.DealConnection, error) {
			return s.DealsOfContacts
		},
		saw:       func(l *Loaders, c *models.DealConnection) { l.SawDeals(c.Nodes()) },
		withCount: copyWithCount(func(c *models.DealConnection, n models.Counter) { c.Count = n })}
	membersOfList = relation[models.ContactConnection]{rel: store.MembersOfList, kind: listsShown,
		fetch: func(s *store.Store) func(context.Context, []string, store.PageArgs) (map[string]*models.ContactConnection, error) {
			return s.ContactsOfLists
		},
		saw:       func(l *Loaders, c *models.ContactConnection) { l.SawContacts(c.Nodes()) },
		withCount: copyWithCount(func(c *models.ContactConnection, n models.Counter) { c.Count = n })}
)

func childKey(rel *store.Relation, args store.PageArgs) string {
	cursors := "c"
	if args.SkipCursors {
		cursors = "-"
	}
	return rel.String() + "|" + intArg(args.First) + "|" + strArg(args.After) + "|" + cursors
}

// loader returns the loader for one relation and one set of page arguments: siblings asking
// with the same arguments share a batch.
func (r relation[C]) loader(l *Loaders, args store.PageArgs) *hinted[*C] {
	key := childKey(r.rel, args)
	l.mu.Lock()
	defer l.mu.Unlock()
	if existing, ok := l.children[key]; ok {
		return existing.(*hinted[*C])
	}
	fetch := r.fetch(l.store)
	h := &hinted[*C]{kind: r.kind, loader: dataloadgen.NewLoader(func(ctx context.Context, keys []string) ([]*C, []error) {
		pages, err := fetch(ctx, keys, args)
		if err != nil {
			return nil, []error{err}
		}
		out := make([]*C, len(keys))
		for i, k := range keys {
			out[i] = pages[k]
			r.saw(l, out[i])
		}
		return out, nil
	}, options()...)}
	if l.children == nil {
		l.children = map[string]any{}
	}
	l.children[key] = h
	return h
}

// page returns parentID's page: preloaded, or through the loader.
func (r relation[C]) page(ctx context.Context, l *Loaders, parentID string, args store.PageArgs) (*C, error) {
	key := childKey(r.rel, args)
	l.mu.Lock()
	pre, ok := l.preloaded[key][parentID]
	l.mu.Unlock()
	var conn *C
	if ok {
		conn = pre.(*C)
	} else {
		var err error
		if conn, err = r.loader(l, args).load(ctx, l, parentID); err != nil {
			return nil, err
		}
	}
	return r.withCount(conn, l.counter(r.rel, parentID)), nil
}

// preload reads the pages of parentIDs now, in one statement, for the resolvers to find.
func (r relation[C]) preload(ctx context.Context, l *Loaders, parentIDs []string, args store.PageArgs) error {
	if len(parentIDs) == 0 {
		return nil
	}
	if err := args.Validate(); err != nil {
		return nil // the field's resolver reports it, with its path
	}
	pages, err := r.fetch(l.store)(ctx, parentIDs, args)
	if err != nil {
		return err
	}
	for _, c := range pages {
		r.saw(l, c)
	}
	key := childKey(r.rel, args)
	l.mu.Lock()
	defer l.mu.Unlock()
	m := l.preloaded[key]
	if m == nil {
		if l.preloaded == nil {
			l.preloaded = map[string]map[string]any{}
		}
		m = make(map[string]any, len(pages))
		l.preloaded[key] = m
	}
	for id, c := range pages {
		m[id] = c
	}
	return nil
}

// ListsOfContact pages a contact's lists.
func (l *Loaders) ListsOfContact(ctx context.Context, contactID string, args store.PageArgs) (*models.ListConnection, error) {
	return listsOfContact.page(ctx, l, contactID, args)
}

// DealsOfContact pages a contact's deals.
func (l *Loaders) DealsOfContact(ctx context.Context, contactID string, args store.PageArgs) (*models.DealConnection, error) {
	return dealsOfContact.page(ctx, l, contactID, args)
}

// ContactsOfList pages a list's members.
func (l *Loaders) ContactsOfList(ctx context.Context, listID string, args store.PageArgs) (*models.ContactConnection, error) {
	return membersOfList.page(ctx, l, listID, args)
}

// PreloadListsOfContacts reads the lists pages of contactIDs up front.
func (l *Loaders) PreloadListsOfContacts(ctx context.Context, contactIDs []string, args store.PageArgs) error {
	return listsOfContact.preload(ctx, l, contactIDs, args)
}

// PreloadDealsOfContacts reads the deals pages of contactIDs up front.
func (l *Loaders) PreloadDealsOfContacts(ctx context.Context, contactIDs []string, args store.PageArgs) error {
	return dealsOfContact.preload(ctx, l, contactIDs, args)
}

// PreloadContactsOfLists reads the member pages of listIDs up front.
func (l *Loaders) PreloadContactsOfLists(ctx context.Context, listIDs []string, args store.PageArgs) error {
	return membersOfList.preload(ctx, l, listIDs, args)
}

func intArg(p *int) string {
	if p == nil {
		return "-"
	}
	return strconv.Itoa(*p)
}

func strArg(p *string) string {
	if p == nil {
		return "-"
	}
	return *p
}
