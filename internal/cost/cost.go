// Package cost prices a GraphQL operation before it runs, by the formula in docs/api.md (Cost).
//
// N, the number of nodes an operation may return: each connection field counts its page size
// (first/last, default 20, at most 100) times the page sizes of the connections above it; a
// connection's edges and nodes are that same page and add nothing, and other fields add
// nothing. A query costs max(1, ceil(N/100)); a mutation costs its number of mutation fields
// plus ceil(N/100). An operation with N over MaxNodes, or too many fields or too deep, is too
// complex to run.
//
// The per-field rules are gqlgen complexity functions (Complexity, complexity.go), built from
// Connection and Repeat; the composition root (internal/app) builds the executable schema with
// them. The walk over the operation is ours rather
// than gqlgen's complexity.Calculate: that one gives every field without a rule a cost of 1 and floors
// every rule at 1, while here a plain field costs nothing.
package cost

import (
	"context"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/models"
)

// Limits on an operation.
const (
	MaxNodes     = 50_000
	MaxCost      = MaxNodes / NodesPerUnit
	NodesPerUnit = 100
	MaxFields    = 2_000 // field selections once fragments are expanded: aliases are not free
	MaxDepth     = 15
)

// Connection is a connection field's N: its page, and its page times each node's N (child).
// The schema's complexity functions (Complexity) call it for every connection field.
func Connection(child int, first, last *int) int {
	p := models.PageSize(first, last)
	return add(p, mul(p, child))
}

// Repeat is the N of a list that is not a connection: it returns no nodes of its own, but
// everything below it (child) repeats once per item.
func Repeat(items, child int) int {
	return mul(items, child)
}

// Estimate is the price of one operation.
type Estimate struct {
	Nodes int
	Cost  int
	// Refused names the limit the operation is over, or ReasonNone.
	Refused Reason
	// DryRun is set when the operation asks rateLimit(dryRun: true).
	DryRun bool
}

// Of prices op with its variables against the executable schema es.
func Of(ctx context.Context, es graphql.ExecutableSchema, op *ast.OperationDefinition, vars map[string]any) Estimate {
	w := walker{ctx: ctx, es: es, vars: vars}
	nodes := w.selectionSet(op.SelectionSet, 1)
	e := Estimate{Nodes: nodes, Refused: w.over}
	if e.Refused == ReasonNone && nodes > MaxNodes {
		e.Refused = ReasonNodes
	}
	units := ceilDiv(nodes, NodesPerUnit)
	switch op.Operation {
	case ast.Mutation:
		e.Cost = add(countRootFields(op.SelectionSet), units)
	default:
		e.Cost = max(1, units)
	}
	e.DryRun = isDryRun(op.SelectionSet, vars)
	return e
}

type walker struct {
	ctx    context.Context
	es     graphql.ExecutableSchema
	vars   map[string]any
	fields int
	steps  int
	over   Reason
}

// maxSteps bounds the selections the walk visits, fragments and __typename included, so that
// no operation makes pricing itself expensive.
const maxSteps = 10 * MaxFields

// selectionSet is the N of one selection set. As in GraphQL's CollectFields, a named fragment
// spread again in the same selection set adds nothing: its fields are merged, not run twice.
// This also keeps fragments that spread the next one twice from expanding exponentially.
func (w *walker) selectionSet(set ast.SelectionSet, depth int) int {
	nodes, _ := w.collect(set, depth, nil)
	return nodes
}

// collect prices a selection set; seen holds the named fragments spread in it so far. It is
// made on the first spread and handed back: most selection sets spread none, and a map for
// each field would be an allocation each.
func (w *walker) collect(set ast.SelectionSet, depth int, seen map[string]bool) (int, map[string]bool) {
	nodes := 0
	for _, sel := range set {
		if w.over != ReasonNone {
			return nodes, seen
		}
		if w.steps++; w.steps > maxSteps {
			w.over = ReasonFields
			return nodes, seen
		}
		switch s := sel.(type) {
		case *ast.Field:
			if strings.HasPrefix(s.Name, "__") {
				// __typename returns no nodes; __schema and __type read the schema, which is
				// small and fixed, so introspection costs nothing beyond the minimum.
				continue
			}
			w.fields++
			if w.fields > MaxFields {
				w.over = ReasonFields
				return nodes, seen
			}
			if depth > MaxDepth {
				w.over = ReasonDepth
				return nodes, seen
			}
			child := w.selectionSet(s.SelectionSet, depth+1)
			n := child
			if s.ObjectDefinition != nil {
				if c, ok := w.es.Complexity(w.ctx, s.ObjectDefinition.Name, s.Name, child, s.ArgumentMap(w.vars)); ok {
					n = c
				}
			}
			nodes = add(nodes, n)
		case *ast.FragmentSpread:
			if s.Definition != nil && !seen[s.Name] {
				if seen == nil {
					seen = map[string]bool{}
				}
				seen[s.Name] = true
				var n int
				n, seen = w.collect(s.Definition.SelectionSet, depth, seen)
				nodes = add(nodes, n)
			}
		case *ast.InlineFragment:
			var n int
			n, seen = w.collect(s.SelectionSet, depth, seen)
			nodes = add(nodes, n)
		}
	}
	return nodes, seen
}

// countRootFields counts the fields a mutation runs: each alias is a call of its own.
func countRootFields(set ast.SelectionSet) int {
	n := 0
	for _, f := range RootFields(set) {
		if !strings.HasPrefix(f.Name, "__") {
			n++
		}
	}
	return n
}

// isDryRun reports whether a root rateLimit field asks for a dry run.
func isDryRun(set ast.SelectionSet, vars map[string]any) bool {
	for _, f := range RootFields(set) {
		if f.Name == "rateLimit" {
			if v, _ := f.ArgumentMap(vars)["dryRun"].(bool); v {
				return true
			}
		}
	}
	return false
}

// RootFields lists an operation's root field selections, fragments expanded. A named fragment
// spread more than once is expanded once, as GraphQL's CollectFields does: otherwise fragments
// that each spread the next one twice would expand exponentially.
func RootFields(set ast.SelectionSet) []*ast.Field {
	var out []*ast.Field
	var seen map[string]bool // made on the first spread: most operations have none
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				out = append(out, s)
			case *ast.FragmentSpread:
				if s.Definition != nil && !seen[s.Name] {
					if seen == nil {
						seen = map[string]bool{}
					}
					seen[s.Name] = true
					walk(s.Definition.SelectionSet)
				}
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			}
		}
	}
	walk(set)
	return out
}

func ceilDiv(a, b int) int {
	if a%b == 0 {
		return a / b
	}
	return a/b + 1
}

// add and mul saturate instead of overflowing, so that no operation can wrap its price to a
// small number.
func add(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

func mul(a, b int) int {
	if a == 0 || b == 0 {
		return 0
	}
	if a > math.MaxInt/b {
		return math.MaxInt
	}
	return a * b
}
