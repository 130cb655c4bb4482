package httpapi_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/wbk/crm/internal/telemetry"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// TestTracingSpanTree sends one GraphQL request through a traced handler and checks the span
// tree: the HTTP span is the root, or the child of the caller's span named by traceparent;
// the operation's span (with its name and cost) and the SQL statements' spans descend from it;
// the request's log line carries the trace id.
func TestTracingSpanTree(t *testing.T) {
	const remoteTrace, remoteSpan = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	for _, tc := range []struct {
		name        string
		traceparent string
	}{
		{name: "root"},
		{name: "traceparent", traceparent: "00-" + remoteTrace + "-" + remoteSpan + "-01"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exporter := tracetest.NewInMemoryExporter()
			tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
			t.Cleanup(func() { _ = tp.Shutdown(t.Context()) })
			var logs syncBuffer
			env := testenv.New(t, testenv.Options{Tracing: tp,
				Log: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
			ws := env.Workspace(t, "Traced", models.PlanStarter)
			key := env.Key(t, ws, "read", "write")
			if err := telemetry.GORM(tp, env.Store.DB()); err != nil {
				t.Fatal(err)
			}
			exporter.Reset()
			logs.mu.Lock()
			logs.buf.Reset()
			logs.mu.Unlock()
			h := telemetry.Handler(tp, env.Handler)

			body, _ := json.Marshal(map[string]any{"query": "query Recent { contacts(first: 2) { nodes { id } } }"})
			req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+key)
			if tc.traceparent != "" {
				req.Header.Set("traceparent", tc.traceparent)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"errors"`) {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}

			spans := exporter.GetSpans()
			byID := map[trace.SpanID]tracetest.SpanStub{}
			var root *tracetest.SpanStub
			for i, s := range spans {
				byID[s.SpanContext.SpanID()] = s
				if s.SpanKind == trace.SpanKindServer {
					root = &spans[i]
				}
			}
			if root == nil {
				t.Fatalf("no HTTP server span among %d spans", len(spans))
			}
			if tc.traceparent == "" {
				if root.Parent.IsValid() {
					t.Errorf("the HTTP span has a parent %v, want none", root.Parent)
				}
			} else if root.Parent.TraceID().String() != remoteTrace || root.Parent.SpanID().String() != remoteSpan ||
				!root.Parent.IsRemote() {
				t.Errorf("the HTTP span's parent is %v, want the traceparent's span", root.Parent)
			}
			descends := func(s tracetest.SpanStub) bool {
				for p := s.Parent; p.IsValid(); {
					if p.SpanID() == root.SpanContext.SpanID() {
						return true
					}
					parent, ok := byID[p.SpanID()]
					if !ok {
						return false
					}
					p = parent.Parent
				}
				return false
			}
			var operations, statements int
			for _, s := range spans {
				switch {
				case strings.HasPrefix(s.Name, "graphql."):
					operations++
					if !descends(s) {
						t.Errorf("the operation span %q does not descend from the HTTP span", s.Name)
					}
					attrs := attribute.NewSet(s.Attributes...)
					if v, _ := attrs.Value("graphql.operation.name"); v.AsString() != "Recent" {
						t.Errorf("operation name %q, want Recent", v.AsString())
					}
					if v, ok := attrs.Value("graphql.operation.cost"); !ok || v.AsInt64() < 1 {
						t.Errorf("operation cost %v (present %v), want ≥ 1", v.AsInt64(), ok)
					}
				case strings.HasPrefix(s.Name, "sql."):
					statements++
					if !descends(s) {
						t.Errorf("the SQL span %q does not descend from the HTTP span", s.Name)
					}
				}
			}
			if operations != 1 || statements == 0 {
				t.Errorf("%d operation spans and %d SQL spans, want 1 and at least 1", operations, statements)
			}
			want := `"trace_id":"` + root.SpanContext.TraceID().String() + `"`
			logs.mu.Lock()
			logged := logs.buf.String()
			logs.mu.Unlock()
			if !strings.Contains(logged, want) {
				t.Errorf("the request log line lacks %s:\n%s", want, logged)
			}
		})
	}
}
