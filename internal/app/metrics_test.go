package app

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/testdb"
)

// TestMetricsCarryTheDependencies: /metrics shows the database pool and whether rate limits
// fall back to memory, besides the request metrics; with MetricsElsewhere the public handler
// does not serve it and MetricsHandler (the METRICS_ADDR listener's) does.
func TestMetricsCarryTheDependencies(t *testing.T) {
	for _, elsewhere := range []bool{false, true} {
		st := testdb.Open(t)
		a := New(Config{Store: st, Log: testdb.Logger(), MetricsElsewhere: elsewhere})
		public := httptest.NewRecorder()
		a.Handler.ServeHTTP(public, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		side := httptest.NewRecorder()
		a.Handler.MetricsHandler().ServeHTTP(side, httptest.NewRequest(http.MethodGet, "/metrics", nil))

		if side.Code != http.StatusOK {
			t.Fatalf("elsewhere=%v: MetricsHandler answered %d", elsewhere, side.Code)
		}
		body := side.Body.String()
		for _, want := range []string{"go_sql_open_connections{db_name=", "go_sql_in_use_connections", "go_sql_wait_count_total",
			"ratelimit_redis_fallback 0", "ratelimit_redis_fallbacks_total"} {
			if !strings.Contains(body, want) {
				t.Errorf("elsewhere=%v: metrics lack %q", elsewhere, want)
			}
		}
		if elsewhere && public.Code == http.StatusOK {
			t.Errorf("with METRICS_ADDR the public /metrics still answers 200")
		}
		if !elsewhere && (public.Code != http.StatusOK || !strings.Contains(public.Body.String(), "go_sql_open_connections")) {
			t.Errorf("public /metrics: %d", public.Code)
		}
	}
}
