package cost_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"

	"github.com/wbk/crm/graph"
	"github.com/wbk/crm/internal/cost"
)

// schema is the generated schema with the real complexity functions, as the server builds it
// (no resolvers or directives are called: pricing never runs anything).
func schema() graphql.ExecutableSchema {
	return graph.NewExecutableSchema(graph.Config{Complexity: cost.Complexity()})
}

// price parses and validates query against the schema, coerces vars as the HTTP transport
// does, and prices the (single) operation.
func price(t *testing.T, es graphql.ExecutableSchema, query string, vars map[string]any) cost.Estimate {
	t.Helper()
	doc, errs := gqlparser.LoadQueryWithRules(es.Schema(), query, nil)
	if len(errs) > 0 {
		t.Fatalf("query does not validate: %v\n%s", errs, query)
	}
	if len(doc.Operations) != 1 {
		t.Fatalf("want one operation, got %d", len(doc.Operations))
	}
	op := doc.Operations[0]
	coerced, err := validator.VariableValues(es.Schema(), op, vars)
	if err != nil {
		t.Fatalf("variables: %v", err)
	}
	return cost.Of(context.Background(), es, op, coerced)
}

// jsonVars decodes variables the way gqlgen's transports do (numbers stay json.Number).
func jsonVars(t *testing.T, s string) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v map[string]any
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOperationCosts(t *testing.T) {
	es := schema()
	cases := []struct {
		name  string
		query string
		vars  string
		nodes int
		cost  int
	}{
		{
			name:  "documented example",
			query: `{ contacts(first: 100) { nodes { lists(first: 10) { nodes { id } } } } }`,
			nodes: 1100, cost: 11,
		},
		{
			name:  "default page is 20",
			query: `{ contacts { nodes { id } } }`,
			nodes: 20, cost: 1,
		},
		{
			name:  "default page nested",
			query: `{ contacts { nodes { lists { nodes { id } } } } }`,
			nodes: 20 + 20*20, cost: 5,
		},
		{
			name:  "first over 100 is capped at 100",
			query: `{ contacts(first: 5000) { nodes { lists(first: 1000) { nodes { id } } } } }`,
			nodes: 100 + 100*100, cost: 101,
		},
		{
			name:  "first 0 returns nothing",
			query: `{ contacts(first: 0) { nodes { lists(first: 100) { nodes { id } } } } }`,
			nodes: 0, cost: 1,
		},
		{
			name:  "last",
			query: `{ deals(last: 70) { nodes { id } } }`,
			nodes: 70, cost: 1,
		},
		{
			name:  "last over 100 is capped",
			query: `{ contacts(last: 500) { nodes { deals(first: 3) { nodes { id } } } } }`,
			nodes: 100 + 100*3, cost: 4,
		},
		{
			name:  "exactly 100 nodes is one unit",
			query: `{ prospects(first: 100) { nodes { id } } }`,
			nodes: 100, cost: 1,
		},
		{
			name:  "101 nodes is two units",
			query: `{ prospects(first: 100) { nodes { id } } campaigns(first: 1) { nodes { id } } }`,
			nodes: 101, cost: 2,
		},
		{
			name:  "edges and nodes of one connection count once",
			query: `{ contacts(first: 50) { edges { cursor node { id } } nodes { id email } pageInfo { hasNextPage } totalCount } }`,
			nodes: 50, cost: 1,
		},
		{
			name: "edges and nodes with a nested connection under only one of them",
			query: `{ contacts(first: 100) {
				edges { node { id } }
				nodes { lists(first: 10) { edges { node { id } } nodes { name } totalCount } }
			} }`,
			nodes: 100 + 100*10, cost: 11,
		},
		{
			// Each nested connection selected twice is fetched twice: it counts twice.
			name: "a nested connection under both edges and nodes counts for each selection",
			query: `{ contacts(first: 100) {
				edges { node { lists(first: 10) { nodes { id } } } }
				nodes { lists(first: 10) { nodes { id } } }
			} }`,
			nodes: 100 + 100*(10+10), cost: 21,
		},
		{
			name: "named fragment",
			query: `query { contacts(first: 100) { ...C } }
				fragment C on ContactConnection { nodes { lists(first: 10) { nodes { id } } } }`,
			nodes: 1100, cost: 11,
		},
		{
			name:  "inline fragment",
			query: `{ contacts(first: 100) { nodes { ... on Contact { lists(first: 10) { nodes { id } } } } } }`,
			nodes: 1100, cost: 11,
		},
		{
			name:  "inline fragment on an interface",
			query: `{ node(id: "x") { id ... on Contact { lists(first: 30) { nodes { id } } deals { nodes { id } } } ... on List { contacts(first: 40) { nodes { id } } } } }`,
			nodes: 30 + 20 + 40, cost: 1,
		},
		{
			name: "fragment used twice counts twice",
			query: `{
				a: contacts(first: 10) { nodes { ...L } }
				b: contacts(first: 10) { nodes { ...L } }
			}
			fragment L on Contact { lists(first: 10) { nodes { id } } }`,
			nodes: 2 * (10 + 10*10), cost: 3,
		},
		{
			// GraphQL merges a fragment spread twice into one selection set (CollectFields
			// skips a fragment it has visited): it runs once and counts once.
			name:  "fragment spread twice in one selection set counts once",
			query: `{ ...Q ...Q } fragment Q on Query { contacts(first: 100) { nodes { id } } }`,
			nodes: 100, cost: 1,
		},
		{
			name: "fragment spread twice at one level through an inline fragment counts once",
			query: `{ contacts(first: 10) { nodes { ...L ... on Contact { ...L } } } }
				fragment L on Contact { lists(first: 10) { nodes { id } } }`,
			nodes: 10 + 10*10, cost: 2,
		},
		{
			name: "inline fragments are not merged",
			query: `{ contacts(first: 10) { nodes { ... on Contact { lists(first: 10) { nodes { id } } }
				... on Contact { deals(first: 10) { nodes { id } } } } } }`,
			nodes: 10 + 10*20, cost: 3,
		},
		{
			name:  "aliases: two aliased connections both count",
			query: `{ a: contacts(first: 100) { nodes { id } } b: contacts(first: 100) { nodes { id } } }`,
			nodes: 200, cost: 2,
		},
		{
			name:  "nested aliases",
			query: `{ contacts(first: 10) { nodes { a: lists(first: 10) { nodes { id } } b: deals(first: 5) { nodes { id } } } } }`,
			nodes: 10 + 10*(10+5), cost: 2,
		},
		{
			name: "nested three levels",
			query: `{ contacts(first: 10) { nodes { lists(first: 10) { nodes {
				contacts(first: 10) { nodes { id } } } } } } }`,
			nodes: 10 + 10*(10+10*10), cost: 12,
		},
		{
			name: "nested three levels at the cap",
			query: `{ lists(first: 100) { nodes { contacts(first: 100) { nodes {
				deals(first: 3) { nodes { id } } } } } } }`,
			nodes: 100 + 100*(100+100*3), cost: 401,
		},
		{
			name:  "variables for first",
			query: `query($n: Int, $m: Int) { contacts(first: $n) { nodes { lists(first: $m) { nodes { id } } } } }`,
			vars:  `{"n": 30, "m": 7}`,
			nodes: 30 + 30*7, cost: 3,
		},
		{
			name:  "variables over the cap",
			query: `query($n: Int) { contacts(first: $n) { nodes { id } } }`,
			vars:  `{"n": 100000}`,
			nodes: 100, cost: 1,
		},
		{
			name:  "variable left out: default page",
			query: `query($n: Int) { contacts(first: $n) { nodes { id } } }`,
			nodes: 20, cost: 1,
		},
		{
			name:  "variable with a default",
			query: `query($n: Int = 60) { contacts(first: $n) { nodes { lists(first: 10) { nodes { id } } } } }`,
			nodes: 60 + 600, cost: 7,
		},
		{
			name:  "single objects add nothing",
			query: `{ contact(id: "x") { id lists(first: 50) { nodes { id } } } deal(id: "y") { contact { id } } }`,
			nodes: 50, cost: 1,
		},
		{
			name:  "viewer only",
			query: `{ viewer { workspace { id name plan } apiKey { id prefix permissions } } }`,
			nodes: 0, cost: 1,
		},
		{
			name:  "viewer usage over days",
			query: `{ viewer { apiKey { usage(days: 30) { date calls operations { operation } } } } }`,
			nodes: 0, cost: 1,
		},
		{
			name:  "rateLimit only",
			query: `{ rateLimit { cost remaining minute { remaining } } }`,
			nodes: 0, cost: 1,
		},
		{
			name:  "introspection only",
			query: `{ __schema { types { name fields { name type { name } } } } }`,
			nodes: 0, cost: 1,
		},
		{
			name:  "__type and __typename",
			query: `{ __typename __type(name: "Contact") { name fields { name } } }`,
			nodes: 0, cost: 1,
		},
		{
			name:  "introspection beside a connection",
			query: `{ __schema { types { name } } contacts(first: 100) { nodes { __typename id } } }`,
			nodes: 100, cost: 1,
		},
		{
			name:  "mutation: createContact",
			query: `mutation { createContact(input: {email: "a@example.com"}) { id email } }`,
			nodes: 0, cost: 1,
		},
		{
			name: "mutation: two aliased createContact",
			query: `mutation {
				a: createContact(input: {email: "a@example.com"}) { id }
				b: createContact(input: {email: "b@example.com"}) { id }
			}`,
			nodes: 0, cost: 2,
		},
		{
			name: "mutation: fields through a fragment, __typename not counted",
			query: `mutation { __typename ...M deleteDeal(id: "d") ... on Mutation { deleteList(id: "l") } }
				fragment M on Mutation { createList(input: {name: "x"}) { id } deleteContact(id: "c") }`,
			nodes: 0, cost: 4,
		},
		{
			name: "mutation: a fragment spread twice runs once",
			query: `mutation { ...M ...M }
				fragment M on Mutation { createList(input: {name: "x"}) { id } }`,
			nodes: 0, cost: 1,
		},
		{
			name:  "mutation: importProspects of three with a nested page of 5",
			query: `mutation { importProspects(prospectIds: ["a", "b", "c"]) { lists(first: 5) { nodes { id } } } }`,
			nodes: 3 * 5, cost: 1 + 1,
		},
		{
			name:  "mutation: importProspects ids from a variable",
			query: `mutation($ids: [ID!]!) { importProspects(prospectIds: $ids) { lists(first: 100) { nodes { id } } } }`,
			vars:  `{"ids": ["a", "b", "c", "d"]}`,
			nodes: 4 * 100, cost: 1 + 4,
		},
		{
			name:  "mutation: connection of the returned object",
			query: `mutation { addContactsToList(listId: "l", contactIds: ["c"]) { contacts(first: 100) { nodes { deals(first: 2) { nodes { id } } } } } }`,
			nodes: 100 + 100*2, cost: 1 + 3,
		},
		{
			name:  "mutation: nothing nested costs its fields only",
			query: `mutation { importProspects(prospectIds: ["a", "b"]) { id email } }`,
			nodes: 0, cost: 1,
		},
		{
			name: "exactly 50,000 nodes is allowed",
			query: `{ contacts(first: 100) { nodes {
				a: lists(first: 100) { nodes { id } } b: lists(first: 100) { nodes { id } }
				c: lists(first: 100) { nodes { id } } d: lists(first: 100) { nodes { id } }
				e: lists(first: 99) { nodes { id } }
			} } }`,
			nodes: 50_000, cost: 500,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var vars map[string]any
			if c.vars != "" {
				vars = jsonVars(t, c.vars)
			}
			e := price(t, es, c.query, vars)
			if e.Nodes != c.nodes || e.Cost != c.cost || e.Refused != "" {
				t.Errorf("got N=%d cost=%d tooComplex=%q, want N=%d cost=%d", e.Nodes, e.Cost, e.Refused, c.nodes, c.cost)
			}
			if e.DryRun {
				t.Errorf("DryRun set on an operation that does not ask for it")
			}
		})
	}
}

// nest builds contacts → lists → contacts → … connections of page 1, levels deep: each
// connection adds two levels (the connection and its nodes), then id one more.
func nest(levels int) string {
	var b strings.Builder
	b.WriteString("{ ")
	for i := range levels {
		if i%2 == 0 {
			b.WriteString("contacts(first: 1) { nodes { ")
		} else {
			b.WriteString("lists(first: 1) { nodes { ")
		}
	}
	b.WriteString("id")
	for range levels {
		b.WriteString(" } }")
	}
	b.WriteString(" }")
	return b.String()
}

func TestTooComplex(t *testing.T) {
	es := schema()
	aliases := func(n int) string {
		var b strings.Builder
		b.WriteString("{ ")
		for i := range n {
			fmt.Fprintf(&b, "a%d: viewer { __typename } ", i)
		}
		b.WriteString("}")
		return b.String()
	}
	cases := []struct {
		name, query string
		limit       cost.Reason
	}{
		{
			name: "over 50,000 nodes",
			query: `{ contacts(first: 100) { nodes {
				a: lists(first: 100) { nodes { id } } b: lists(first: 100) { nodes { id } }
				c: lists(first: 100) { nodes { id } } d: lists(first: 100) { nodes { id } }
				e: lists(first: 100) { nodes { id } }
			} } }`,
			limit: cost.ReasonNodes,
		},
		{
			name:  "over 50,000 nodes three deep",
			query: `{ contacts(first: 100) { nodes { lists(first: 100) { nodes { contacts(first: 10) { nodes { id } } } } } } }`,
			limit: cost.ReasonNodes,
		},
		{name: "more than 1000 fields via aliases", query: aliases(cost.MaxFields + 1), limit: cost.ReasonFields},
		{name: "deeper than 15", query: nest(8), limit: cost.ReasonDepth},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := price(t, es, c.query, nil)
			if e.Refused != c.limit {
				t.Fatalf("TooComplex = %q (N=%d cost=%d), want %q", e.Refused, e.Nodes, e.Cost, c.limit)
			}
			if c.limit == cost.ReasonNodes && (e.Nodes <= cost.MaxNodes || e.Cost <= cost.MaxCost) {
				t.Errorf("N=%d cost=%d, want them over %d and %d", e.Nodes, e.Cost, cost.MaxNodes, cost.MaxCost)
			}
		})
	}

	// Just under the field and depth limits passes.
	if e := price(t, es, aliases(cost.MaxFields), nil); e.Refused != "" || e.Cost != 1 {
		t.Errorf("%d fields: TooComplex=%q cost=%d, want allowed at cost 1", cost.MaxFields, e.Refused, e.Cost)
	}
	// nest(7): the seventh connection's nodes at depth 14, id at 15.
	if e := price(t, es, nest(7), nil); e.Refused != "" || e.Nodes != 7 {
		t.Errorf("depth 15: TooComplex=%q N=%d, want allowed with N=7", e.Refused, e.Nodes)
	}
	if cost.MaxCost != 500 {
		t.Errorf("MaxCost = %d, want 500", cost.MaxCost)
	}
}

// TestFragmentExplosionIsBounded: fragments that each spread the next one twice would expand
// to 2^60 selections. Pricing (and listing the root fields, which the server does for every
// request) finishes at once: a fragment is collected once per selection set, as GraphQL
// merges it, and nesting is bounded by MaxFields and MaxDepth.
func TestFragmentExplosionIsBounded(t *testing.T) {
	es := schema()
	const levels = 60
	bomb := func(typ, first, last, leaf string) string {
		var b strings.Builder
		b.WriteString(first + "\n")
		for i := range levels {
			fmt.Fprintf(&b, "fragment F%d on %s { %s ...F%d ...F%d }\n", i, typ, strings.ReplaceAll(last, "%d", fmt.Sprint(i)), i+1, i+1)
		}
		fmt.Fprintf(&b, "fragment F%d on %s { %s }\n", levels, typ, leaf)
		return b.String()
	}
	t.Run("at the root", func(t *testing.T) {
		q := bomb("Query", "{ ...F0 }", "a%d: viewer { workspace { id } }", "contacts(first: 100) { nodes { id } }")
		doc, errs := gqlparser.LoadQueryWithRules(es.Schema(), q, nil)
		if len(errs) > 0 {
			t.Fatalf("query does not validate: %v", errs)
		}
		e := cost.Of(context.Background(), es, doc.Operations[0], nil)
		if e.Refused != "" || e.Nodes != 100 || e.Cost != 1 {
			t.Errorf("got %+v, want N=100 cost 1", e)
		}
		if n := len(cost.RootFields(doc.Operations[0].SelectionSet)); n != levels+1 {
			t.Errorf("RootFields has %d fields, want %d", n, levels+1)
		}
	})
	t.Run("of __typename only", func(t *testing.T) {
		q := bomb("Workspace", "{ viewer { workspace { ...F0 } } }", "__typename", "__typename")
		doc, errs := gqlparser.LoadQueryWithRules(es.Schema(), q, nil)
		if len(errs) > 0 {
			t.Fatalf("query does not validate: %v", errs)
		}
		if e := cost.Of(context.Background(), es, doc.Operations[0], nil); e.Refused != "" || e.Cost != 1 {
			t.Errorf("got %+v, want cost 1", e)
		}
	})
	t.Run("through nested connections", func(t *testing.T) {
		// Each fragment nests 30 aliased connections holding the next one: 30^3 copies.
		var b strings.Builder
		b.WriteString("{ contacts(first: 1) { nodes { ...C0 } } }\n")
		for i := range 3 {
			fmt.Fprintf(&b, "fragment C%d on Contact { ", i)
			for j := range 30 {
				fmt.Fprintf(&b, "a%d: lists(first: 1) { nodes { contacts(first: 1) { nodes { ...C%d } } } } ", j, i+1)
			}
			b.WriteString("}\n")
		}
		b.WriteString("fragment C3 on Contact { id }\n")
		e := price(t, es, b.String(), nil)
		if e.Refused != cost.ReasonFields {
			t.Errorf("got %+v, want too complex by fields", e)
		}
	})
	t.Run("many __typename", func(t *testing.T) {
		// Selections that are not fields still count towards a bound on the walk. (Parsed
		// but not validated: gqlparser's overlapping-fields rule is quadratic in them.)
		q := "{ viewer { workspace { " + strings.Repeat("__typename ", 20_000) + "} } }"
		doc, err := parser.ParseQuery(&ast.Source{Input: q})
		if err != nil {
			t.Fatal(err)
		}
		if e := cost.Of(context.Background(), es, doc.Operations[0], nil); e.Refused != cost.ReasonFields {
			t.Errorf("got %+v, want too complex by fields", e)
		}
	})
}

func TestDryRunDetection(t *testing.T) {
	es := schema()
	cases := []struct {
		name, query, vars string
		dry               bool
	}{
		{"dryRun true", `{ rateLimit(dryRun: true) { cost } contacts(first: 100) { nodes { id } } }`, "", true},
		{"dryRun false", `{ rateLimit(dryRun: false) { cost } contacts { nodes { id } } }`, "", false},
		{"dryRun by default false", `{ rateLimit { cost } }`, "", false},
		{"no rateLimit", `{ contacts { nodes { id } } }`, "", false},
		{"aliased", `{ price: rateLimit(dryRun: true) { cost } }`, "", true},
		{"through a variable", `query($d: Boolean) { rateLimit(dryRun: $d) { cost } }`, `{"d": true}`, true},
		{"variable false", `query($d: Boolean) { rateLimit(dryRun: $d) { cost } }`, `{"d": false}`, false},
		{"variable default", `query($d: Boolean = true) { rateLimit(dryRun: $d) { cost } }`, "", true},
		{"through a fragment", `{ ...R } fragment R on Query { rateLimit(dryRun: true) { cost } }`, "", true},
		{"through an inline fragment", `{ ... on Query { rateLimit(dryRun: true) { cost } } }`, "", true},
		{"one of two rateLimit fields", `{ a: rateLimit { cost } b: rateLimit(dryRun: true) { cost } }`, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var vars map[string]any
			if c.vars != "" {
				vars = jsonVars(t, c.vars)
			}
			if got := price(t, es, c.query, vars).DryRun; got != c.dry {
				t.Errorf("DryRun = %v, want %v", got, c.dry)
			}
		})
	}
	// The dry run is priced like the operation itself.
	e := price(t, es, `{ rateLimit(dryRun: true) { cost } contacts(first: 100) { nodes { lists(first: 10) { nodes { id } } } } }`, nil)
	if e.Cost != 11 || e.Nodes != 1100 {
		t.Errorf("dry run priced N=%d cost=%d, want 1100 and 11", e.Nodes, e.Cost)
	}
}

// TestSaturatingArithmetic: a price too large for an int saturates at math.MaxInt instead of
// wrapping to a small (or negative) number that would pass the node limit.
func TestSaturatingArithmetic(t *testing.T) {
	hundred := 100
	if got := cost.Connection(math.MaxInt/2, &hundred, nil); got != math.MaxInt {
		t.Errorf("contacts(first: 100) over MaxInt/2 = %d, want MaxInt", got)
	}
	if got := cost.Connection(math.MaxInt, nil, &hundred); got != math.MaxInt {
		t.Errorf("lists(last: 100) over MaxInt = %d, want MaxInt", got)
	}
	if got := cost.Repeat(1_000, math.MaxInt/10); got != math.MaxInt {
		t.Errorf("importProspects of 1000 over MaxInt/10 = %d, want MaxInt", got)
	}
	if got := cost.Repeat(90, math.MaxInt/2); got != math.MaxInt {
		t.Errorf("usage(days: 90) over MaxInt/2 = %d, want MaxInt", got)
	}
	zero := 0
	if got := cost.Connection(math.MaxInt, &zero, nil); got != 0 {
		t.Errorf("lists(first: 0) = %d, want 0", got)
	}

	// Through a whole operation: 100,000 ids times six nested levels of aliased pages of 100
	// (3, 3, 2, 2, 2 and 2 aliases: about 1.4e19 nodes, over MaxInt64), within the depth and
	// field limits.
	es := schema()
	var level func(b *strings.Builder, branching []int, i int)
	level = func(b *strings.Builder, branching []int, i int) {
		if len(branching) == 0 {
			b.WriteString("id")
			return
		}
		field := "lists"
		if i%2 == 1 {
			field = "contacts"
		}
		for j := range branching[0] {
			fmt.Fprintf(b, "a%d: %s(first: 100) { nodes { ", j, field)
			level(b, branching[1:], i+1)
			b.WriteString(" } } ")
		}
	}
	var b strings.Builder
	b.WriteString("mutation($ids: [ID!]!) { importProspects(prospectIds: $ids) { ")
	level(&b, []int{3, 3, 2, 2, 2, 2}, 0)
	b.WriteString(" } }")
	manyIDs := make([]any, 100_000)
	for i := range manyIDs {
		manyIDs[i] = fmt.Sprint(i)
	}
	e := price(t, es, b.String(), map[string]any{"ids": manyIDs})
	if e.Nodes != math.MaxInt || e.Refused != cost.ReasonNodes {
		t.Errorf("N=%d TooComplex=%q, want N saturated at MaxInt and too complex by nodes", e.Nodes, e.Refused)
	}
	if e.Cost <= cost.MaxCost {
		t.Errorf("cost = %d, want it over %d", e.Cost, cost.MaxCost)
	}
}

func TestRootFields(t *testing.T) {
	es := schema()
	doc, errs := gqlparser.LoadQueryWithRules(es.Schema(), `{ viewer { workspace { id } } ...F ... on Query { c: contacts { totalCount } } }
		fragment F on Query { rateLimit { cost } }`, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var names []string
	for _, f := range cost.RootFields(doc.Operations[0].SelectionSet) {
		names = append(names, f.Alias+":"+f.Name)
	}
	if got, want := strings.Join(names, ","), "viewer:viewer,rateLimit:rateLimit,c:contacts"; got != want {
		t.Errorf("RootFields = %s, want %s", got, want)
	}
}

// TestEveryConnectionIsPriced guards the schema: every connection field has a complexity rule
// that counts its page (default 20, first honoured), and every list field whose items hold
// connections multiplies them. A field added without a rule would be priced at 0 nodes.
func TestEveryConnectionIsPriced(t *testing.T) {
	es := schema()
	s := es.Schema()
	isConnection := func(name string) bool { return strings.HasSuffix(name, "Connection") && s.Types[name] != nil }
	holdsConnections := func(name string) bool {
		def := s.Types[name]
		if def == nil || def.Kind != ast.Object {
			return false
		}
		for _, f := range def.Fields {
			if isConnection(f.Type.Name()) {
				return true
			}
		}
		return false
	}
	ctx := context.Background()
	checked := 0
	for _, def := range s.Types {
		if def.Kind != ast.Object || strings.HasPrefix(def.Name, "__") || isConnection(def.Name) || strings.HasSuffix(def.Name, "Edge") {
			continue
		}
		for _, f := range def.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			switch {
			case isConnection(f.Type.Name()):
				checked++
				n, ok := es.Complexity(ctx, def.Name, f.Name, 1, map[string]any{})
				if !ok || n != 20+20*1 {
					t.Errorf("%s.%s: a connection priced %d (rule %v) with the default page, want 40", def.Name, f.Name, n, ok)
				}
				if f.Arguments.ForName("first") != nil {
					if n, ok := es.Complexity(ctx, def.Name, f.Name, 1, map[string]any{"first": 5}); !ok || n != 10 {
						t.Errorf("%s.%s(first: 5): priced %d, want 10", def.Name, f.Name, n)
					}
				}
			case f.Type.Elem != nil && holdsConnections(f.Type.Name()):
				checked++
				if _, ok := es.Complexity(ctx, def.Name, f.Name, 1, map[string]any{}); !ok {
					t.Errorf("%s.%s: a list of %s, which holds connections, has no complexity rule", def.Name, f.Name, f.Type.Name())
				}
			}
		}
	}
	if checked < 9 {
		t.Errorf("only %d fields checked: the schema walk is broken", checked)
	}
}
