package gqlfast

import (
	"context"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Exec answers query root fields from a generated Schema; it is installed in gqlgen's server
// as a root-field interceptor, innermost, after every gate (key, permission, price, limits).
type Exec struct {
	s *Schema
	// Answered, when set, is told of each root field the fast path answered (tests).
	Answered func(field string)
}

// New returns the executor over s.
func New(s *Schema) *Exec { return &Exec{s: s} }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationInterceptor
	graphql.ResponseInterceptor
	graphql.RootFieldInterceptor
} = (*Exec)(nil)

func (*Exec) ExtensionName() string                   { return "FastExecution" }
func (*Exec) Validate(graphql.ExecutableSchema) error { return nil }

// answeredKey marks an operation's context with whether gqlfast answered it: a transport that
// streams (server-sent events) asks for responses until one is nil, and the one gqlfast gave
// was the whole answer.
type answeredKey struct{}

// InterceptOperation gives the operation its mark.
func (e *Exec) InterceptOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	return next(context.WithValue(ctx, answeredKey{}, new(atomic.Bool)))
}

// InterceptResponse answers a whole query operation when it can answer every root field:
// one answer, without gqlgen's execution of the root fields around them. Otherwise the
// generated executor runs, and gqlfast answers what root fields it can (InterceptRootField).
func (e *Exec) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	if !graphql.HasOperationContext(ctx) || e.s.Query == "" {
		return next(ctx)
	}
	answered, _ := ctx.Value(answeredKey{}).(*atomic.Bool)
	if answered == nil {
		return next(ctx)
	}
	if answered.Load() {
		return nil // the end of the answer
	}
	oc := graphql.GetOperationContext(ctx)
	// Errors already: a gate refused the operation, and gqlgen answers them.
	if oc.Operation == nil || oc.Operation.Operation != ast.Query || graphql.GetErrors(ctx) != nil {
		return next(ctx)
	}
	roots := graphql.CollectFields(oc, oc.Operation.SelectionSet, []string{e.s.Query})
	query := e.s.Types[e.s.Query]
	for _, cf := range roots {
		if cf.IsDeferred() || (cf.Name != "__typename" && query.Fields[cf.Name] == nil) {
			return next(ctx)
		}
	}
	fctx := e.s.Context(ctx)
	w := &Writer{b: make([]byte, 0, 4<<10)}
	w.byte('{')
	for i, cf := range roots {
		if i > 0 {
			w.byte(',')
		}
		w.byte('"')
		w.raw(cf.Alias)
		w.raw(`":`)
		if cf.Name == "__typename" {
			w.String(e.s.Query)
			continue
		}
		if !e.answer(fctx, oc, cf, query.Fields[cf.Name], w) {
			return next(ctx)
		}
	}
	w.byte('}')
	answered.Store(true)
	if e.Answered != nil {
		for _, cf := range roots {
			e.Answered(cf.Name)
		}
	}
	return &graphql.Response{Data: w.b, Extensions: graphql.GetExtensions(ctx)}
}

// InterceptRootField answers a query's root field when it can, and leaves it to the
// generated executor otherwise.
func (e *Exec) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	rfc := graphql.GetRootFieldContext(ctx)
	if rfc == nil || rfc.Field.Field == nil || !graphql.HasOperationContext(ctx) {
		return next(ctx)
	}
	oc := graphql.GetOperationContext(ctx)
	if oc.Operation == nil || oc.Operation.Operation != ast.Query || e.s.Query == "" {
		return next(ctx)
	}
	f := e.s.Types[e.s.Query].Fields[rfc.Field.Name]
	if f == nil || rfc.Field.IsDeferred() {
		return next(ctx)
	}
	w := newWriter()
	if !e.answer(e.s.Context(ctx), oc, rfc.Field, f, w) {
		w.release()
		return next(ctx)
	}
	if e.Answered != nil {
		e.Answered(rfc.Field.Name)
	}
	return w
}

// answer resolves, plans and writes one root field's value into w; false leaves it to the
// generated executor (w then holds a partial value). A panic of a resolver is left to the
// generated executor too, which recovers it and reports it with its path.
func (e *Exec) answer(ctx context.Context, oc *graphql.OperationContext, cf graphql.CollectedField, f *Field, w *Writer) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	if f.Guard != nil && f.Guard(ctx) != nil {
		return false
	}
	x := execution{e: e, oc: oc}
	top := &plan{typ: &Type{Name: e.s.Query}, objs: []any{nil}}
	pf := planned{f: f, cf: cf, sel: cf.Selections}
	if !x.prepare(ctx, &pf) || !x.resolveField(ctx, top, &pf) {
		return false
	}
	return x.writeValue(ctx, w, top, &pf, 0)
}

// execution is one root field's plans and values.
type execution struct {
	e  *Exec
	oc *graphql.OperationContext
}

// node is the objects one selected object-valued field reaches, in the order they are
// written, and their plans by object type.
type node struct {
	sel      ast.SelectionSet
	typ      string // the field's named type
	abstract bool
	objs     []any
	at       []objRef
	plans    []*plan
}

// objRef places a node's object in its type's plan; a nil plan is a null object.
type objRef struct {
	p *plan
	i int32
}

// plan is a selection set planned on one object type, with the objects it applies to.
type plan struct {
	typ    *Type
	fields []planned
	objs   []any
}

// planned is one field of a plan, fields with the same response key merged, fragments and
// @skip/@include applied.
type planned struct {
	key      string // `"alias":`
	typename string // __typename: the quoted type name
	f        *Field
	cf       graphql.CollectedField
	sel      ast.SelectionSet
	args     map[string]any
	vals     []any  // ResolvedScalar, ResolvedObject: one per object of the plan
	spans    []span // Object, ResolvedObject: each object's children in child.objs
	child    *node
}

type span struct {
	start, end int32
	null       bool
}

// prepare decodes a planned field's arguments and, for object values, makes its child node.
func (x *execution) prepare(ctx context.Context, pf *planned) bool {
	f := pf.f
	if f.Args != nil {
		args, err := f.Args(ctx, pf.cf.ArgumentMap(x.oc.Variables))
		if err != nil {
			return false
		}
		pf.args = args
	}
	if f.Kind == Object || f.Kind == ResolvedObject {
		pf.child = &node{sel: pf.cf.Selections, typ: f.Type, abstract: f.Abstract}
	}
	return true
}

// planFor plans n's selection set on the object type name, once per node and type.
func (x *execution) planFor(n *node, name string) *plan {
	for _, p := range n.plans {
		if p.typ.Name == name {
			return p
		}
	}
	t := x.e.s.Types[name]
	if t == nil {
		return nil
	}
	collected := graphql.CollectFields(x.oc, n.sel, t.Satisfies)
	p := &plan{typ: t, fields: make([]planned, len(collected))}
	for i, cf := range collected {
		pf := &p.fields[i]
		pf.key = `"` + cf.Alias + `":`
		if cf.IsDeferred() {
			return nil
		}
		if cf.Name == "__typename" {
			pf.typename = `"` + name + `"`
			continue
		}
		pf.f = t.Fields[cf.Name]
		if pf.f == nil || pf.f.Guard != nil {
			return nil
		}
		pf.cf, pf.sel = cf, cf.Selections
	}
	n.plans = append(n.plans, p)
	return p
}

// resolve places n's objects in their plans, then resolves every field of every plan for all
// its objects at once, and the nodes below.
func (x *execution) resolve(ctx context.Context, n *node) bool {
	if len(n.objs) == 0 {
		return true
	}
	n.at = make([]objRef, len(n.objs))
	for i, o := range n.objs {
		if o == nil {
			continue
		}
		name := n.typ
		if n.abstract {
			name = x.e.s.TypeOf(o)
		}
		p := x.planFor(n, name)
		if p == nil {
			return false
		}
		n.at[i] = objRef{p: p, i: int32(len(p.objs))}
		p.objs = append(p.objs, o)
	}
	for _, p := range n.plans {
		for i := range p.fields {
			pf := &p.fields[i]
			if pf.f == nil {
				continue
			}
			if !x.prepare(ctx, pf) || !x.resolveField(ctx, p, pf) {
				return false
			}
		}
	}
	return true
}

// resolveField computes pf for every object of p and resolves the objects it reaches.
func (x *execution) resolveField(ctx context.Context, p *plan, pf *planned) bool {
	f := pf.f
	switch f.Kind {
	case Scalar:
		return true
	case ResolvedScalar, ResolvedObject:
		fctx := graphql.WithFieldContext(ctx, &graphql.FieldContext{Object: p.typ.Name, Field: pf.cf,
			Args: pf.args, IsMethod: true, IsResolver: true})
		vals, err := f.Resolve(fctx, p.objs, pf.args)
		if err != nil || len(vals) != len(p.objs) {
			return false
		}
		pf.vals = vals
		if f.Kind == ResolvedScalar {
			return true
		}
	}
	c := pf.child
	pf.spans = make([]span, len(p.objs))
	for i, o := range p.objs {
		start := int32(len(c.objs))
		var null bool
		if f.Kind == Object {
			c.objs, null = f.Children(o, c.objs)
		} else {
			c.objs, null = f.Elems(pf.vals[i], c.objs)
		}
		pf.spans[i] = span{start: start, end: int32(len(c.objs)), null: null}
	}
	return x.resolve(ctx, c)
}

// writeValue writes pf's value for the i-th object of p.
func (x *execution) writeValue(ctx context.Context, w *Writer, p *plan, pf *planned, i int) bool {
	f := pf.f
	switch f.Kind {
	case Scalar:
		return f.Write(ctx, w, p.objs[i], pf.sel)
	case ResolvedScalar:
		return f.WriteValue(ctx, w, pf.vals[i], pf.sel)
	}
	sp := pf.spans[i]
	if sp.null {
		if f.NonNull {
			return false
		}
		w.Null()
		return true
	}
	if !f.List {
		return x.writeObject(ctx, w, pf.child, int(sp.start), f.NonNull)
	}
	w.byte('[')
	for c := sp.start; c < sp.end; c++ {
		if c > sp.start {
			w.byte(',')
		}
		if !x.writeObject(ctx, w, pf.child, int(c), f.ElemNonNull) {
			return false
		}
	}
	w.byte(']')
	return true
}

// writeObject writes the i-th object of n; a null where the schema promises an object breaks
// the answer.
func (x *execution) writeObject(ctx context.Context, w *Writer, n *node, i int, nonNull bool) bool {
	ref := n.at[i]
	if ref.p == nil {
		if nonNull {
			return false
		}
		w.Null()
		return true
	}
	p := ref.p
	w.byte('{')
	for k := range p.fields {
		pf := &p.fields[k]
		if k > 0 {
			w.byte(',')
		}
		w.raw(pf.key)
		if pf.f == nil {
			w.raw(pf.typename)
			continue
		}
		if !x.writeValue(ctx, w, p, pf, int(ref.i)) {
			return false
		}
	}
	w.byte('}')
	return true
}
