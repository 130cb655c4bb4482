package httpapi

import (
	"bytes"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
)

// specDirectives are the directives every GraphQL tool knows without a declaration; declaring
// them again in a served SDL would make tools that load it report a redefinition.
var specDirectives = map[string]bool{"skip": true, "include": true, "deprecated": true, "specifiedBy": true, "oneOf": true}

// servedSDL is the schema text served at /schema.graphql: the schema file as written, plus a
// declaration of each directive the executor accepts beyond the spec's own (gqlgen's @defer),
// so that tools validating operations against the served SDL accept what the server accepts.
func servedSDL(sdl string, schema *ast.Schema) string {
	if schema == nil {
		return sdl
	}
	var extra []*ast.DirectiveDefinition
	for name, def := range schema.Directives {
		if specDirectives[name] || declares(sdl, name) {
			continue
		}
		own := *def
		own.Position = nil // the formatter leaves out definitions of built-in sources
		extra = append(extra, &own)
	}
	if len(extra) == 0 {
		return sdl
	}
	sort.Slice(extra, func(i, j int) bool { return extra[i].Name < extra[j].Name })
	var buf bytes.Buffer
	buf.WriteString(strings.TrimRight(sdl, "\n"))
	buf.WriteString("\n\n# Directives the server accepts beyond the GraphQL specification's own.\n")
	formatter.NewFormatter(&buf, formatter.WithComments()).FormatSchemaDocument(&ast.SchemaDocument{Directives: extra})
	return buf.String()
}

// declares reports whether sdl declares directive name itself.
func declares(sdl, name string) bool {
	for rest := sdl; ; {
		i := strings.Index(rest, "directive @"+name)
		if i < 0 {
			return false
		}
		rest = rest[i+len("directive @"+name):]
		if rest == "" || !isNameByte(rest[0]) {
			return true
		}
	}
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
