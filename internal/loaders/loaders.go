// Package loaders batches the reads of nested fields per request with dataloaders, so that a
// page of N parents costs the same number of SQL statements as a page of one.
package loaders

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// batchWait is how long a loader collects keys; gqlgen resolves the items of a list
// concurrently, so every sibling asks well within it.
const batchWait = 2 * time.Millisecond

func options() []dataloadgen.Option {
	return []dataloadgen.Option{dataloadgen.WithWait(batchWait), dataloadgen.WithBatchCapacity(store.MaxPageSize * 10)}
}

// Loaders are one request's dataloaders.
type Loaders struct {
	store    *store.Store
	Contact  *dataloadgen.Loader[string, *models.Contact]
	List     *dataloadgen.Loader[string, *models.List]
	counts   map[string]*dataloadgen.Loader[string, int]
	mu       sync.Mutex
	children map[string]any // nested-connection loaders by relation and page arguments
}

type ctxKey struct{}

// New returns fresh loaders on s.
func New(s *store.Store) *Loaders {
	l := &Loaders{store: s, children: map[string]any{}, counts: map[string]*dataloadgen.Loader[string, int]{}}
	l.Contact = dataloadgen.NewLoader(byID(s.ContactsByID, func(c *models.Contact) string { return c.ID }), options()...)
	l.List = dataloadgen.NewLoader(byID(s.ListsByID, func(l *models.List) string { return l.ID }), options()...)
	for _, rel := range []string{store.ListsPerContact, store.DealsPerContact, store.MembersPerList} {
		l.counts[rel] = dataloadgen.NewLoader(counting(s, rel), options()...)
	}
	return l
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

// byID adapts a "fetch these ids" store method; ids it does not return load as nil.
func byID[T any](fetch func(context.Context, []string) ([]*T, error), id func(*T) string) func(context.Context, []string) ([]*T, []error) {
	return func(ctx context.Context, keys []string) ([]*T, []error) {
		rows, err := fetch(ctx, keys)
		if err != nil {
			return nil, []error{err}
		}
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

func counting(s *store.Store, relation string) func(context.Context, []string) ([]int, []error) {
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
func (l *Loaders) Count(ctx context.Context, relation, parentID string) (int, error) {
	return l.counts[relation].Load(ctx, parentID)
}

func (l *Loaders) counter(relation, parentID string) models.Counter {
	return func(ctx context.Context) (int, error) { return l.Count(ctx, relation, parentID) }
}

// childLoader returns the loader for one relation and one set of page arguments: siblings
// asking with the same arguments share a batch.
func childLoader[C any](l *Loaders, relation string, args store.PageArgs,
	fetch func(context.Context, []string, store.PageArgs) (map[string]C, error)) *dataloadgen.Loader[string, C] {
	key := fmt.Sprintf("%s|%s|%s", relation, intArg(args.First), strArg(args.After))
	l.mu.Lock()
	defer l.mu.Unlock()
	if existing, ok := l.children[key]; ok {
		return existing.(*dataloadgen.Loader[string, C])
	}
	loader := dataloadgen.NewLoader(func(ctx context.Context, keys []string) ([]C, []error) {
		pages, err := fetch(ctx, keys, args)
		if err != nil {
			return nil, []error{err}
		}
		out := make([]C, len(keys))
		for i, k := range keys {
			out[i] = pages[k]
		}
		return out, nil
	}, options()...)
	l.children[key] = loader
	return loader
}

// ListsOfContact pages a contact's lists.
func (l *Loaders) ListsOfContact(ctx context.Context, contactID string, args store.PageArgs) (*models.ListConnection, error) {
	conn, err := childLoader(l, store.ListsPerContact, args, l.store.ListsOfContacts).Load(ctx, contactID)
	if err != nil {
		return nil, err
	}
	c := *conn
	c.Count = l.counter(store.ListsPerContact, contactID)
	return &c, nil
}

// DealsOfContact pages a contact's deals.
func (l *Loaders) DealsOfContact(ctx context.Context, contactID string, args store.PageArgs) (*models.DealConnection, error) {
	conn, err := childLoader(l, store.DealsPerContact, args, l.store.DealsOfContacts).Load(ctx, contactID)
	if err != nil {
		return nil, err
	}
	c := *conn
	c.Count = l.counter(store.DealsPerContact, contactID)
	return &c, nil
}

// ContactsOfList pages a list's members.
func (l *Loaders) ContactsOfList(ctx context.Context, listID string, args store.PageArgs) (*models.ContactConnection, error) {
	conn, err := childLoader(l, store.MembersPerList, args, l.store.ContactsOfLists).Load(ctx, listID)
	if err != nil {
		return nil, err
	}
	c := *conn
	c.Count = l.counter(store.MembersPerList, listID)
	return &c, nil
}

func intArg(p *int) string {
	if p == nil {
		return "-"
	}
	return fmt.Sprint(*p)
}

func strArg(p *string) string {
	if p == nil {
		return "-"
	}
	return *p
}
