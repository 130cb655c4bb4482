package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wbk/crm/internal/apperr"
)

// persistedQueryNotFound is the code gqlgen's APQ extension gives an unknown hash; Apollo's
// PersistedQueryLink reacts to it by sending the query text.
const persistedQueryNotFound = "PERSISTED_QUERY_NOT_FOUND"

// persistedQueries is gqlgen's APQ extension with this API's error mapping: an unknown hash
// stays PERSISTED_QUERY_NOT_FOUND with status 200 (the client's normal first step), every
// other APQ failure (a hash that does not match the text, an unsupported version, a malformed
// extension) is the client's mistake: BAD_REQUEST, 400.
type persistedQueries struct {
	extension.AutomaticPersistedQuery
}

func newPersistedQueries(cache graphql.Cache[string]) persistedQueries {
	return persistedQueries{extension.AutomaticPersistedQuery{Cache: cache}}
}

func (p persistedQueries) MutateOperationParameters(ctx context.Context, raw *graphql.RawParams) *gqlerror.Error {
	err := p.AutomaticPersistedQuery.MutateOperationParameters(ctx, raw)
	if err == nil || err.Extensions["code"] == persistedQueryNotFound {
		return err
	}
	e := &apperr.Error{Code: apperr.EBADREQUEST, Message: "persisted query: " + err.Message}
	return &gqlerror.Error{Message: e.Message, Err: e}
}

func init() {
	// gqlgen leaves the code unregistered, which its transports answer with 200; state it.
	errcode.RegisterErrorType(persistedQueryNotFound, errcode.KindUser)
}

// sseTransport streams subscriptions as server-sent events (graphql-sse, distinct
// connections mode) to a POST with Accept: text/event-stream. It is served by the same
// /graphql handler as every POST, so the key, permission gate and limit gate apply as they do
// to queries; a refusal by a gate arrives as the stream's one "next" event with the error's
// extensions.code, followed by "complete".
func sseTransport() graphql.Transport {
	return transport.SSE{KeepAlivePingInterval: 15 * time.Second}
}

// wantsEventStream reports a request for an SSE stream.
func wantsEventStream(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// requestContext is a request's context under its deadline; an event stream has none (it
// lives as long as its subscription, as a websocket does).
func requestContext(ctx context.Context, timeout time.Duration, stream bool) (context.Context, context.CancelFunc) {
	if stream {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, timeout)
}

// liftDeadlines frees a long-lived response (websocket, event stream) from the server's read
// and write timeouts, which are meant for ordinary requests; keep-alive pings detect dead peers.
func liftDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
}
