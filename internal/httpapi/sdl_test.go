package httpapi_test

import (
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/internal/app"
	"github.com/wbk/crm/internal/testenv"
)

// The served SDL declares every directive the server accepts, @defer included, and still
// loads as a schema (no directive declared twice).
func TestServedSDLDeclaresDefer(t *testing.T) {
	text, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	h := app.New(app.Config{Store: testenv.OpenStore(t), Log: testenv.QuietLogger(), SDL: string(text)}).Handler
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/schema.graphql", nil))
	served := rec.Body.String()
	for _, want := range []string{"directive @defer(", "directive @hasPermission"} {
		if strings.Count(served, want) != 1 {
			t.Errorf("served SDL declares %q %d times, want once", want, strings.Count(served, want))
		}
	}
	for _, spec := range []string{"directive @skip", "directive @include", "directive @deprecated"} {
		if strings.Contains(served, spec) {
			t.Errorf("served SDL redeclares %q", spec)
		}
	}
	// A tool's view: the served text on top of the spec's own directives only.
	spec := &ast.Source{Name: "spec", BuiltIn: true, Input: `
directive @skip(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @include(if: Boolean!) on FIELD | FRAGMENT_SPREAD | INLINE_FRAGMENT
directive @deprecated(reason: String = "No longer supported") on FIELD_DEFINITION | ARGUMENT_DEFINITION | INPUT_FIELD_DEFINITION | ENUM_VALUE
directive @specifiedBy(url: String!) on SCALAR
directive @oneOf on INPUT_OBJECT`}
	schema, err := gqlparser.LoadSchema(spec, &ast.Source{Name: "served", Input: served})
	if err != nil {
		t.Fatalf("served SDL does not load: %v", err)
	}
	d := schema.Directives["defer"]
	if d == nil || d.Arguments.ForName("if") == nil || d.Arguments.ForName("label") == nil ||
		len(d.Locations) != 2 || d.Locations[0] != ast.LocationFragmentSpread || d.Locations[1] != ast.LocationInlineFragment {
		t.Fatalf("@defer is not declared as gqlgen accepts it: %+v", d)
	}
}
