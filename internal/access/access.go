// Package access enforces @hasPermission. Before anything executes, the whole operation
// (fragments and inline fragments included) is checked against the caller's key and refused
// as a unit; the directive then guards each field again at run time as a second wall.
package access

import (
	"context"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/models"
)

// DirectiveName is the schema directive this package enforces.
const DirectiveName = "hasPermission"

// OperationGate is a gqlgen extension that refuses an operation selecting any field whose
// permission the caller lacks.
type OperationGate struct{}

var (
	_ graphql.HandlerExtension        = OperationGate{}
	_ graphql.OperationContextMutator = OperationGate{}
)

func (OperationGate) ExtensionName() string                   { return "PermissionGate" }
func (OperationGate) Validate(graphql.ExecutableSchema) error { return nil }
func (OperationGate) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	p := auth.PrincipalFrom(ctx)
	if p == nil {
		err := &apperr.Error{Code: apperr.EUNAUTHORIZED, Reason: auth.ReasonMissing, Message: "an API key is required"}
		return &gqlerror.Error{Message: err.Message, Err: err}
	}
	missing := Missing(p, Required(oc.Operation.SelectionSet))
	if len(missing) == 0 {
		return nil
	}
	err := forbidden(missing)
	return &gqlerror.Error{Message: err.Message, Err: err}
}

// Required returns the permissions the fields of a selection set need.
func Required(set ast.SelectionSet) map[models.Permission]bool {
	need := map[models.Permission]bool{}
	collect(set, need, map[string]bool{})
	return need
}

func collect(set ast.SelectionSet, need map[models.Permission]bool, seenFragments map[string]bool) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Definition != nil {
				if d := s.Definition.Directives.ForName(DirectiveName); d != nil {
					if arg := d.Arguments.ForName("permission"); arg != nil && arg.Value != nil {
						need[models.Permission(arg.Value.Raw)] = true
					}
				}
			}
			collect(s.SelectionSet, need, seenFragments)
		case *ast.InlineFragment:
			collect(s.SelectionSet, need, seenFragments)
		case *ast.FragmentSpread:
			if s.Definition != nil && !seenFragments[s.Name] {
				seenFragments[s.Name] = true
				collect(s.Definition.SelectionSet, need, seenFragments)
			}
		}
	}
}

// Missing lists, in schema order, the permissions in need that p lacks.
func Missing(p *auth.Principal, need map[models.Permission]bool) []models.Permission {
	var out []models.Permission
	for _, perm := range models.AllPermission {
		if need[perm] && !p.Has(perm) {
			out = append(out, perm)
		}
	}
	return out
}

func forbidden(missing []models.Permission) *apperr.Error {
	names := make([]string, len(missing))
	for i, m := range missing {
		names[i] = string(m)
	}
	return &apperr.Error{Code: apperr.EFORBIDDEN, Missing: names,
		Message: "this API key lacks the permission this operation needs: " + strings.Join(names, ", ")}
}

// Require returns an EFORBIDDEN error unless the caller holds every permission in perms.
func Require(ctx context.Context, perms ...models.Permission) error {
	p := auth.PrincipalFrom(ctx)
	if p == nil {
		return &apperr.Error{Code: apperr.EUNAUTHORIZED, Reason: auth.ReasonMissing, Message: "an API key is required"}
	}
	need := map[models.Permission]bool{}
	for _, perm := range perms {
		need[perm] = true
	}
	if missing := Missing(p, need); len(missing) > 0 {
		return forbidden(missing)
	}
	return nil
}

// Directive implements @hasPermission at run time.
func Directive(ctx context.Context, _ any, next graphql.Resolver, permission models.Permission) (any, error) {
	if err := Require(ctx, permission); err != nil {
		return nil, err
	}
	return next(ctx)
}
