// Package gen is the gqlgen plugin that writes gqlfast's tables for a schema: for every object
// type, how each field's value is read from the model (or resolved, by the same resolvers and
// batch resolvers the generated executor calls) and how it is written. It runs at go generate
// beside gqlgen's own generation, so a field added to the schema is served by gqlfast after
// regeneration with no other edit.
package gen

import (
	_ "embed"
	"fmt"
	"go/types"
	"path/filepath"
	"strings"

	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
	"github.com/99designs/gqlgen/codegen/templates"
	"github.com/99designs/gqlgen/plugin"
	"github.com/vektah/gqlparser/v2/ast"
)

//go:embed fast.gotpl
var tpl string

// Native names the writer of gqlfast.Writer that replicates a scalar marshaler exactly:
// "String" (also ID), "Int", "Bool" or "Time".
type Native string

// Plugin generates gqlfast's tables into the exec package, next to the generated executor.
type Plugin struct {
	// Natives maps a marshal function ("github.com/99designs/gqlgen/graphql.MarshalString")
	// to the native writer that writes the same bytes without a Marshaler per value. Scalars
	// not listed are written through the generated executor's own marshal function.
	Natives map[string]Native
	cfg     *config.Config
}

// New returns the plugin with gqlgen's builtin scalars native, and extra ones.
func New(extra map[string]Native) *Plugin {
	n := map[string]Native{
		"github.com/99designs/gqlgen/graphql.MarshalString":  "String",
		"github.com/99designs/gqlgen/graphql.MarshalID":      "String",
		"github.com/99designs/gqlgen/graphql.MarshalInt":     "Int",
		"github.com/99designs/gqlgen/graphql.MarshalInt32":   "Int",
		"github.com/99designs/gqlgen/graphql.MarshalInt64":   "Int",
		"github.com/99designs/gqlgen/graphql.MarshalBoolean": "Bool",
	}
	for k, v := range extra {
		n[k] = v
	}
	return &Plugin{Natives: n}
}

var _ plugin.CodeGenerator = (*Plugin)(nil)

func (*Plugin) Name() string { return "gqlfast" }

// GenerateCode writes fast.go into the exec package.
func (p *Plugin) GenerateCode(data *codegen.Data) error {
	p.cfg = data.Config
	return templates.Render(templates.Options{
		PackageName:     data.Config.Exec.Package,
		Filename:        filepath.Join(data.Config.Exec.Dir(), "fast.go"),
		Data:            &view{Data: data, p: p},
		Template:        tpl,
		GeneratedHeader: true,
		Packages:        data.Config.Packages,
		Funcs: map[string]any{
			"fastFields": fastFields,
			"writeCode":  p.writeCode,
			"elemsCode":  elemsCode,
			"goType":     func(t types.Type) string { return templates.CurrentImports.LookupType(t) },
		},
	})
}

type view struct {
	*codegen.Data
	p *Plugin
}

// Served lists the object types gqlfast answers: the query root and every object type that
// is not a root or introspection type.
func (v *view) Served() []*codegen.Object {
	var out []*codegen.Object
	for _, o := range v.Objects {
		if strings.HasPrefix(o.Name, "__") || (o.Root && o != v.QueryRoot) {
			continue
		}
		out = append(out, o)
	}
	return out
}

// OperationDirectives reports directives a query may place on its fields (location FIELD)
// other than @skip/@include: gqlfast would not run them, so it answers nothing.
func (v *view) OperationDirectives() bool {
	for _, d := range v.AllDirectives.LocationDirectives(string(ast.LocationField)) {
		if !d.SkipRuntime && d.Name != "skip" && d.Name != "include" {
			return true
		}
	}
	return false
}

// field is one field as the template writes it.
type field struct {
	*codegen.Field
	Kind     string // Scalar, Object, ResolvedScalar, ResolvedObject
	Abstract bool
	List     bool
	Batch    bool
}

// fastFields lists the fields of o gqlfast can serve and how. A field it cannot (bound to a
// map, a haser, a (value, ok) method, a nested list) is left out: selecting it leaves the
// root field to the generated executor.
func fastFields(o *codegen.Object) []*field {
	var out []*field
	for _, f := range o.Fields {
		if strings.HasPrefix(f.Name, "__") || f.GoFieldType == codegen.GoFieldMap || f.HasHaser || f.VOkFunc ||
			f.Stream || f.TypeReference == nil || f.TypeReference.Definition == nil {
			continue
		}
		gql := f.TypeReference.GQL
		if gql.Elem != nil && gql.Elem.Elem != nil {
			continue
		}
		def := f.TypeReference.Definition
		isObj := def.Kind == ast.Object || def.Kind == ast.Interface || def.Kind == ast.Union
		resolved := f.IsResolver || f.MethodHasContext || (f.IsMethod() && !f.NoErr) || len(f.Args) > 0
		x := &field{Field: f, Abstract: def.Kind != ast.Object, List: gql.Elem != nil, Batch: f.IsBatch() && !o.Root}
		switch {
		case isObj && resolved:
			x.Kind = "ResolvedObject"
		case isObj:
			x.Kind = "Object"
		case resolved:
			x.Kind = "ResolvedScalar"
		default:
			x.Kind = "Scalar"
		}
		out = append(out, x)
	}
	return out
}

// writeCode is Go code writing the scalar value v of type ref and returning whether it could.
func (p *Plugin) writeCode(ref *config.TypeReference, v string) string {
	if code, ok := p.native(ref, v); ok {
		return code
	}
	var b strings.Builder
	if ref.GQL.NonNull && (ref.IsPtr() || isInterface(ref.GO)) {
		fmt.Fprintf(&b, "if %s == nil {\n\treturn false\n}\n", v)
	}
	fmt.Fprintf(&b, "fastEC(ctx).%s(ctx, sel, %s).MarshalGQL(w)\nreturn true", ref.MarshalFunc(), v)
	return b.String()
}

// native is the code of a native writer for ref, when its marshaler has one and its Go type
// is one the writer takes.
func (p *Plugin) native(ref *config.TypeReference, v string) (string, bool) {
	t := ref.GO
	if ref.GQL.Elem == nil && p.modelEnum(t) {
		return p.quoted(ref, v)
	}
	if ref.Marshaler == nil || ref.Marshaler.Pkg() == nil {
		return "", false
	}
	writer, ok := p.Natives[ref.Marshaler.Pkg().Path()+"."+ref.Marshaler.Name()]
	if !ok || ref.CastType != nil {
		return "", false
	}
	if ref.GQL.Elem != nil {
		s, ok := t.Underlying().(*types.Slice)
		if !ok || writer != "String" || !ref.GQL.Elem.NonNull || !isBasic(s.Elem(), types.IsString) {
			return "", false
		}
		code := ""
		if !ref.GQL.NonNull {
			code = fmt.Sprintf("if %s == nil {\n\tw.Null()\n\treturn true\n}\n", v)
		}
		return code + fmt.Sprintf("w.Strings(%s)\nreturn true", v), true
	}
	expr, code := v, ""
	if ptr, ok := t.(*types.Pointer); ok {
		t, expr = ptr.Elem(), "*"+v
		if ref.GQL.NonNull {
			code = fmt.Sprintf("if %s == nil {\n\treturn false\n}\n", v)
		} else {
			code = fmt.Sprintf("if %s == nil {\n\tw.Null()\n\treturn true\n}\n", v)
		}
	}
	switch writer {
	case "String":
		if !isBasic(t, types.IsString) {
			return "", false
		}
		return code + fmt.Sprintf("w.String(string(%s))\nreturn true", expr), true
	case "Int":
		if !isBasic(t, types.IsInteger) {
			return "", false
		}
		return code + fmt.Sprintf("w.Int(int64(%s))\nreturn true", expr), true
	case "Bool":
		if !isBasic(t, types.IsBoolean) {
			return "", false
		}
		return code + fmt.Sprintf("w.Bool(bool(%s))\nreturn true", expr), true
	case "Time":
		if n, ok := t.(*types.Named); !ok || n.Obj().Pkg() == nil || n.Obj().Pkg().Path() != "time" || n.Obj().Name() != "Time" {
			return "", false
		}
		return code + fmt.Sprintf("w.Time(%s)\nreturn true", expr), true
	}
	return "", false
}

// quoted writes a value of an enum type generated by gqlgen's modelgen, whose MarshalGQL
// writes strconv.Quote of its string.
func (p *Plugin) quoted(ref *config.TypeReference, v string) (string, bool) {
	expr, code := v, ""
	if _, ok := ref.GO.(*types.Pointer); ok {
		expr = "*" + v
		if ref.GQL.NonNull {
			code = fmt.Sprintf("if %s == nil {\n\treturn false\n}\n", v)
		} else {
			code = fmt.Sprintf("if %s == nil {\n\tw.Null()\n\treturn true\n}\n", v)
		}
	}
	return code + fmt.Sprintf("w.Quote(string(%s))\nreturn true", expr), true
}

// modelEnum reports whether t (or what it points to) is a string enum whose MarshalGQL
// gqlgen's modelgen wrote into the models file: its bytes are strconv.Quote of the value.
func (p *Plugin) modelEnum(t types.Type) bool {
	if ptr, ok := t.(*types.Pointer); ok {
		t = ptr.Elem()
	}
	n, ok := t.(*types.Named)
	if !ok || n.Obj().Pkg() == nil || !isBasic(n, types.IsString) || p.cfg == nil || !p.cfg.Model.IsDefined() {
		return false
	}
	m, _, _ := types.LookupFieldOrMethod(n, false, n.Obj().Pkg(), "MarshalGQL")
	if m == nil {
		return false
	}
	pkg := p.cfg.Packages.Load(n.Obj().Pkg().Path())
	if pkg == nil || pkg.Fset == nil {
		return false
	}
	file, err := filepath.Abs(pkg.Fset.Position(m.Pos()).Filename)
	model, err2 := filepath.Abs(p.cfg.Model.Filename)
	return err == nil && err2 == nil && file == model
}

func isBasic(t types.Type, info types.BasicInfo) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Info()&info != 0
}

func isInterface(t types.Type) bool {
	_, ok := t.Underlying().(*types.Interface)
	return ok
}

// elemsCode is Go code appending the object value v of type ref to dst (the elements of a
// list), returning dst and whether the value is null.
func elemsCode(ref *config.TypeReference, v string) string {
	var b strings.Builder
	t := ref.GO
	if ref.GQL.Elem == nil {
		if _, ok := t.Underlying().(*types.Struct); ok {
			fmt.Fprintf(&b, "return append(dst, &%s), false", v)
			return b.String()
		}
		fmt.Fprintf(&b, "if %s == nil {\n\treturn dst, true\n}\nreturn append(dst, %s), false", v, v)
		return b.String()
	}
	if ptr, ok := t.(*types.Pointer); ok {
		fmt.Fprintf(&b, "if %s == nil {\n\treturn dst, true\n}\n", v)
		v, t = "(*"+v+")", ptr.Elem()
	}
	if !ref.GQL.NonNull {
		fmt.Fprintf(&b, "if %s == nil {\n\treturn dst, true\n}\n", v)
	}
	s, _ := t.Underlying().(*types.Slice)
	if s != nil {
		if _, ok := s.Elem().Underlying().(*types.Struct); ok {
			fmt.Fprintf(&b, "for i := range %s {\n\tdst = append(dst, &%s[i])\n}\nreturn dst, false", v, v)
			return b.String()
		}
	}
	fmt.Fprintf(&b, "for _, e := range %s {\n\tif e == nil {\n\t\tdst = append(dst, nil)\n\t} else {\n\t\tdst = append(dst, e)\n\t}\n}\nreturn dst, false", v)
	return b.String()
}
