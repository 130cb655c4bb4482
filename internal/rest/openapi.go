package rest

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// openAPI is the OpenAPI 3.1 document of the routes, derived from the route table and from
// the GraphQL schema and persisted operations: a response schema is the selection its
// operation makes, a body schema the operation's input type, so nothing is written twice.
func openAPI(schema *ast.Schema, routes []*compiled) map[string]any {
	paths := map[string]any{}
	for _, c := range routes {
		item, _ := paths[c.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[c.path] = item
		}
		item[strings.ToLower(c.method)] = operationObject(schema, c)
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "CRM REST API", "version": "1",
			"description": "Each endpoint runs one persisted GraphQL operation through /graphql: same keys, permissions, cost, rate limits, usage and errors. See docs/rest.md."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
			"schemas": map[string]any{"Error": map[string]any{
				"type": "object", "required": []string{"error"}, "additionalProperties": false,
				"properties": map[string]any{"error": map[string]any{
					"type": "object", "required": []string{"code", "message", "field"}, "additionalProperties": false,
					"properties": map[string]any{
						"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
						"field": map[string]any{"type": []string{"string", "null"}},
					},
				}},
			}},
		},
		"security": []any{map[string]any{"bearer": []string{}}},
	}
}

func operationObject(schema *ast.Schema, c *compiled) map[string]any {
	var params []any
	if strings.Contains(c.path, "{id}") {
		params = append(params, map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	for _, p := range c.params {
		params = append(params, map[string]any{"name": p.name, "in": "query", "required": false,
			"schema": inputSchema(schema, p.typ, false)})
	}
	var result map[string]any
	node := c.root
	switch c.shape {
	case shapePage:
		nodes := fieldNamed(c.root.SelectionSet, "nodes")
		result = map[string]any{"type": "object", "required": []string{"data", "next_cursor"}, "additionalProperties": false,
			"properties": map[string]any{
				"data":        outputSchema(schema, nodes.Definition.Type, nodes.SelectionSet),
				"next_cursor": map[string]any{"type": []string{"string", "null"}},
			}}
	case shapeArray:
		result = map[string]any{"type": "object", "required": []string{"data", "next_cursor"}, "additionalProperties": false,
			"properties": map[string]any{
				"data":        outputSchema(schema, node.Definition.Type, node.SelectionSet),
				"next_cursor": map[string]any{"type": "null"},
			}}
	case shapeDeleted:
		result = dataSchema(map[string]any{"type": "object", "required": []string{"id"}, "additionalProperties": false,
			"properties": map[string]any{"id": map[string]any{"type": "string"}}})
	case shapeObject:
		result = dataSchema(outputSchema(schema, ast.NonNullNamedType(node.Definition.Type.Name(), nil), node.SelectionSet))
	}
	responses := map[string]any{
		strconv.Itoa(c.status): map[string]any{"description": "OK", "content": jsonContent(result)},
	}
	errs := []int{400, 401, 403, 404, 413, 422, 429, 503}
	if c.method != http.MethodGet {
		errs = append(errs, 409)
	}
	for _, s := range errs {
		responses[strconv.Itoa(s)] = map[string]any{"description": http.StatusText(s),
			"content": jsonContent(map[string]any{"$ref": "#/components/schemas/Error"})}
	}
	op := map[string]any{"operationId": c.operation, "summary": c.summary, "responses": responses,
		"description": "Runs the persisted GraphQL operation " + c.operation + " (root field " + c.root.Name + ")."}
	if params != nil {
		op["parameters"] = params
	}
	if len(c.bodyVars) > 0 {
		var body map[string]any
		if c.unwrap {
			body = inputSchema(schema, ast.NonNullNamedType(c.bodyVars[0].Type.Name(), nil), true)
		} else {
			props, required := map[string]any{}, []string{}
			for _, v := range c.bodyVars {
				props[snake(v.Variable)] = inputSchema(schema, v.Type, true)
				if v.Type.NonNull && v.DefaultValue == nil {
					required = append(required, snake(v.Variable))
				}
			}
			body = map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}
		}
		op["requestBody"] = map[string]any{"required": c.unwrap || len(body["required"].([]string)) > 0, "content": jsonContent(body)}
	}
	return op
}

func dataSchema(data any) map[string]any {
	return map[string]any{"type": "object", "required": []string{"data"}, "additionalProperties": false,
		"properties": map[string]any{"data": data}}
}

func jsonContent(schema any) map[string]any {
	return map[string]any{"application/json": map[string]any{"schema": schema}}
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

func scalarSchema(schema *ast.Schema, name string) map[string]any {
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
	if def := schema.Types[name]; def != nil && def.Kind == ast.Enum {
		values := make([]any, len(def.EnumValues))
		for i, v := range def.EnumValues {
			values[i] = v.Name
		}
		return map[string]any{"type": "string", "enum": values}
	}
	return map[string]any{"type": "string"}
}

// outputSchema is the JSON schema of a selection of a field of type typ, in snake_case.
func outputSchema(schema *ast.Schema, typ *ast.Type, set ast.SelectionSet) map[string]any {
	if typ.Elem != nil {
		return nullable(map[string]any{"type": "array", "items": outputSchema(schema, typ.Elem, set)}, !typ.NonNull)
	}
	if len(set) == 0 {
		return nullable(scalarSchema(schema, typ.Name()), !typ.NonNull)
	}
	props, required := map[string]any{}, []string{}
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		for _, s := range set {
			switch x := s.(type) {
			case *ast.Field:
				key := snake(x.Alias)
				props[key] = outputSchema(schema, x.Definition.Type, x.SelectionSet)
				required = append(required, key)
			case *ast.FragmentSpread:
				walk(x.Definition.SelectionSet)
			case *ast.InlineFragment:
				walk(x.SelectionSet)
			}
		}
	}
	walk(set)
	return nullable(map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}, !typ.NonNull)
}

// inputSchema is the JSON schema of a GraphQL input value of type typ, in snake_case.
func inputSchema(schema *ast.Schema, typ *ast.Type, allowNull bool) map[string]any {
	if typ.Elem != nil {
		return nullable(map[string]any{"type": "array", "items": inputSchema(schema, typ.Elem, allowNull)}, allowNull && !typ.NonNull)
	}
	def := schema.Types[typ.Name()]
	if def == nil || def.Kind != ast.InputObject {
		return nullable(scalarSchema(schema, typ.Name()), allowNull && !typ.NonNull)
	}
	props, required := map[string]any{}, []string{}
	for _, f := range def.Fields {
		props[snake(f.Name)] = inputSchema(schema, f.Type, true)
		if f.Type.NonNull && f.DefaultValue == nil {
			required = append(required, snake(f.Name))
		}
	}
	return nullable(map[string]any{"type": "object", "properties": props, "required": required, "additionalProperties": false}, allowNull && !typ.NonNull)
}
