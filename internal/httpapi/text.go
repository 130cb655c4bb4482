package httpapi

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wbk/crm/internal/apperr"
)

// textGate refuses an operation any of whose text arguments (cursors and ids included)
// holds a NUL byte or invalid UTF-8, before anything runs: PostgreSQL cannot store or even
// compare such text (SQLSTATE 22021), and SQLite would keep it. Every argument of every
// field is checked once per operation, whether written in the document or passed as a
// variable, so no resolver or store method can forget it; the error names the argument
// ("filter.search", "after"). The store still classifies 22021 as BAD_USER_INPUT for paths
// that do not come through GraphQL.
type textGate struct{}

func (textGate) ExtensionName() string                   { return "TextArguments" }
func (textGate) Validate(graphql.ExecutableSchema) error { return nil }

func (textGate) MutateOperationContext(_ context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := textWalker{vars: oc.Variables}
	w.selections(oc.Operation.SelectionSet)
	if w.bad == "" {
		return nil
	}
	err := apperr.Invalid(w.bad, "%s must be valid UTF-8 text without NUL characters", lastPathSegment(w.bad))
	return &gqlerror.Error{Message: err.Message, Err: err}
}

type textWalker struct {
	vars map[string]any
	seen map[string]bool // fragments already walked: each is checked once
	bad  string          // the first argument path with bad text
}

func (w *textWalker) selections(set ast.SelectionSet) {
	for _, sel := range set {
		if w.bad != "" {
			return
		}
		switch s := sel.(type) {
		case *ast.Field:
			for _, arg := range s.Arguments {
				w.value(arg.Name, arg.Value)
			}
			w.selections(s.SelectionSet)
		case *ast.InlineFragment:
			w.selections(s.SelectionSet)
		case *ast.FragmentSpread:
			if s.Definition != nil && !w.seen[s.Name] {
				if w.seen == nil { // most operations have no fragments
					w.seen = map[string]bool{}
				}
				w.seen[s.Name] = true
				w.selections(s.Definition.SelectionSet)
			}
		}
	}
}

func (w *textWalker) value(path string, v *ast.Value) {
	if v == nil || w.bad != "" {
		return
	}
	switch v.Kind {
	case ast.Variable:
		w.any(path, w.vars[v.Raw])
	case ast.StringValue, ast.BlockValue:
		if !goodText(v.Raw) {
			w.bad = path
		}
	case ast.ListValue:
		for _, c := range v.Children {
			w.value(path, c.Value)
		}
	case ast.ObjectValue:
		for _, c := range v.Children {
			w.value(path+"."+c.Name, c.Value)
		}
	}
}

// any checks a variable's JSON value; list items keep their list's path.
func (w *textWalker) any(path string, v any) {
	if w.bad != "" {
		return
	}
	switch x := v.(type) {
	case string:
		if !goodText(x) {
			w.bad = path
		}
	case []any:
		for _, item := range x {
			w.any(path, item)
		}
	case map[string]any:
		for k, item := range x {
			if !goodText(k) {
				w.bad = path
				return
			}
			w.any(path+"."+k, item)
		}
	}
}

func goodText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

func lastPathSegment(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}
