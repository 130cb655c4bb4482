package httpapi

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/textcheck"
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

func (textGate) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	if oc.Operation == nil {
		return nil
	}
	w := textWalker{vars: oc.Variables, marked: markedText(ctx)}
	w.selections(oc.Operation.SelectionSet)
	if w.bad == "" {
		if len(w.marked) > 0 {
			// Outside any argument (a comment, a variable's default, an unused fragment):
			// refused all the same, since the decoder could not keep it as sent.
			err := &apperr.Error{Code: apperr.EINVALID, Message: "the document must be valid UTF-8 text without NUL characters"}
			return &gqlerror.Error{Message: err.Message, Err: err}
		}
		return nil
	}
	err := apperr.Invalid(w.bad, "%s must be valid UTF-8 text without NUL characters", lastPathSegment(w.bad))
	return &gqlerror.Error{Message: err.Message, Err: err}
}

// markedKey keeps, in a request's context, where the document held something that is not
// text (textcheck.MarkDocument): positions the decoder replaced or the lexer would repair.
type markedKey struct{}

// withMarkedDocument marks what is not text in the request's document (see textcheck) and
// keeps the positions for the text gate; the common document, all text, costs one scan.
func withMarkedDocument(ctx context.Context, p *graphql.RawParams) context.Context {
	var marked []int
	p.Query, marked = textcheck.MarkDocument(p.Query)
	if marked == nil {
		return ctx
	}
	return context.WithValue(ctx, markedKey{}, marked)
}

func markedText(ctx context.Context) []int {
	m, _ := ctx.Value(markedKey{}).([]int)
	return m
}

type textWalker struct {
	vars   map[string]any
	marked []int           // positions of the document that held no text (character offsets)
	seen   map[string]bool // fragments already walked: each is checked once
	bad    string          // the first argument path with bad text
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
		if !goodText(v.Raw) || w.covers(v.Position) {
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

// covers reports whether a literal at pos holds one of the marked positions.
func (w *textWalker) covers(pos *ast.Position) bool {
	if pos == nil {
		return false
	}
	for _, at := range w.marked {
		if at >= pos.Start && at < pos.End {
			return true
		}
	}
	return false
}

func goodText(s string) bool { return textcheck.Valid(s) }

func lastPathSegment(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}
