package loaders_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/internal/loaders"
)

var schema = gqlparser.MustLoadSchema(&ast.Source{Input: `
	type Query { contact(id: ID!): Record  list(id: ID!): Record }
	type Record { id: ID! }`})

// operation is the context of one operation of query with vars, with its loaders.
func operation(t *testing.T, query string, vars map[string]any) context.Context {
	t.Helper()
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, nil)
	if errs != nil {
		t.Fatalf("%s: %v", query, errs)
	}
	oc := &graphql.OperationContext{RawQuery: query, Doc: doc, Operation: doc.Operations[0], Variables: vars}
	return loaders.With(graphql.WithOperationContext(context.Background(), oc), loaders.New())
}

// reads records whose id does not start with "missing", and fails a read that includes
// "broken"; it logs every read.
type reads struct {
	mu  sync.Mutex
	log []string
}

func (r *reads) read(_ context.Context, ids []string) (map[string]any, error) {
	r.mu.Lock()
	r.log = append(r.log, strings.Join(ids, ","))
	r.mu.Unlock()
	if slices.Contains(ids, "broken") {
		return nil, errors.New("the batch failed")
	}
	out := map[string]any{}
	for _, id := range ids {
		if !strings.HasPrefix(id, "missing") {
			out[id] = "record " + id
		}
	}
	return out, nil
}

func TestLookupBatchesTheRootFieldsOfAnOperation(t *testing.T) {
	const query = `query($v: ID!, $w: ID!) { a: contact(id: "1") { id } b: contact(id: $v) { id } c: contact(id: "1") { id }
		d: contact(id: "missing") { id } l: list(id: "9") { id } m: list(id: $w) { id } }`
	cases := []struct {
		name  string
		ctx   context.Context
		steps []struct{ field, id, want string } // want "" : nil
		reads []string
	}{
		{
			name: "one read per field name for every id the operation shows",
			ctx:  operation(t, query, map[string]any{"v": "2", "w": "8"}),
			steps: []struct{ field, id, want string }{
				{"contact", "2", "record 2"}, {"contact", "1", "record 1"}, {"contact", "missing", ""},
				{"list", "9", "record 9"}, {"list", "8", "record 8"},
				{"contact", "3", "record 3"}, // not in the operation's text: read alone
			},
			reads: []string{"2,1,missing", "9,8", "3"},
		},
		{
			name: "a failed batch leaves each field to read alone",
			ctx:  operation(t, query, map[string]any{"v": "broken", "w": "8"}),
			steps: []struct{ field, id, want string }{
				{"contact", "1", "record 1"}, {"contact", "missing", ""},
			},
			reads: []string{"1,broken,missing", "1", "missing"},
		},
		{
			name: "outside an operation every lookup reads alone",
			ctx:  context.Background(),
			steps: []struct{ field, id, want string }{
				{"contact", "1", "record 1"}, {"contact", "1", "record 1"}, {"list", "missing", ""},
			},
			reads: []string{"1", "1", "missing"},
		},
	}
	for _, c := range cases {
		r := &reads{}
		for _, s := range c.steps {
			got, err := loaders.Lookup(c.ctx, s.field, s.id, r.read)
			if err != nil {
				t.Errorf("%s: %s(%s): %v", c.name, s.field, s.id, err)
			}
			if (s.want == "" && got != nil) || (s.want != "" && got != s.want) {
				t.Errorf("%s: %s(%s) = %v, want %q", c.name, s.field, s.id, got, s.want)
			}
		}
		if !slices.Equal(r.log, c.reads) {
			t.Errorf("%s: reads %q, want %q", c.name, r.log, c.reads)
		}
	}
}

// Concurrent root fields share the one read.
func TestConcurrentLookupsReadOnce(t *testing.T) {
	ctx := operation(t, `{ a: contact(id: "1") { id } b: contact(id: "2") { id } c: contact(id: "3") { id } }`, nil)
	r := &reads{}
	var wg sync.WaitGroup
	for _, id := range []string{"1", "2", "3", "1", "2", "3"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got, err := loaders.Lookup(ctx, "contact", id, r.read); err != nil || got != "record "+id {
				t.Errorf("contact(%s) = %v, %v", id, got, err)
			}
		}()
	}
	wg.Wait()
	if len(r.log) != 1 {
		t.Errorf("reads %q, want one", r.log)
	}
}
