package resolvers

import (
	"os"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
)

// TestDirectPathWritesOnlyFieldsWithoutDirectives: the direct path writes the fields of its
// tables without running their directives. Today none has one (the permission of
// Query.contacts is checked before anything is read); a directive added to one of these fields
// later (a @hasPermission on Contact.phone, say) must take that field out of the tables, so
// that the generated executor, which runs directives, answers it.
func TestDirectPathWritesOnlyFieldsWithoutDirectives(t *testing.T) {
	sdl, err := os.ReadFile("../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gqlErr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(sdl)})
	if gqlErr != nil {
		t.Fatal(gqlErr)
	}
	tables := []struct {
		types  []string
		fields map[string]fieldKind
	}{
		{[]string{"ContactConnection", "ListConnection", "DealConnection"}, connectionFields},
		{[]string{"ContactEdge", "ListEdge", "DealEdge"}, edgeFields},
		{[]string{"PageInfo"}, pageInfoFields},
		{[]string{"Contact"}, contactFields},
		{[]string{"List"}, listFields},
		{[]string{"Deal"}, dealFields},
	}
	for _, table := range tables {
		for _, typ := range table.types {
			def := schema.Types[typ]
			if def == nil {
				t.Fatalf("type %s is not in the schema", typ)
			}
			for name := range table.fields {
				f := def.Fields.ForName(name)
				if f == nil {
					t.Errorf("%s.%s is in the direct path's table but not in the schema", typ, name)
					continue
				}
				for _, d := range f.Directives {
					if d.Name != "deprecated" {
						t.Errorf("%s.%s carries @%s, which the direct path would not run", typ, name, d.Name)
					}
				}
			}
		}
	}
}
