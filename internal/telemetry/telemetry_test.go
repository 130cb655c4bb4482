package telemetry_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/glebarez/sqlite"
	"github.com/redis/go-redis/v9"
	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wbk/crm/internal/telemetry"
)

func TestEnabled(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want bool
	}{
		{env: nil, want: false},
		{env: map[string]string{"OTEL_SERVICE_NAME": "crm"}, want: false},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, want: true},
		{env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, want: true},
	} {
		if got := telemetry.Enabled(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("Enabled(%v) = %v, want %v", tc.env, got, tc.want)
		}
	}
}

// TestGORM: each statement is a span, a child of the statement context's span, with the
// statement's text but not its arguments.
func TestGORM(t *testing.T) {
	exporter := tracetest.NewInMemoryExporter()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	db, err := gorm.Open(sqlite.Open(":memory:"), &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatal(err)
	}
	if err := telemetry.GORM(tp, db); err != nil {
		t.Fatal(err)
	}
	ctx, parent := tp.Tracer("test").Start(context.Background(), "parent")
	var n int
	if err := db.WithContext(ctx).Raw("SELECT ?", 41).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	parent.End()
	spans := exporter.GetSpans()
	if len(spans) != 2 {
		t.Fatalf("%d spans, want the statement's and the parent's", len(spans))
	}
	sql := spans[0]
	if sql.Name != "sql.row" || sql.Parent.SpanID() != parent.SpanContext().SpanID() {
		t.Errorf("span %q with parent %v, want sql.row under the parent", sql.Name, sql.Parent.SpanID())
	}
	for _, a := range sql.Attributes {
		if a.Key == "db.statement" && (strings.Contains(a.Value.AsString(), "41") || !strings.Contains(a.Value.AsString(), "SELECT")) {
			t.Errorf("db.statement %q: want the statement without its arguments", a.Value.AsString())
		}
	}
}

// TestRedis: once the process's provider is the SDK's, a client gets a span per command.
func TestRedis(t *testing.T) {
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		t.Skip("TEST_REDIS_URL is not set")
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	exporter := tracetest.NewInMemoryExporter()
	prev := otel.GetTracerProvider()
	otel.SetTracerProvider(sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter)))
	t.Cleanup(func() { otel.SetTracerProvider(prev) })
	client := redis.NewClient(opts)
	t.Cleanup(func() { _ = client.Close() })
	if err := telemetry.Redis(client); err != nil {
		t.Fatal(err)
	}
	if err := client.Ping(t.Context()).Err(); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range exporter.GetSpans() {
		names = append(names, s.Name)
	}
	if !strings.Contains(strings.Join(names, ","), "ping") {
		t.Errorf("spans %v, want one for the ping", names)
	}
}
