package cost

import (
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/lexer"
	"github.com/vektah/gqlparser/v2/parser"
)

// Reason names the limit an operation is over. Callers compare against these constants,
// never against text; the value is what clients see in extensions.reason.
type Reason string

const (
	ReasonNone   Reason = ""
	ReasonTokens Reason = "TOKENS" // the document has more than MaxTokens tokens
	ReasonFields Reason = "FIELDS" // more than MaxFields field selections, fragments expanded
	ReasonDepth  Reason = "DEPTH"  // selections nested deeper than MaxDepth
	ReasonNodes  Reason = "NODES"  // the operation may return more than MaxNodes nodes
)

// MaxTokens bounds one GraphQL document. Validation is quadratic in repeated fields, so the
// document's size has to be bounded before validation, not only its price after it.
const MaxTokens = 15_000

// Shape is what the cheap pass learned about a document: the kind of each named operation
// (for transports that must refuse some kinds) and, when it is too big, why.
type Shape struct {
	Refused Reason
	// Operations maps each operation's name ("" for an anonymous one) to its kind.
	Operations map[string]ast.Operation
	// Parsed is false when the document does not parse: gqlgen reports the syntax error itself.
	Parsed bool
}

// Operation is the kind of the operation a request names, or "" when it is unknown.
func (s Shape) Operation(name string) ast.Operation {
	if name == "" && len(s.Operations) == 1 {
		for _, op := range s.Operations {
			return op
		}
	}
	return s.Operations[name]
}

// Precheck refuses oversized documents before validation, in time linear in the document:
// tokens are counted by the lexer, then every operation's selections are walked with
// fragments expanded (each named fragment once per selection set, as GraphQL merges repeated
// spreads) counting every field, __typename included, and the depth. The walk stops at the
// first limit passed, so it never does more than MaxFields steps of work per operation.
func Precheck(query string) Shape {
	src := &ast.Source{Input: query}
	if r := scanTokens(src); r != ReasonNone {
		return Shape{Refused: r}
	}
	doc, err := parser.ParseQuery(src)
	if err != nil {
		return Shape{}
	}
	shape := Shape{Parsed: true, Operations: make(map[string]ast.Operation, len(doc.Operations))}
	fragments := make(map[string]*ast.FragmentDefinition, len(doc.Fragments))
	for _, f := range doc.Fragments {
		fragments[f.Name] = f
	}
	for _, op := range doc.Operations {
		shape.Operations[op.Name] = op.Operation
		c := shapeCounter{fragments: fragments}
		c.walk(op.SelectionSet, 1, map[string]bool{}, map[string]bool{})
		if c.over != ReasonNone {
			shape.Refused = c.over
			return shape
		}
	}
	return shape
}

// scanTokens counts the document's tokens and, without building a syntax tree, lower bounds
// of its field count and depth: every name in a selection set that is not an alias, a
// directive, a fragment name or a type condition is at least one field once fragments are
// expanded (an unused fragment is invalid anyway), and nested braces outside arguments are at
// least that deep. Refusing on these bounds keeps the worst documents from being parsed at
// all: parsing 15,000 fields costs ten times more than lexing them.
func scanTokens(src *ast.Source) Reason {
	lx := lexer.New(src)
	var (
		tokens, fields, braces, parens, maxBraces int
		prev                                      lexer.Type
		skipNames                                 int // names after "..." or "@" that are not fields
	)
	for {
		tok, err := lx.ReadToken()
		if err != nil {
			return ReasonNone // a lexing error: the parser reports it
		}
		switch tok.Kind {
		case lexer.EOF:
			switch {
			case fields > MaxFields:
				return ReasonFields
			case maxBraces > MaxDepth: // the fields inside the nth braces are at depth n or deeper
				return ReasonDepth
			}
			return ReasonNone
		case lexer.Comment:
			continue
		}
		if tokens++; tokens > MaxTokens {
			return ReasonTokens
		}
		switch tok.Kind {
		case lexer.ParenL:
			parens++
		case lexer.ParenR:
			parens--
		case lexer.BraceL:
			if parens == 0 {
				braces++
				maxBraces = max(maxBraces, braces)
			}
			skipNames = 0
		case lexer.BraceR:
			if parens == 0 {
				braces--
			}
		case lexer.Spread:
			skipNames = 1 // a fragment's name, or "on" and a type
		case lexer.At:
			skipNames = 1
		case lexer.Colon:
			if parens == 0 && braces > 0 && prev == lexer.Name {
				fields-- // that name was an alias; the field's name follows
			}
		case lexer.Name:
			switch {
			case parens > 0 || braces == 0:
			case skipNames > 0:
				skipNames--
				if tok.Value == "on" && prev == lexer.Spread {
					skipNames = 1
				}
			default:
				fields++
			}
		default:
			skipNames = 0
		}
		prev = tok.Kind
	}
}

type shapeCounter struct {
	fragments map[string]*ast.FragmentDefinition
	fields    int
	steps     int
	over      Reason
}

// walk counts set's fields as the pricing walk does (root fields at depth 1). seen holds the
// fragments already merged into this selection set; active holds those being expanded on the
// path from the root, so that a fragment cycle (invalid, reported by validation) cannot make
// the walk run forever. Steps (fragments and inline fragments included) are bounded too.
func (c *shapeCounter) walk(set ast.SelectionSet, depth int, seen, active map[string]bool) {
	for _, sel := range set {
		if c.over != ReasonNone {
			return
		}
		if c.steps++; c.steps > maxSteps {
			c.over = ReasonFields
			return
		}
		switch s := sel.(type) {
		case *ast.Field:
			if c.fields++; c.fields > MaxFields {
				c.over = ReasonFields
				return
			}
			if depth > MaxDepth {
				c.over = ReasonDepth
				return
			}
			if len(s.SelectionSet) > 0 {
				c.walk(s.SelectionSet, depth+1, map[string]bool{}, active)
			}
		case *ast.FragmentSpread:
			def := c.fragments[s.Name]
			if def == nil || seen[s.Name] || active[s.Name] {
				continue // an unknown fragment or a cycle is reported by validation
			}
			seen[s.Name] = true
			active[s.Name] = true
			c.walk(def.SelectionSet, depth, seen, active)
			delete(active, s.Name)
		case *ast.InlineFragment:
			c.walk(s.SelectionSet, depth, seen, active)
		}
	}
}
