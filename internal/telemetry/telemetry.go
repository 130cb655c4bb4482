// Package telemetry is OpenTelemetry tracing: off unless the standard OTLP endpoint variables
// say where to send spans, and then a span per HTTP request, per SQL statement and per Redis
// call (the GraphQL operation's span is the transport's: internal/httpapi; SQL: sql.go). When it is off
// nothing is wrapped, so a request pays nothing for it.
package telemetry

import (
	"context"
	"net/http"

	"github.com/redis/go-redis/extra/redisotel/v9"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.26.0"
	"go.opentelemetry.io/otel/trace"
)

// Variables are the environment variables that turn tracing on; the exporter and the SDK
// read the other OTEL_* variables (headers, protocol, sampler, service name, resource
// attributes) themselves.
var Variables = []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"}

// Enabled says whether the environment asks for traces.
func Enabled(getenv func(string) string) bool {
	for _, v := range Variables {
		if getenv(v) != "" {
			return true
		}
	}
	return false
}

// Setup starts the OTLP/HTTP exporter and makes its provider and the W3C trace-context
// propagator the process's own, so that an incoming traceparent continues its trace.
// Shutdown the provider on exit: it flushes the spans still batched.
func Setup(ctx context.Context, service, version string) (*sdktrace.TracerProvider, error) {
	exporter, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	// The defaults first: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override them.
	res, err := resource.Merge(resource.NewSchemaless(semconv.ServiceName(service), semconv.ServiceVersion(version)),
		resource.Environment())
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exporter), sdktrace.WithResource(res))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.TraceContext{})
	return tp, nil
}

// Handler gives every request through h a server span, the child of the caller's span when
// the request carries a traceparent.
func Handler(tp trace.TracerProvider, h http.Handler) http.Handler {
	return otelhttp.NewHandler(h, "http", otelhttp.WithTracerProvider(tp),
		otelhttp.WithPropagators(propagation.TraceContext{}),
		// The method only: the path is the client's, unbounded; the route is an attribute.
		otelhttp.WithSpanNameFormatter(func(_ string, r *http.Request) string { return "HTTP " + r.Method }))
}

// Redis gives every call through client a span when tracing was set up (Setup); otherwise
// it leaves the client as it is.
func Redis(client *redis.Client) error {
	tp, ok := otel.GetTracerProvider().(*sdktrace.TracerProvider)
	if !ok {
		return nil
	}
	return redisotel.InstrumentTracing(client, redisotel.WithTracerProvider(tp), redisotel.WithDBStatement(false))
}
