package resolvers

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/internal/access"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/internal/loaders"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// Nested fields are batch resolvers: gqlfast (and gqlgen's executor, for the parents it
// groups) calls each once with every parent, and each is one batched store read.

// childPages reads the page of each parent in one statement. When the query selects the
// total count, every page gets one that, asked for any of them, counts the children of all
// the parents in one statement.
func childPages[P, C any](ctx context.Context, s *store.Store, rel *store.Relation, parents []*P, id func(*P) string,
	read func(context.Context, []string, store.PageArgs) (map[string]*C, error), args store.PageArgs,
	setCount func(*C, models.Counter)) ([]*C, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	idList := make([]string, len(parents))
	for i, p := range parents {
		idList[i] = id(p)
	}
	pages, err := read(ctx, idList, args)
	if err != nil {
		return nil, err
	}
	var counts *countBatch
	if selects(ctx, "totalCount") {
		counts = &countBatch{s: s, rel: rel, ids: idList}
	}
	out := make([]*C, len(parents))
	for i, pid := range idList {
		page := pages[pid] // two parents with one id share a page, and its count
		if counts != nil {
			setCount(page, counts.counter(pid))
		}
		out[i] = page
	}
	return out, nil
}

// selects reports whether the connection field being resolved selects name.
func selects(ctx context.Context, name string) bool {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || !graphql.HasOperationContext(ctx) {
		return true
	}
	for _, f := range collectAny(graphql.GetOperationContext(ctx), fc.Field.Selections) {
		if f.Name == name {
			return true
		}
	}
	return false
}

// countBatch counts the children of a batch's parents once, when a count is first asked.
type countBatch struct {
	once   sync.Once
	s      *store.Store
	rel    *store.Relation
	ids    []string
	counts map[string]int
	err    error
}

func (b *countBatch) counter(id string) models.Counter {
	return func(ctx context.Context) (int, error) {
		b.once.Do(func() { b.counts, b.err = b.s.CountChildren(ctx, b.rel, b.ids) })
		return b.counts[id], b.err
	}
}

// referenced reads the records parents refer to (a deal's contact, a campaign's list) in one
// statement; a parent without a reference, or whose record is gone, gets nil.
func referenced[P, T any](ctx context.Context, parents []*P, ref func(*P) *string,
	read func(context.Context, []string) ([]*T, error), id func(*T) string) ([]*T, error) {
	var idList []string
	for _, p := range parents {
		if r := ref(p); r != nil {
			idList = append(idList, *r)
		}
	}
	out := make([]*T, len(parents))
	if len(idList) == 0 {
		return out, nil
	}
	rows, err := read(ctx, idList)
	if err != nil {
		return nil, err
	}
	found := make(map[string]*T, len(rows))
	for _, r := range rows {
		found[id(r)] = r
	}
	for i, p := range parents {
		if r := ref(p); r != nil {
			out[i] = found[*r]
		}
	}
	return out, nil
}

func contactID(c *models.Contact) string { return c.ID }
func listID(l *models.List) string       { return l.ID }

// lookup returns the record of kind with id, read with the operation's other lookups of the
// root field; nil when it does not exist or is not the workspace's.
func lookup[T any](ctx context.Context, field, id string, read func(context.Context, []string) ([]*T, error), key func(*T) string) (*T, error) {
	v, err := loaders.Lookup(ctx, field, id, func(ctx context.Context, idList []string) (map[string]any, error) {
		rows, err := read(ctx, idList)
		found := make(map[string]any, len(rows))
		for _, r := range rows {
			found[key(r)] = r
		}
		return found, err
	})
	t, _ := v.(*T)
	return t, err
}

// nodes reads the records of node(id:) lookups, one statement per kind of record.
func (r *queryResolver) nodes(ctx context.Context, idList []string) (map[string]any, error) {
	byKind := map[string][]string{}
	for _, id := range idList {
		byKind[ids.Kind(id)] = append(byKind[ids.Kind(id)], id)
	}
	found := make(map[string]any, len(idList))
	for kind, list := range byKind {
		var err error
		switch kind {
		case ids.Contact:
			err = collect(ctx, found, list, r.Store.ContactsByID, contactID)
		case ids.List:
			err = collect(ctx, found, list, r.Store.ListsByID, listID)
		case ids.Campaign:
			err = collect(ctx, found, list, r.Store.CampaignsByID, func(c *models.Campaign) string { return c.ID })
		case ids.Deal:
			err = collect(ctx, found, list, r.Store.DealsByID, func(d *models.Deal) string { return d.ID })
		case ids.Prospect:
			err = collect(ctx, found, list, r.Store.ProspectsByID, func(p *models.Prospect) string { return p.ID })
		case ids.LexiTask:
			// node needs only READ, and Lexi's tasks are LEXI's: without it they do not exist.
			if access.Require(ctx, models.PermissionLexi) != nil {
				continue
			}
			for _, id := range list {
				t, err := orNull(r.Lexi.Task(ctx, id))
				if err != nil {
					return nil, err
				}
				if t != nil {
					found[id] = t
				}
			}
		}
		if err != nil {
			return nil, err
		}
	}
	return found, nil
}

func collect[T any](ctx context.Context, found map[string]any, idList []string, read func(context.Context, []string) ([]*T, error), key func(*T) string) error {
	rows, err := read(ctx, idList)
	for _, r := range rows {
		found[key(r)] = r
	}
	return err
}

// pageArgs are a connection field's page arguments, cursors only if its query selects one.
func pageArgs(ctx context.Context, first *int, after *string, last *int, before *string) store.PageArgs {
	args := store.PageArgs{First: first, After: after, Last: last, Before: before}
	if fc := graphql.GetFieldContext(ctx); fc != nil && graphql.HasOperationContext(ctx) {
		args.SkipCursors = !selectsCursors(graphql.GetOperationContext(ctx), fc.Field.Selections)
	}
	return args
}

// selectsCursors reports whether a connection's selection reads a cursor: edges.cursor,
// pageInfo.startCursor or pageInfo.endCursor. Fragments on the connection, edge and
// PageInfo types are followed; the type names do not matter, field names are the same on
// every connection.
func selectsCursors(oc *graphql.OperationContext, sel ast.SelectionSet) bool {
	for _, f := range collectAny(oc, sel) {
		switch f.Name {
		case "edges":
			for _, e := range collectAny(oc, f.Selections) {
				if e.Name == "cursor" {
					return true
				}
			}
		case "pageInfo":
			for _, p := range collectAny(oc, f.Selections) {
				if p.Name == "startCursor" || p.Name == "endCursor" {
					return true
				}
			}
		}
	}
	return false
}

// collectAny collects a selection for whatever type its fragments name: a connection's
// fragments can only name the connection's own types.
func collectAny(oc *graphql.OperationContext, sel ast.SelectionSet) []graphql.CollectedField {
	var types []string
	var walk func(ast.SelectionSet)
	walk = func(s ast.SelectionSet) {
		for _, x := range s {
			switch x := x.(type) {
			case *ast.InlineFragment:
				if x.TypeCondition != "" {
					types = append(types, x.TypeCondition)
				}
				walk(x.SelectionSet)
			case *ast.FragmentSpread:
				if x.Definition != nil {
					types = append(types, x.Definition.TypeCondition)
					walk(x.Definition.SelectionSet)
				}
			}
		}
	}
	walk(sel)
	return graphql.CollectFields(oc, sel, types)
}
