package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// sseTransport streams subscriptions as server-sent events (graphql-sse, distinct
// connections mode) to a POST with Accept: text/event-stream. It is served by the same
// /graphql handler as every POST, so the key, permission gate and limit gate apply as they do
// to queries. An operation refused before it runs (403 by the permission gate, 429 by the
// limits, 400 too complex, a parse or validation failure) is answered like any refusal — its
// own HTTP status and a GraphQL error body — instead of a 200 stream carrying the error,
// so that an SSE client sees the refusal as one, with its status.
func sseTransport() graphql.Transport {
	return eventStream{transport.SSE{KeepAlivePingInterval: 15 * time.Second}}
}

type eventStream struct{ transport.SSE }

func (t eventStream) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	sw := &sealableWriter{ResponseWriter: w}
	t.SSE.Do(sw, r, refusingExecutor{GraphExecutor: exec, w: sw, r: r})
}

// refusingExecutor answers a refused operation itself, on the writer below gqlgen's SSE
// transport, and seals it: what the transport goes on to write for the refusal is dropped.
type refusingExecutor struct {
	graphql.GraphExecutor
	w *sealableWriter
	r *http.Request
}

func (e refusingExecutor) CreateOperationContext(ctx context.Context, params *graphql.RawParams) (*graphql.OperationContext, gqlerror.List) {
	oc, errs := e.GraphExecutor.CreateOperationContext(ctx, params)
	if errs != nil {
		// The gates' refusals carry their status in the request state, which the status
		// writer applies; a parse or validation failure is the request's fault: 400.
		resp := e.GraphExecutor.DispatchError(graphql.WithOperationContext(ctx, oc), errs)
		writeGraphQL(e.w.ResponseWriter, e.r, http.StatusBadRequest, errorBody{Errors: resp.Errors, Extensions: resp.Extensions})
		e.w.sealed = true
	}
	return oc, errs
}

// sealableWriter passes writes through until sealed, then drops them.
type sealableWriter struct {
	http.ResponseWriter
	sealed bool
	spare  http.Header
}

func (w *sealableWriter) Header() http.Header {
	if w.sealed {
		if w.spare == nil {
			w.spare = http.Header{}
		}
		return w.spare
	}
	return w.ResponseWriter.Header()
}

func (w *sealableWriter) WriteHeader(code int) {
	if !w.sealed {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *sealableWriter) Write(b []byte) (int, error) {
	if w.sealed {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}

func (w *sealableWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok && !w.sealed {
		f.Flush()
	}
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
