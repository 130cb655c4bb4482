package httpapi

import (
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wbk/crm/internal/apperr"
)

// This file words the errors that gqlgen and gqlparser write, which reach callers through
// the error presenter (errors.go): a variable that does not fit its type is said in the
// API's words, and no message quotes more than apperr.EchoLimit characters of the request.

// ownError is the caller's copy of an error gqlgen or gqlparser made (parse, validation,
// variable coercion): its message cut to the echo limit, a coercion failure reworded.
func ownError(schema *ast.Schema, e *gqlerror.Error) *gqlerror.Error {
	if c := coercionError(schema, e); c != nil {
		return c
	}
	msg := apperr.LimitEcho(e.Message)
	if msg == e.Message {
		return e
	}
	c := *e
	c.Message = msg
	return &c
}

// coercionError is a variable-coercion failure of gqlparser ("cannot use map as String" at
// variable.input.email) as this API states one: BAD_USER_INPUT, the variable's path in
// field ("input.email") and the message in the API's words ("email must be a string").
// Anything else is nil.
func coercionError(schema *ast.Schema, e *gqlerror.Error) *gqlerror.Error {
	if e.Rule != "" || len(e.Path) < 2 || e.Path[0] != ast.PathName("variable") {
		return nil
	}
	var names []string
	for _, p := range e.Path[1:] {
		if name, ok := p.(ast.PathName); ok {
			names = append(names, apperr.Cut(string(name))) // an unknown field's name is the caller's
		}
	}
	if len(names) == 0 {
		return nil
	}
	field := strings.Join(names, ".")
	name := names[len(names)-1]
	msg := coercionMessage(schema, name, names, e.Message)
	return &gqlerror.Error{Message: apperr.LimitEcho(msg), Path: e.Path, Locations: e.Locations,
		Extensions: map[string]any{"code": transportCodeOf(apperr.EINVALID).graphql, "field": field}}
}

func coercionMessage(schema *ast.Schema, name string, names []string, msg string) string {
	switch {
	case msg == "cannot be null":
		return name + " must not be null"
	case msg == "must be defined":
		return name + " is required"
	case msg == "unknown field":
		if len(names) > 1 {
			return name + " is not a field of " + names[len(names)-2]
		}
		return name + " is not a known field"
	case strings.HasPrefix(msg, "must be a ") && strings.Contains(msg, ", not a "):
		return name + " must be an object"
	case msg == "enums must be ints or strings":
		return name + " must be a string naming one of its values"
	case strings.Contains(msg, " is not a valid "):
		typ := msg[strings.LastIndex(msg, " is not a valid ")+len(" is not a valid "):]
		return name + " must be " + enumChoice(schema, typ)
	case strings.HasPrefix(msg, "cannot use "):
		typ := msg[strings.LastIndex(msg, " as ")+len(" as "):]
		typ, _, _ = strings.Cut(typ, ":")
		return name + " must be " + expected(typ)
	}
	return msg
}

// expected says what a value of a scalar type is, as an API user knows it.
func expected(typ string) string {
	switch typ {
	case "String":
		return "a string"
	case "Int":
		return "an integer (32 bits)"
	case "Float":
		return "a number"
	case "Boolean":
		return "true or false"
	case "ID":
		return "an id (a string)"
	}
	return "a " + typ
}

// enumChoice lists an enum type's values: "one of DRAFT, SCHEDULED, SENT".
func enumChoice(schema *ast.Schema, typ string) string {
	def := schema.Types[typ]
	if def == nil || def.Kind != ast.Enum {
		return "a " + typ
	}
	values := make([]string, len(def.EnumValues))
	for i, v := range def.EnumValues {
		values[i] = v.Name
	}
	return "one of " + strings.Join(values, ", ")
}
