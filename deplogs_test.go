package main

import (
	"bytes"
	"context"
	"encoding/json"
	stdlog "log"
	"log/slog"
	"strings"
	"testing"
)

// What dependencies log — go-redis through its own logger, others through the standard
// library's log package — comes out as JSON lines of the server's logger.
func TestDependencyLogsAreJSON(t *testing.T) {
	defer slog.SetDefault(slog.Default())
	var buf bytes.Buffer
	installDependencyLoggers(slog.New(slog.NewJSONHandler(&buf, nil)))
	redisLog{log: slog.Default().With("component", "redis")}.Printf(context.Background(), "redis: %s:%d: connection pool: dial failed\n", "127.0.0.1", 6379)
	stdlog.Printf("a driver complains: %d", 42)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %q", buf.String())
	}
	for i, want := range []string{"connection pool: dial failed", "a driver complains: 42"} {
		var m map[string]any
		if err := json.Unmarshal([]byte(lines[i]), &m); err != nil || !strings.Contains(m["msg"].(string), want) {
			t.Errorf("line %d: %s (%v)", i, lines[i], err)
		}
	}
}
