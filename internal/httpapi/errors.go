package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/wbk/crm/internal/apperr"
)

// This file is the one place that turns application error codes into what callers see:
// GraphQL extensions.code and, for errors that stop a whole request, the HTTP status.

// statusClientClosedRequest is nginx's status for a request whose client went away.
const statusClientClosedRequest = 499

type transportCode struct {
	graphql string
	status  int
}

var transportCodes = map[apperr.Code]transportCode{
	apperr.ENOTFOUND:     {"NOT_FOUND", http.StatusOK},
	apperr.EINVALID:      {"BAD_USER_INPUT", http.StatusOK},
	apperr.ECONFLICT:     {"CONFLICT", http.StatusOK},
	apperr.EUNAUTHORIZED: {"UNAUTHENTICATED", http.StatusUnauthorized},
	apperr.EFORBIDDEN:    {"FORBIDDEN", http.StatusForbidden},
	apperr.ETOOCOMPLEX:   {"QUERY_TOO_COMPLEX", http.StatusBadRequest},
	apperr.ERATELIMITED:  {"RATE_LIMITED", http.StatusTooManyRequests},
	apperr.ETOOLARGE:     {"REQUEST_TOO_LARGE", http.StatusRequestEntityTooLarge},
	apperr.EMETHOD:       {"METHOD_NOT_ALLOWED", http.StatusMethodNotAllowed},
	apperr.EBADREQUEST:   {"BAD_REQUEST", http.StatusBadRequest},
	apperr.EMEDIATYPE:    {"UNSUPPORTED_MEDIA_TYPE", http.StatusUnsupportedMediaType},
	apperr.ENOTACCEPT:    {"NOT_ACCEPTABLE", http.StatusNotAcceptable},
	apperr.ETIMEOUT:      {"TIMEOUT", http.StatusServiceUnavailable},
	apperr.EUNAVAILABLE:  {"SERVICE_UNAVAILABLE", http.StatusServiceUnavailable},
	apperr.EINTERNAL:     {"INTERNAL_SERVER_ERROR", http.StatusInternalServerError},
	// Nobody reads it: the status is for the request log and metrics, as nginx's 499.
	apperr.ECANCELED: {"CLIENT_CLOSED_REQUEST", statusClientClosedRequest},

	apperr.EIDEMPOTENCYREUSED:   {"IDEMPOTENCY_KEY_REUSED", http.StatusUnprocessableEntity},
	apperr.EIDEMPOTENCYINFLIGHT: {"CONFLICT", http.StatusConflict},
}

// transportCodeOf is how code reaches callers; a code without an entry is an internal error.
func transportCodeOf(code apperr.Code) transportCode {
	if tc, ok := transportCodes[code]; ok {
		return tc
	}
	return transportCodes[apperr.EINTERNAL]
}

// toGraphQL fills a GraphQL error from an application error.
func toGraphQL(gqlErr *gqlerror.Error, e *apperr.Error) transportCode {
	tc := transportCodeOf(e.Code)
	gqlErr.Message = apperr.LimitEcho(e.Message)
	ext := map[string]any{"code": tc.graphql}
	if e.Field != "" {
		ext["field"] = e.Field
	}
	if e.Reason != "" {
		ext["reason"] = e.Reason
	}
	if e.Missing != nil {
		ext["missing"] = e.Missing
	}
	for k, v := range e.Extensions {
		ext[k] = v
	}
	gqlErr.Extensions = ext
	return tc
}

// presenter is gqlgen's error presenter. Errors that stop the whole operation (no field is
// being resolved) also set the response's HTTP status.
func presenter(log *slog.Logger, schema *ast.Schema) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		state := stateFrom(ctx)
		if state != nil {
			state.recordError(rootKey(gqlErr))
		}
		appErr := apperr.As(err)
		if appErr == nil && errors.Is(err, context.Canceled) {
			appErr = clientGone()
		}
		if appErr == nil {
			if gqlErr.Err == nil || gqlErr.Extensions["code"] != nil {
				return withRequestID(ctx, ownError(schema, gqlErr)) // gqlgen's own parse, validation and coercion errors
			}
			log.ErrorContext(ctx, "unexpected error", "err", err, "path", gqlErr.Path.String())
			appErr = &apperr.Error{Code: apperr.EINTERNAL, Message: "internal error"}
		}
		gqlErr = cloneForPresentation(gqlErr)
		tc := toGraphQL(gqlErr, appErr)
		if appErr.Field == "" && appErr.Code == apperr.EINVALID && gqlErr.Path != nil {
			gqlErr.Extensions["field"] = argumentField(gqlErr)
		}
		// A dependency fault or a deadline fails the whole response (503), even from a field.
		if state != nil && (graphql.GetFieldContext(ctx) == nil || appErr.Code == apperr.EUNAVAILABLE ||
			appErr.Code == apperr.ETIMEOUT || appErr.Code == apperr.ECANCELED) {
			state.setStatus(tc.status)
		}
		return withRequestID(ctx, gqlErr)
	}
}

// clientGone is the error of a request whose client closed it: the statements it ran were
// cancelled with it. Not a bug, so not logged as one.
func clientGone() *apperr.Error {
	return &apperr.Error{Code: apperr.ECANCELED, Message: "the client closed the request before its answer"}
}

// gate is an extension that may refuse an operation before it runs.
type gate interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
}

// presented makes a gate's refusal carry its code and extensions (missing, window, …) by
// itself. Over HTTP the error presenter fills them in anyway, from the same application
// error; gqlgen's websocket transport sends an operation's refusal without the presenter.
type presented struct{ gate }

func (p presented) MutateOperationContext(ctx context.Context, oc *graphql.OperationContext) *gqlerror.Error {
	err := p.gate.MutateOperationContext(ctx, oc)
	if err != nil {
		if e := apperr.As(err); e != nil {
			toGraphQL(err, e)
		}
	}
	return err
}

// rootKey is the response key of the root field an error is under, or nil for an error of
// the whole operation.
func rootKey(e *gqlerror.Error) []string {
	if len(e.Path) == 0 {
		return nil
	}
	if name, ok := e.Path[0].(ast.PathName); ok {
		return []string{string(name)}
	}
	return nil
}

// cloneForPresentation keeps gqlgen's path and locations but drops the wrapped error, whose
// text may be internal.
func cloneForPresentation(e *gqlerror.Error) *gqlerror.Error {
	return &gqlerror.Error{Path: e.Path, Locations: e.Locations, Rule: e.Rule}
}

// argumentField names the argument a coercion error is about from the error's path, which
// gqlgen ends with the argument: [createDeal input closeDate] gives "input.closeDate".
func argumentField(e *gqlerror.Error) string {
	var names []string
	for i := len(e.Path) - 1; i >= 0 && len(names) < 2; i-- {
		name, ok := e.Path[i].(ast.PathName)
		if !ok {
			break
		}
		names = append([]string{string(name)}, names...)
	}
	if len(names) == 2 && names[0] != "input" {
		names = names[1:]
	}
	return strings.Join(names, ".")
}

// writeError answers a request that never reached GraphQL execution, in the media type the
// request negotiated, with the headers its status calls for.
func writeError(w http.ResponseWriter, r *http.Request, err *apperr.Error) {
	writeErrorWith(w, r, err, nil)
}

// writeErrorWith is writeError with the response's extensions (rateLimit).
func writeErrorWith(w http.ResponseWriter, r *http.Request, err *apperr.Error, ext map[string]any) {
	gqlErr := &gqlerror.Error{}
	tc := toGraphQL(gqlErr, err)
	if id := w.Header().Get(RequestIDHeader); id != "" { // set by the protocol middleware
		gqlErr.Extensions["requestId"] = id
	}
	switch tc.status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", allowedMethods)
	}
	writeGraphQL(w, r, tc.status, errorBody{Errors: gqlerror.List{gqlErr}, Extensions: ext})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}
