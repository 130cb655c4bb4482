package resolvers

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// Direct answers hot reads without gqlgen's per-field execution. Filled in below.
type Direct struct {
	r      *Resolver
	schema *ast.Schema
}

// NewDirect returns the direct path for r's schema.
func NewDirect(r *Resolver, schema *ast.Schema) *Direct { return &Direct{r: r, schema: schema} }

var _ interface {
	graphql.HandlerExtension
	graphql.RootFieldInterceptor
} = (*Direct)(nil)

func (*Direct) ExtensionName() string                          { return "DirectReads" }
func (*Direct) Validate(schema graphql.ExecutableSchema) error { return nil }

func (d *Direct) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	return next(ctx)
}
