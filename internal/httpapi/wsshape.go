package httpapi

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/cost"
	"github.com/wbk/crm/internal/textcheck"
)

// socketShapeGate gives operations that reach the executor without the HTTP decoder — those
// subscribed over the websocket — the same cheap pass (tokens, fields with fragments
// expanded, depth) before gqlgen validates them, so an oversized document sent over a socket
// is refused as cheaply as one POSTed. Requests the decoder read were checked already
// (checkShape) and pass through. It runs after the persisted-query extension, which may have
// filled the query in from its hash.
type socketShapeGate struct{ api *API }

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = socketShapeGate{}

func (socketShapeGate) ExtensionName() string                   { return "SocketShape" }
func (socketShapeGate) Validate(graphql.ExecutableSchema) error { return nil }

func (g socketShapeGate) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" || ctx.Value(paramsKey{}) != nil {
		return nil
	}
	// No position of the document can reach the text gate from here, so a document that is
	// not all text is refused whole.
	var marked []int
	if p.Query, marked = textcheck.MarkDocument(p.Query); marked != nil {
		e := &apperr.Error{Code: apperr.EINVALID, Message: "the document must be valid UTF-8 text without NUL characters"}
		gqlErr := &gqlerror.Error{Err: e}
		toGraphQL(gqlErr, e)
		return gqlErr
	}
	shape := g.api.shapeOf(ctx, p.Query)
	if shape.Refused == cost.ReasonNone {
		return nil
	}
	e := tooComplexShape(shape.Refused)
	gqlErr := &gqlerror.Error{Err: e}
	toGraphQL(gqlErr, e)
	return gqlErr
}
