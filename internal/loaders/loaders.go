// Package loaders batches the lookups by id of one operation. A query may look up many
// records by id under aliases (c0: contact(id: …) c1: contact(id: …) …) or through node(id:);
// the first of those root fields to run reads the records of all of them, one statement per
// kind of record, and the others find theirs read. Nested fields need nothing here: they are
// batch resolvers, called once for all their parents.
package loaders

import (
	"context"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
)

// Loaders are one operation's lookups, by root field name.
type Loaders struct {
	mu      sync.Mutex
	lookups map[string]*lookup
}

type lookup struct {
	once  sync.Once
	ids   []string // the ids read
	found map[string]any
	err   error
}

type ctxKey struct{}

// New returns an operation's empty lookups.
func New() *Loaders { return &Loaders{} }

// With attaches loaders to ctx.
func With(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, ctxKey{}, l)
}

// For returns the operation's loaders; nil outside an operation (each lookup then reads alone).
func For(ctx context.Context) *Loaders {
	l, _ := ctx.Value(ctxKey{}).(*Loaders)
	return l
}

// Read reads records by id and returns those found by id; ids not found are absent.
type Read func(ctx context.Context, ids []string) (map[string]any, error)

// Lookup returns the record with id that the root field named field looks up (nil when there
// is none). The first call for a field reads, with read, the ids of every root field of the
// operation with that name and a literal or variable id argument.
func Lookup(ctx context.Context, field, id string, read Read) (any, error) {
	l := For(ctx)
	if l == nil || !graphql.HasOperationContext(ctx) {
		found, err := read(ctx, []string{id})
		return found[id], err
	}
	l.mu.Lock()
	lk := l.lookups[field]
	if lk == nil {
		if l.lookups == nil {
			l.lookups = map[string]*lookup{}
		}
		lk = &lookup{}
		l.lookups[field] = lk
	}
	l.mu.Unlock()
	lk.once.Do(func() {
		lk.ids = siblings(graphql.GetOperationContext(ctx), field, id)
		lk.found, lk.err = read(ctx, lk.ids)
	})
	if lk.err == nil && slices.Contains(lk.ids, id) {
		return lk.found[id], nil
	}
	// An id the operation's text does not show, or a batch one of whose ids failed it (each
	// field then reports its own error): read it alone.
	found, err := read(ctx, []string{id})
	return found[id], err
}

// siblings lists the id arguments of the operation's root fields named field, id first.
func siblings(oc *graphql.OperationContext, field, id string) []string {
	out := []string{id}
	seen := map[string]bool{id: true}
	if oc.Operation == nil {
		return out
	}
	for _, f := range graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{"Query"}) {
		if f.Name != field {
			continue
		}
		if s, ok := f.ArgumentMap(oc.Variables)["id"].(string); ok && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
