package httpapi

import (
	"net/http"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/idempotency"
)

// idempotencyTransport is what the idempotency middleware (internal/idempotency) needs of
// this transport: the decoded request, the error and media-type mapping, the final status.
type idempotencyTransport struct{ api *API }

var _ idempotency.Transport = idempotencyTransport{}

func (t idempotencyTransport) Describe(r *http.Request) (idempotency.Request, bool) {
	ctx := r.Context()
	params, _ := ctx.Value(paramsKey{}).(*graphql.RawParams)
	p := auth.PrincipalFrom(ctx)
	if params == nil || p == nil {
		return idempotency.Request{}, false
	}
	// The decoder's cheap pass (cached by query text) already knows the operation's kind; a
	// query that does not parse is no mutation, and the executor answers it as usual.
	mutation := t.api.shapeOf(ctx, params.Query).Operation(params.OperationName) == ast.Mutation
	return idempotency.Request{KeyID: p.Key.ID, Mutation: mutation,
		Query: params.Query, OperationName: params.OperationName, Variables: params.Variables}, true
}

func (idempotencyTransport) Fail(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, asAppError(err))
}

func (idempotencyTransport) Status(r *http.Request, written int) int {
	if s := stateFrom(r.Context()); s != nil {
		return s.statusOr(written)
	}
	return written
}

func (idempotencyTransport) ContentType(r *http.Request) string { return responseType(r) }
