package httpapi

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// traceOperations is the tracing stage: a span per GraphQL operation, whatever its
// transport, named by the operation and carrying its cost. Nil, and so no stage at all, when
// tracing is off.
func (a *API) traceOperations() graphql.HandlerExtension {
	if a.cfg.Tracer == nil {
		return nil
	}
	return aroundOperations(a.traceOperation)
}

func (a *API) traceOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	oc := graphql.GetOperationContext(ctx)
	name, kind := oc.OperationName, "query"
	if oc.Operation != nil {
		kind = string(oc.Operation.Operation)
		if name == "" {
			name = oc.Operation.Name
		}
	}
	spanName := "graphql." + kind
	if name != "" {
		spanName += " " + name
	}
	ctx, span := a.cfg.Tracer.Start(ctx, spanName, trace.WithAttributes(
		attribute.String("graphql.operation.name", name), attribute.String("graphql.operation.type", kind)))
	responses := next(ctx)
	return func(ctx context.Context) *graphql.Response {
		resp := responses(ctx)
		// A subscription or a deferred response answers more than once: the span ends with
		// the last answer.
		if resp != nil && resp.HasNext != nil && *resp.HasNext {
			return resp
		}
		if resp != nil && len(resp.Errors) > 0 {
			span.SetStatus(codes.Error, resp.Errors[0].Message)
		}
		if s := stateOf(ctx, oc); s != nil {
			if e := s.estimate.Load(); e != nil {
				span.SetAttributes(attribute.Int("graphql.operation.cost", e.Cost))
			}
			if r := s.getRate(); r != nil {
				span.SetAttributes(attribute.Int64("graphql.operation.charged", r.Cost))
			}
		}
		span.End()
		return resp
	}
}
