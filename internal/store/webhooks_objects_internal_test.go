package store

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/models"
)

// TestWebhookObjectsFollowTheSchema: the object in a webhook body has exactly the fields of
// its GraphQL type that are not connections, under the same names; a field whose type is
// another object is a reference {"id": …}. A field added to the schema without its webhook
// projection fails here.
func TestWebhookObjectsFollowTheSchema(t *testing.T) {
	sdl, err := os.ReadFile("../../schema.graphqls")
	if err != nil {
		t.Fatal(err)
	}
	schema, gqlErr := gqlparser.LoadSchema(&ast.Source{Name: "schema.graphqls", Input: string(sdl)})
	if gqlErr != nil {
		t.Fatal(gqlErr)
	}
	id := "x"
	objects := map[string]any{
		"Contact":         contactObjectOf(&models.Contact{}),
		"List":            listObjectOf(&models.List{}, 0),
		"Campaign":        campaignObjectOf(&models.Campaign{ListID: &id}),
		"Deal":            dealObjectOf(&models.Deal{ContactID: &id}),
		"LexiTask":        lexiTaskObjectOf(&models.LexiTask{}),
		"WebhookEndpoint": webhookEndpointObjectOf(&models.WebhookEndpoint{}),
	}
	for typeName, obj := range objects {
		def := schema.Types[typeName]
		if def == nil {
			t.Fatalf("no type %s", typeName)
		}
		raw, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		var got map[string]json.RawMessage
		if err := json.Unmarshal(raw, &got); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, f := range def.Fields {
			fieldType := schema.Types[f.Type.Name()]
			if strings.HasSuffix(f.Type.Name(), "Connection") || strings.HasPrefix(f.Name, "__") {
				continue
			}
			want = append(want, f.Name)
			v, ok := got[f.Name]
			if !ok {
				t.Errorf("%s.%s is missing from the webhook object", typeName, f.Name)
				continue
			}
			if fieldType != nil && fieldType.Kind == ast.Object && string(v) != `{"id":"x"}` {
				t.Errorf("%s.%s is %s, want a reference {\"id\": …}", typeName, f.Name, v)
			}
		}
		for k := range got {
			if !slices.Contains(want, k) {
				t.Errorf("the webhook object of %s has %q, which the type does not", typeName, k)
			}
		}
	}
}
