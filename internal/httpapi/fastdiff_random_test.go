package httpapi_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"testing"
	_ "time/tzdata" // the time zone of TestFastPathAnswersAsGqlgenInAnotherTimeZone, on any machine

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/graph"
)

// diffFixture is one database seen through both handlers, a workspace with awkward data and a

// TestFastPathAnswersRandomQueriesAsGqlgen sends both handlers ~300 operations built by a
// seeded pseudo-random walk over the schema below Query.contacts: any subset of fields, in any
// order, with aliases, repeated fields, inline and named fragments, @skip/@include, nested
// page arguments as literals or variables, valid and (rarely) invalid. A mismatch names the
// operation's number; the seed makes it reproducible.
func TestFastPathAnswersRandomQueriesAsGqlgen(t *testing.T) {
	const seed, operations = 20261130, 300
	f := newDiffFixture(t)
	rnd := rand.New(rand.NewPCG(seed, seed))
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	var answered, failed int
	for i := 0; i < operations; i++ {
		g := newDiffGen(rnd, schema, f)
		r := g.request()
		got := f.ask(t, r)
		if t.Failed() {
			t.Fatalf("operation %d of seed %d differs (above); stopping", i, seed)
		}
		var doc struct {
			Data   json.RawMessage
			Errors []struct{ Extensions struct{ Code string } }
		}
		if err := json.Unmarshal(got.body, &doc); err != nil {
			t.Fatalf("operation %d: answer is not JSON: %s", i, got.body)
		}
		for _, e := range doc.Errors {
			// The generator asks for bad arguments on purpose, never for an invalid document
			// or one over the limits: that would test the validator instead of gqlfast.
			if e.Extensions.Code != "BAD_USER_INPUT" {
				t.Fatalf("operation %d is refused with %s; the generator must build valid operations:\n%s\nvariables: %s\n%s",
					i, e.Extensions.Code, r.query, diffJSON(r.vars), got.body)
			}
		}
		if len(doc.Errors) == 0 && len(doc.Data) > 0 && string(doc.Data) != "null" {
			answered++
		} else {
			failed++
		}
	}
	// Most operations must be answered with data, or the comparison says little.
	if answered < operations*3/4 {
		t.Errorf("only %d of %d operations were answered without errors (%d with)", answered, operations, failed)
	}
	t.Logf("%d operations answered with data, %d with errors", answered, failed)
	// Every root field the generator starts from was answered by gqlfast, not only by the
	// generated executor it falls back to (which would answer the same).
	for _, name := range diffRoots {
		if f.fastAnswered(name) == 0 {
			t.Errorf("gqlfast never answered %s", name)
		}
	}
}

// diffGen builds one random operation over Query.contacts.
type diffGen struct {
	rnd    *rand.Rand
	schema *ast.Schema
	f      *diffFixture
	names  int // aliases, variables and fragments are numbered: unique, never a field's name
	// varDefs and vars are the operation's variables.
	varDefs []string
	vars    map[string]any
	// args are the arguments of every unaliased field with arguments, per Type.field, chosen
	// once per operation: two unaliased selections of one field then always merge.
	args      map[string]string
	fragments []diffFragment
}

// diffFragment is a named fragment of the operation; budget is the number of nested
// connection levels its body may use, so that it is only spread where they fit.
type diffFragment struct {
	name, on, body string
	budget         int
}

func newDiffGen(rnd *rand.Rand, schema *ast.Schema, f *diffFixture) *diffGen {
	return &diffGen{rnd: rnd, schema: schema, f: f, vars: map[string]any{}, args: map[string]string{}}
}

func (g *diffGen) chance(p float64) bool { return g.rnd.Float64() < p }

func (g *diffGen) name(prefix string) string {
	g.names++
	return fmt.Sprintf("%s%d", prefix, g.names)
}

// value is an argument value: its GraphQL literal and its JSON, and the type a variable for
// it is declared with. Variables stand in for it now and then.
func (g *diffGen) value(literal string, jsonValue any, typ string) string {
	if !g.chance(0.3) {
		return literal
	}
	v := g.name("v")
	g.varDefs = append(g.varDefs, "$"+v+": "+typ)
	g.vars[v] = jsonValue
	return "$" + v
}

func diffStringLiteral(s string) string {
	b, _ := json.Marshal(s) // JSON's string escapes are GraphQL's
	return string(b)
}

// pageSize is a first or last: mostly small, sometimes none (the default 20), rarely out of
// range.
func (g *diffGen) pageSize(name string, nested bool) string {
	var n int
	switch x := g.rnd.IntN(100); {
	case x < 2:
		n = -1
	case x < 4:
		n = 101
	case x < 15 && !nested || x < 8:
		return ""
	case nested:
		n = g.rnd.IntN(6)
	default:
		n = g.rnd.IntN(12)
	}
	return name + ": " + g.value(fmt.Sprint(n), n, "Int")
}

// cursor is an after or before: a cursor of the connection's own kind, rarely of another kind
// or none at all.
func (g *diffGen) cursor(name string, own []string) string {
	var c string
	switch x := g.rnd.IntN(100); {
	case x < 2:
		c = "bm90IGEgY3Vyc29y"
	case x < 4:
		all := [][]string{g.f.contactCursors, g.f.listCursors, g.f.dealCursors, g.f.memberCursors}
		pool := all[g.rnd.IntN(len(all))]
		c = pool[g.rnd.IntN(len(pool))]
	default:
		c = own[g.rnd.IntN(len(own))]
	}
	return name + ": " + g.value(diffStringLiteral(c), c, "String")
}

// arguments builds the arguments of a connection field.
func (g *diffGen) arguments(parent string, field *ast.FieldDefinition) string {
	var args []string
	add := func(a string) {
		if a != "" {
			args = append(args, a)
		}
	}
	if parent == "Query" && field.Name != "contacts" {
		return g.rootArguments(field)
	}
	if field.Arguments.ForName("days") != nil {
		return "(days: " + g.value(fmt.Sprint(1+g.rnd.IntN(3)), 1+g.rnd.IntN(3), "Int") + ")"
	}
	if parent == "Query" {
		if g.chance(0.2) {
			add(g.pageSize("last", false))
			if g.chance(0.3) {
				add(g.cursor("before", g.f.contactCursors))
			}
		} else {
			add(g.pageSize("first", false))
			if g.chance(0.3) {
				add(g.cursor("after", g.f.contactCursors))
			}
		}
		if g.chance(0.3) {
			add(g.filter())
		}
		if g.chance(0.3) {
			add(g.order())
		}
	} else {
		add(g.pageSize("first", true))
		if g.chance(0.25) {
			own := map[string][]string{"lists": g.f.listCursors, "deals": g.f.dealCursors, "contacts": g.f.memberCursors}[field.Name]
			add(g.cursor("after", own))
		}
	}
	g.rnd.Shuffle(len(args), func(i, j int) { args[i], args[j] = args[j], args[i] })
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(args, ", ") + ")"
}

func (g *diffGen) filter() string {
	def := g.schema.Types["ContactFilter"]
	pools := map[string][]string{
		"search":  {"acme", "a", "zoë", "PLAIN", "\"", "\\", "%", "😀", "nobody"},
		"company": {"acme", "Globex", "initech", "日本語の会社", "nobody"},
		"tag":     {"vip", "tech", "emoji😀", "quote\"tag", "nobody"},
		"listId":  append(append([]string{}, g.f.listIDs...), "lst_unknown"),
	}
	var literal []string
	values := map[string]any{}
	for _, field := range def.Fields {
		if !g.chance(0.4) {
			continue
		}
		pool := pools[field.Name]
		v := pool[g.rnd.IntN(len(pool))]
		literal = append(literal, field.Name+": "+g.value(diffStringLiteral(v), v, field.Type.String()))
		values[field.Name] = v
	}
	if len(literal) == 0 {
		return ""
	}
	// Either the whole filter is one variable, or its fields are literals and variables.
	if g.chance(0.3) && !strings.Contains(strings.Join(literal, ""), "$") {
		v := g.name("v")
		g.varDefs = append(g.varDefs, "$"+v+": ContactFilter")
		g.vars[v] = values
		return "filter: $" + v
	}
	return "filter: { " + strings.Join(literal, ", ") + " }"
}

func (g *diffGen) order() string {
	fields := g.schema.Types["ContactOrderField"].EnumValues
	dirs := g.schema.Types["OrderDirection"].EnumValues
	field, dir := fields[g.rnd.IntN(len(fields))].Name, dirs[g.rnd.IntN(len(dirs))].Name
	literal := "{ field: " + field + ", direction: " + dir + " }"
	return "orderBy: " + g.value(literal, map[string]any{"field": field, "direction": dir}, "ContactOrder")
}

// directive is now and then an @skip or @include, on a literal or a variable.
func (g *diffGen) directive() string {
	if !g.chance(0.08) {
		return ""
	}
	name := []string{"skip", "include"}[g.rnd.IntN(2)]
	on := g.chance(0.5)
	cond := fmt.Sprint(on)
	if g.chance(0.5) {
		v := g.name("b")
		g.varDefs = append(g.varDefs, "$"+v+": Boolean!")
		g.vars[v] = on
		cond = "$" + v
	}
	return " @" + name + "(if: " + cond + ")"
}

// selection builds a selection set on the object type typ; budget is how many more
// connection levels may nest below it.
func (g *diffGen) selection(typ string, budget int) string {
	def := g.schema.Types[typ]
	var parts []string
	for len(parts) == 0 {
		for _, field := range def.Fields {
			if strings.HasPrefix(field.Name, "__") || !g.chance(diffFieldChance(typ, field.Name)) {
				continue
			}
			if part := g.field(typ, field, budget); part != "" {
				parts = append(parts, part)
			}
		}
		if g.chance(0.1) {
			parts = append(parts, "__typename")
		}
		if g.chance(0.12) {
			parts = append(parts, g.inlineFragment(typ, budget))
		}
		if g.chance(0.08) {
			parts = append(parts, g.spread(typ, budget))
		}
	}
	// A nested connection already selected, again under an alias with the same arguments
	// and a selection of its own: gqlfast reads such twins once, and each must still
	// get its own totalCount, cursors and fields.
	if budget > 0 && g.chance(0.35) {
		for _, field := range def.Fields {
			prior, ok := g.args[typ+"."+field.Name]
			if !ok || !strings.HasSuffix(field.Type.Name(), "Connection") {
				continue
			}
			// Sometimes the same page size from another cursor: a different read.
			if !strings.Contains(prior, "after:") && g.chance(0.4) {
				own := map[string][]string{"lists": g.f.listCursors, "deals": g.f.dealCursors, "contacts": g.f.memberCursors}[field.Name]
				after := g.cursor("after", own)
				if prior == "" {
					prior = "(" + after + ")"
				} else {
					prior = strings.TrimSuffix(prior, ")") + ", " + after + ")"
				}
			}
			parts = append(parts, g.name("a")+": "+field.Name+prior+" "+g.selection(field.Type.Name(), budget-1))
		}
	}
	g.rnd.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	// A field asked twice: gqlgen merges it into the first's place.
	if g.chance(0.1) {
		parts = append(parts, parts[g.rnd.IntN(len(parts))])
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

// diffFieldChance is how likely a selection set selects a field. List.contacts,
// List.contactCount and Deal.contact are rarer than the rest: gqlfast hands a root
// field that selects them back to gqlgen, and most operations should test gqlfast.
func diffFieldChance(typ, field string) float64 {
	switch typ + "." + field {
	case "ApiKey.usage", "ApiKey.lastUsedAt":
		return 0 // they change between the two calls of a pair
	case "List.contacts", "List.contactCount", "Deal.contact":
		return 0.08
	}
	return 0.35
}

// field selects one field of typ, or nothing when it is a connection beyond the budget.
func (g *diffGen) field(typ string, field *ast.FieldDefinition, budget int) string {
	target := field.Type.Name()
	connection := strings.HasSuffix(target, "Connection")
	if connection && budget == 0 {
		return ""
	}
	var b strings.Builder
	aliased := g.chance(0.2) || len(field.Arguments) > 0 && g.chance(0.3)
	if aliased {
		b.WriteString(g.name("a") + ": ")
	}
	b.WriteString(field.Name)
	if len(field.Arguments) > 0 {
		if prior, ok := g.args[typ+"."+field.Name]; aliased && ok && g.chance(0.5) {
			// The same arguments under an alias, with its own selection: gqlfast
			// shares one read between such fields, and each must still get what it selects.
			b.WriteString(prior)
		} else if aliased {
			b.WriteString(g.arguments(typ, field))
		} else {
			key := typ + "." + field.Name
			if _, ok := g.args[key]; !ok {
				g.args[key] = g.arguments(typ, field)
			}
			b.WriteString(g.args[key])
		}
	}
	b.WriteString(g.directive())
	if kind := g.schema.Types[target].Kind; kind == ast.Object || kind == ast.Interface {
		next := budget
		if connection {
			next--
		}
		if target == "Contact" && typ == "Deal" {
			next = 0 // Deal.contact: the way back up, kept shallow
		}
		b.WriteString(" " + g.selection(target, next))
	}
	return b.String()
}

// inlineFragment is "... on typ", "... on Node" or a fragment without a type condition.
func (g *diffGen) inlineFragment(typ string, budget int) string {
	implementsNode := slices.Contains(g.schema.Types[typ].Interfaces, "Node")
	switch x := g.rnd.IntN(3); {
	case x == 0 && implementsNode:
		return "... on Node" + g.directive() + " { " + []string{"id", "__typename", "id __typename"}[g.rnd.IntN(3)] + " }"
	case x == 1:
		return "..." + g.directive() + " " + g.selection(typ, budget)
	default:
		return "... on " + typ + g.directive() + " " + g.selection(typ, budget)
	}
}

// spread spreads a named fragment on typ: one defined already, if one fits, or a new one.
func (g *diffGen) spread(typ string, budget int) string {
	for _, fr := range g.fragments {
		if fr.on == typ && fr.budget <= budget && g.chance(0.6) {
			return "..." + fr.name + g.directive()
		}
	}
	name := g.name("F")
	body := g.selection(typ, budget)
	g.fragments = append(g.fragments, diffFragment{name: name, on: typ, body: body, budget: budget})
	return "..." + name + g.directive()
}

// diffRoots are the root fields operations start from, contacts most often; rateLimit and
// the Lexi fields are left out (the first changes between the two calls of a pair, the others
// need a permission the fixture's key lacks).
var diffRoots = []string{"contacts", "contacts", "contacts", "lists", "deals", "campaigns", "prospects",
	"node", "contact", "list", "deal", "campaign", "viewer"}

// rootArguments are the arguments of a root field other than contacts: a page of a connection
// (with a cursor of some connection, sometimes not its own), or an id, of the workspace, of the
// other workspace, of another kind or malformed.
func (g *diffGen) rootArguments(field *ast.FieldDefinition) string {
	var args []string
	if field.Arguments.ForName("id") != nil {
		pool := [][]string{g.f.contactIDs, g.f.listIDs, g.f.dealIDs, g.f.campaignIDs, g.f.foreign, {"ctc_nope", "", "x"}}
		ids := pool[g.rnd.IntN(len(pool))]
		if len(ids) == 0 {
			ids = g.f.contactIDs
		}
		id := ids[g.rnd.IntN(len(ids))]
		return "(id: " + g.value(diffStringLiteral(id), id, "ID!") + ")"
	}
	if field.Arguments.ForName("first") != nil {
		if g.chance(0.2) {
			args = append(args, g.pageSize("last", false))
		} else {
			args = append(args, g.pageSize("first", false))
		}
		if g.chance(0.15) {
			own := [][]string{g.f.contactCursors, g.f.listCursors, g.f.dealCursors}[g.rnd.IntN(3)]
			args = append(args, g.cursor("after", own))
		}
	}
	if f := field.Arguments.ForName("filter"); f != nil && g.chance(0.3) {
		switch f.Type.Name() {
		case "ListFilter":
			args = append(args, `filter: { search: "`+[]string{"e", "VIP", "zz"}[g.rnd.IntN(3)]+`" }`)
		case "DealFilter":
			args = append(args, `filter: { stage: `+[]string{"LEAD", "WON", "LOST"}[g.rnd.IntN(3)]+` }`)
		case "CampaignFilter":
			args = append(args, `filter: { status: DRAFT }`)
		}
	}
	var out []string
	for _, a := range args {
		if a != "" {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return ""
	}
	return "(" + strings.Join(out, ", ") + ")"
}

// request builds the whole operation and the request that carries it.
func (g *diffGen) request() diffRequest {
	var roots []string
	for n := 1 + g.rnd.IntN(2); len(roots) < n; {
		name := diffRoots[g.rnd.IntN(len(diffRoots))]
		if len(roots) > 0 || name != "contacts" {
			// another root field, or the same under an alias with arguments of its own
			name = g.name("r") + ": " + name
		}
		field := g.schema.Query.Fields.ForName(name[strings.LastIndex(name, " ")+1:])
		var part string
		if strings.Contains(name, ":") {
			part = name + g.arguments("Query", field) + " " + g.selection(field.Type.Name(), 2)
			if g.schema.Types[field.Type.Name()].Kind == ast.Scalar {
				part = name + g.arguments("Query", field)
			}
		} else {
			part = g.field("Query", field, 2)
		}
		roots = append(roots, part)
	}
	if g.chance(0.1) {
		roots = append(roots, "__typename")
	}
	if g.chance(0.05) {
		roots = append(roots, "viewer { workspace { name plan } }")
	}
	g.rnd.Shuffle(len(roots), func(i, j int) { roots[i], roots[j] = roots[j], roots[i] })
	var doc strings.Builder
	doc.WriteString("query")
	if len(g.varDefs) > 0 {
		doc.WriteString("(" + strings.Join(g.varDefs, ", ") + ")")
	}
	doc.WriteString(" { " + strings.Join(roots, " ") + " }")
	for _, fr := range g.fragments {
		doc.WriteString("\nfragment " + fr.name + " on " + fr.on + " " + fr.body)
	}
	r := diffRequest{query: doc.String()}
	if len(g.vars) > 0 {
		r.vars = g.vars
	}
	if g.chance(0.1) && len(r.query) < 3000 {
		r.method = http.MethodGet
	}
	if g.chance(0.2) {
		r.accept = "application/graphql-response+json"
	}
	return r
}
