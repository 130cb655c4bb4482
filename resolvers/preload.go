package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/internal/loaders"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// Preloading: a page of contacts reads the nested connections its query selects (Contact.lists,
// Contact.deals) right away, one statement per nested field, before gqlgen walks the page. The
// nested resolvers then find their page in the request's loaders without a dataloader round.
// Whatever is not preloaded (a contact reached another way) still goes through the dataloaders.

// nestedPage is one selected nested connection field: its arguments as the resolver will see
// them, so that the preloaded page and the resolver's lookup share a key.
type nestedPage struct {
	name string
	args store.PageArgs
}

// nestedUnder lists the fields of objType selected on the nodes of the connection selected
// by sel (under nodes and under edges.node), with their page arguments. A field whose
// arguments do not decode is left out: its resolver reports the error with its path.
func nestedUnder(oc *graphql.OperationContext, sel ast.SelectionSet, connType, edgeType, objType string) []nestedPage {
	var objects []ast.SelectionSet
	for _, f := range graphql.CollectFields(oc, sel, []string{connType}) {
		switch f.Name {
		case "nodes":
			objects = append(objects, f.Selections)
		case "edges":
			for _, e := range graphql.CollectFields(oc, f.Selections, []string{edgeType}) {
				if e.Name == "node" {
					objects = append(objects, e.Selections)
				}
			}
		}
	}
	var out []nestedPage
	for _, set := range objects {
		for _, f := range graphql.CollectFields(oc, set, []string{objType}) {
			if len(f.Selections) == 0 {
				continue
			}
			args, ok := nestedArgs(oc, f)
			if ok {
				out = append(out, nestedPage{name: f.Name, args: args})
			}
		}
	}
	return out
}

// nestedArgs reads a nested connection field's first/after as gqlgen will pass them, and
// whether its query selects any cursor.
func nestedArgs(oc *graphql.OperationContext, f graphql.CollectedField) (store.PageArgs, bool) {
	var args store.PageArgs
	for name, v := range f.ArgumentMap(oc.Variables) {
		if v == nil {
			continue
		}
		switch name {
		case "first":
			n, err := graphql.UnmarshalInt(v)
			if err != nil {
				return args, false
			}
			args.First = &n
		case "after":
			s, err := graphql.UnmarshalString(v)
			if err != nil {
				return args, false
			}
			args.After = &s
		default:
			return args, false
		}
	}
	args.SkipCursors = !selectsCursors(oc, f.Selections)
	return args, true
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

// nestedPageArgs are the page arguments of the nested connection field being resolved: the
// same as the preloader computed for it, cursors included.
func nestedPageArgs(ctx context.Context, first *int, after *string) store.PageArgs {
	return rootPageArgs(ctx, first, after, nil, nil)
}

// rootPageArgs are a root connection's page arguments, cursors only if the query selects one.
func rootPageArgs(ctx context.Context, first *int, after *string, last *int, before *string) store.PageArgs {
	args := page(first, after, last, before)
	if fc := graphql.GetFieldContext(ctx); fc != nil && graphql.HasOperationContext(ctx) {
		args.SkipCursors = !selectsCursors(graphql.GetOperationContext(ctx), fc.Field.Selections)
	}
	return args
}

// preloadContactChildren reads the nested connections selected under a page of contacts. A
// failed read is not reported here: what it did not preload goes through the dataloaders, which
// report the error on each nested field with its path, as without preloading.
func preloadContactChildren(ctx context.Context, contacts []*models.Contact) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || len(contacts) == 0 || !graphql.HasOperationContext(ctx) {
		return
	}
	ids := make([]string, len(contacts))
	for i, c := range contacts {
		ids[i] = c.ID
	}
	ld := loaders.For(ctx)
	seen := map[nestedPage]bool{}
	for _, n := range nestedUnder(graphql.GetOperationContext(ctx), fc.Field.Selections, "ContactConnection", "ContactEdge", "Contact") {
		if seen[n] {
			continue // the same page under two aliases
		}
		seen[n] = true
		var err error
		switch n.name {
		case "lists":
			err = ld.PreloadListsOfContacts(ctx, ids, n.args)
		case "deals":
			err = ld.PreloadDealsOfContacts(ctx, ids, n.args)
		}
		if err != nil {
			return
		}
	}
}
