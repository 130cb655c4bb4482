// Package gqlfast is the execution of every query operation: one mechanism for all object
// types and connections, driven by tables that a gqlgen plugin (./plugin) generates from
// schema.graphqls and the models at go generate (graph/fast.go).
//
// gqlgen's generated executor runs each field of each object on its own: a field context, a
// context value and a marshaler per field, a goroutine per list element and per resolver
// field, and the selection set collected again for every object. gqlfast plans each selection
// set once per type, resolves every resolver field once for all the objects the plan reaches
// (the batch resolvers gqlgen itself calls, so each relation has one batched read), and writes
// the JSON into one buffer: builtin scalars natively, anything else through the marshaler the
// generated executor would call.
//
// It answers a root field only when it can answer it exactly as gqlgen would. Anything it does
// not handle (introspection, @defer, a directive that refuses) and any error at all (a failed
// read, a null where the schema promises a value) hand the root field back to the generated
// executor, which reads again and answers with its errors and their paths.
package gqlfast

import (
	"context"

	"github.com/vektah/gqlparser/v2/ast"
)

// Schema is the generated description of the executable schema's object types.
type Schema struct {
	Types map[string]*Type
	// TypeOf names the object type of a value of an abstract type (interface or union).
	TypeOf func(v any) string
	// Query is the name of the query root type.
	Query string
	// Context returns the context resolvers and marshalers run with for one operation; the
	// generated code puts its execution context there.
	Context func(ctx context.Context) context.Context
}

// Type is one object type: the names its fragments may name, and its fields.
type Type struct {
	Name      string
	Satisfies []string
	Fields    map[string]*Field
}

// Kind says how a field's value is produced and written.
type Kind uint8

const (
	// Scalar: an enum or scalar (or a list of them) read from the parent and written by Write.
	Scalar Kind = iota
	// Object: an object, an abstract type or a list of them read from the parent by Children.
	Object
	// ResolvedScalar: a scalar or enum computed by Resolve, written by WriteValue.
	ResolvedScalar
	// ResolvedObject: an object (or a list) computed by Resolve, expanded by Elems.
	ResolvedObject
)

// Field is one field of an object type as the generated code reads and writes it.
type Field struct {
	Name string
	Kind Kind
	// Type is the named type of the value (for object kinds); Abstract when it is an
	// interface or a union, whose values are typed by Schema.TypeOf.
	Type     string
	Abstract bool
	// List: the value is a list of objects; NonNull: the value (or the list) may not be null;
	// ElemNonNull: a list's elements may not be null.
	List, NonNull, ElemNonNull bool

	// Args decodes the field's arguments exactly as the generated executor does; nil when
	// the field has none.
	Args func(ctx context.Context, raw map[string]any) (map[string]any, error)
	// Guard runs the field's directives; an error, or a directive that does not call
	// through, leaves the root field to the generated executor. Nil when there are none.
	Guard func(ctx context.Context) error

	// Write writes a Scalar field of parent; false when the value breaks the schema.
	Write func(ctx context.Context, w *Writer, parent any, sel ast.SelectionSet) bool
	// Children appends an Object field's value to dst: the object itself (nil for null), or
	// the elements of the list; null reports a null list.
	Children func(parent any, dst []any) (out []any, null bool)
	// Resolve computes the field for every parent at once, one value per parent.
	Resolve func(ctx context.Context, parents []any, args map[string]any) ([]any, error)
	// WriteValue writes a ResolvedScalar's value.
	WriteValue func(ctx context.Context, w *Writer, v any, sel ast.SelectionSet) bool
	// Elems appends a ResolvedObject's value to dst as Children does.
	Elems func(v any, dst []any) (out []any, null bool)
}
