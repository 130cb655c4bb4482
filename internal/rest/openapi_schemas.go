package rest

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// specBuilder makes the OpenAPI document's schemas, collecting the reusable ones in schemas
// (components/schemas) and answering references to them.
type specBuilder struct {
	schema  *ast.Schema
	schemas map[string]any
}

// component returns a reference to the component schema name, building it on first use.
func (b *specBuilder) component(name string, build func() map[string]any) map[string]any {
	if _, ok := b.schemas[name]; !ok {
		b.schemas[name] = map[string]any{} // a placeholder while build runs: a type may refer to itself
		b.schemas[name] = build()
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

// nullableRef admits null beside a referenced schema.
func nullableRef(ref map[string]any, isNullable bool) map[string]any {
	if !isNullable {
		return ref
	}
	return map[string]any{"oneOf": []any{ref, map[string]any{"type": "null"}}}
}

// componentOf names the component a selection set stands for: a selection of exactly one
// fragment spread "XFields" is the component X.
func componentOf(set ast.SelectionSet) (string, *ast.FragmentSpread) {
	if len(set) != 1 {
		return "", nil
	}
	spread, ok := set[0].(*ast.FragmentSpread)
	if !ok || !strings.HasSuffix(spread.Name, "Fields") || spread.Name == "Fields" {
		return "", nil
	}
	return strings.TrimSuffix(spread.Name, "Fields"), spread
}

// result is the schema of a route's success body, a component named after what it holds
// (its fragment's component, else its GraphQL type): XPage, XList or XResult. The suffixes
// keep clear of the names generators give their own per-operation types (oapi-codegen's
// "<operationId>Response").
func (b *specBuilder) result(c *compiled) map[string]any {
	switch c.shape {
	case shapePage, shapeArray:
		items := c.root
		if c.shape == shapePage {
			items = fieldNamed(c.root.SelectionSet, "nodes")
		}
		name, _ := componentOf(items.SelectionSet)
		if name == "" {
			name = items.Definition.Type.Name()
		}
		suffix, next := "Page", map[string]any{"type": []string{"string", "null"},
			"description": "The cursor of the next page (`?cursor=`), null on the last page."}
		if c.shape == shapeArray {
			suffix, next = "List", map[string]any{"type": "null", "description": "Always null: the list is whole."}
		}
		return b.component(name+suffix, func() map[string]any {
			return map[string]any{"type": "object", "required": []string{"data", "next_cursor"}, "additionalProperties": false,
				"properties": map[string]any{
					"data":        b.output(items.Definition.Type, items.SelectionSet),
					"next_cursor": next,
				}}
		})
	case shapeDeleted:
		return b.component("DeletedResult", func() map[string]any {
			return dataSchema(b.component("Deleted", func() map[string]any {
				return map[string]any{"type": "object", "required": []string{"id"}, "additionalProperties": false,
					"properties": map[string]any{"id": map[string]any{"type": "string", "description": "The deleted object's id."}}}
			}))
		})
	}
	name, _ := componentOf(c.root.SelectionSet)
	if name == "" {
		name = c.root.Definition.Type.Name()
	}
	return b.component(name+"Result", func() map[string]any {
		return dataSchema(b.output(ast.NonNullNamedType(c.root.Definition.Type.Name(), nil), c.root.SelectionSet))
	})
}

func dataSchema(data any) map[string]any {
	return map[string]any{"type": "object", "required": []string{"data"}, "additionalProperties": false,
		"properties": map[string]any{"data": data}}
}

// body is the schema of a route's request body and whether a body is required: the input
// type itself when the operation's only body variable is $input, else an object of the
// body variables named after the operation.
func (b *specBuilder) body(c *compiled) (map[string]any, bool) {
	if c.unwrap {
		return b.input(ast.NonNullNamedType(c.bodyVars[0].Type.Name(), nil), true), true
	}
	required := []string{}
	for _, v := range c.bodyVars {
		if v.Type.NonNull && v.DefaultValue == nil {
			required = append(required, snake(v.Variable))
		}
	}
	return b.component(c.operation+"Body", func() map[string]any {
		props := map[string]any{}
		for _, v := range c.bodyVars {
			props[snake(v.Variable)] = b.input(v.Type, true)
		}
		return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
	}), len(required) > 0
}

// nullable widens a schema's type to admit null.
func nullable(s map[string]any, isNullable bool) map[string]any {
	if !isNullable {
		return s
	}
	if t, ok := s["type"].(string); ok {
		s["type"] = []string{t, "null"}
	}
	if e, ok := s["enum"].([]any); ok {
		s["enum"] = append(e, nil)
	}
	return s
}

func (b *specBuilder) scalar(name string) map[string]any {
	switch name {
	case "Int":
		return map[string]any{"type": "integer"}
	case "Float":
		return map[string]any{"type": "number"}
	case "Boolean":
		return map[string]any{"type": "boolean"}
	case "Time":
		return map[string]any{"type": "string", "format": "date-time"}
	case "Date":
		return map[string]any{"type": "string", "format": "date"}
	}
	if def := b.schema.Types[name]; def != nil && def.Kind == ast.Enum {
		values := make([]any, len(def.EnumValues))
		for i, v := range def.EnumValues {
			values[i] = v.Name
		}
		return map[string]any{"type": "string", "enum": values}
	}
	return map[string]any{"type": "string"}
}

// described adds a GraphQL description to a schema.
func described(s map[string]any, description string) map[string]any {
	if description != "" && s["$ref"] == nil {
		s["description"] = description
	}
	return s
}

// output is the JSON schema of a selection of a field of type typ, in snake_case; a
// selection of one "XFields" fragment is a reference to the component X.
func (b *specBuilder) output(typ *ast.Type, set ast.SelectionSet) map[string]any {
	if typ.Elem != nil {
		return nullable(map[string]any{"type": "array", "items": b.output(typ.Elem, set)}, !typ.NonNull)
	}
	if len(set) == 0 {
		return nullable(b.scalar(typ.Name()), !typ.NonNull)
	}
	if name, spread := componentOf(set); name != "" {
		return nullableRef(b.component(name, func() map[string]any {
			return described(b.object(spread.Definition.SelectionSet), b.schema.Types[typ.Name()].Description)
		}), !typ.NonNull)
	}
	return nullable(b.object(set), !typ.NonNull)
}

func (b *specBuilder) object(set ast.SelectionSet) map[string]any {
	props, required := map[string]any{}, []string{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			switch x := s.(type) {
			case *ast.Field:
				key := snake(x.Alias)
				props[key] = described(b.output(x.Definition.Type, x.SelectionSet), x.Definition.Description)
				required = append(required, key)
			case *ast.FragmentSpread:
				walk(x.Definition.SelectionSet)
			case *ast.InlineFragment:
				walk(x.SelectionSet)
			}
		}
	}
	walk(set)
	return map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
}

// input is the JSON schema of a GraphQL input value of type typ, in snake_case; an input
// object type is a reference to the component of its GraphQL name.
func (b *specBuilder) input(typ *ast.Type, allowNull bool) map[string]any {
	if typ.Elem != nil {
		return nullable(map[string]any{"type": "array", "items": b.input(typ.Elem, allowNull)}, allowNull && !typ.NonNull)
	}
	def := b.schema.Types[typ.Name()]
	if def == nil || def.Kind != ast.InputObject {
		return nullable(b.scalar(typ.Name()), allowNull && !typ.NonNull)
	}
	return nullableRef(b.component(def.Name, func() map[string]any {
		props, required := map[string]any{}, []string{}
		for _, f := range def.Fields {
			props[snake(f.Name)] = described(b.input(f.Type, true), f.Description)
			if f.Type.NonNull && f.DefaultValue == nil {
				required = append(required, snake(f.Name))
			}
		}
		return described(map[string]any{"type": "object", "properties": props, "required": required,
			"additionalProperties": false}, def.Description)
	}), allowNull && !typ.NonNull)
}
