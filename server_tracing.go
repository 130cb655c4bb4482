package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/wbk/crm/internal/buildinfo"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/telemetry"
)

// startTracing turns tracing on when the environment names an OTLP endpoint: the process's
// tracer provider, a span per SQL statement of st (Redis clients made afterwards get theirs
// from the provider). tp is nil when tracing is off; stop flushes the spans still batched.
func (c *cli) startTracing(ctx context.Context, st *store.Store) (tp trace.TracerProvider, stop func(), err error) {
	if !telemetry.Enabled(c.getenv) {
		return nil, func() {}, nil
	}
	provider, err := telemetry.Setup(ctx, "crm", buildinfo.Read().Version)
	if err != nil {
		return nil, nil, fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w", err)
	}
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := provider.Shutdown(ctx); err != nil {
			c.log.Warn("tracing: spans not flushed", "err", err)
		}
	}
	if err := telemetry.GORM(provider, st.DB()); err != nil {
		stop()
		return nil, nil, err
	}
	c.log.Info("tracing: on")
	return provider, stop, nil
}

// traced wraps h in a span per request when tracing is on.
func traced(tp trace.TracerProvider, h http.Handler) http.Handler {
	if tp == nil {
		return h
	}
	return telemetry.Handler(tp, h)
}
