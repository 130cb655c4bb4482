package cost_test

import (
	"context"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/wbk/crm/internal/cost"
)

// FuzzPrecheckAndCost: the cheap pass refuses only with a documented reason, says Parsed
// exactly when gqlparser parses the document, and names each operation's kind; a document it
// lets through that validates is priced with a documented reason or within the node limit.
func FuzzPrecheckAndCost(f *testing.F) {
	for _, s := range []string{`{ contacts(first: 100) { nodes { lists(first: 100) { nodes { id } } } } }`,
		`query A { viewer { workspace { name } } } mutation B { deleteContact(id: "x") }`,
		`{ ...F } fragment F on Query { ...F }`, `{ a { b { c { d { e { f { g { h { i { j { k { l { m { n { o { p } } } } } } } } } } } } } } }`,
		`subscription { lexiTaskUpdated { id } }`, `{ contacts(filter: {search: "\u0000"}) { totalCount } }`, `{`, `"""`} {
		f.Add(s)
	}
	es := schema()
	f.Fuzz(func(t *testing.T, doc string) {
		shape := cost.Precheck(doc)
		switch shape.Refused {
		case cost.ReasonNone, cost.ReasonTokens, cost.ReasonFields, cost.ReasonDepth:
		default:
			t.Fatalf("undocumented reason %q", shape.Refused)
		}
		if shape.Refused != cost.ReasonNone {
			return
		}
		parsed, err := parser.ParseQuery(&ast.Source{Input: doc})
		if shape.Parsed != (err == nil) {
			t.Fatalf("Parsed = %v, parser says %v", shape.Parsed, err)
		}
		if err != nil {
			return
		}
		named := map[string]int{}
		for _, op := range parsed.Operations {
			named[op.Name]++
		}
		for _, op := range parsed.Operations {
			// Two operations of one name are refused by validation, whatever their kinds.
			if named[op.Name] == 1 && shape.Operations[op.Name] != op.Operation {
				t.Fatalf("operation %q is %q, the pass says %q", op.Name, op.Operation, shape.Operations[op.Name])
			}
		}
		valid, errs := gqlparser.LoadQueryWithRules(es.Schema(), doc, nil)
		if errs != nil {
			return
		}
		for _, op := range valid.Operations {
			vars, err := validator.VariableValues(es.Schema(), op, nil)
			if err != nil {
				continue
			}
			e := cost.Of(context.Background(), es, op, vars)
			switch e.Refused {
			case cost.ReasonNone:
				if e.Nodes > cost.MaxNodes || e.Cost < 0 {
					t.Fatalf("priced %d nodes, cost %d, and not refused", e.Nodes, e.Cost)
				}
			case cost.ReasonNodes, cost.ReasonFields, cost.ReasonDepth:
			default:
				t.Fatalf("undocumented reason %q", e.Refused)
			}
		}
	})
}
