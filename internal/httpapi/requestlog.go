package httpapi

import (
	"log/slog"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/trace"

	"github.com/wbk/crm/internal/reqinfo"
)

// observeRequests wraps every route (GraphQL, REST, health, metrics, the playground): once a
// request is answered it is counted in http_requests_total and
// http_request_duration_seconds by route, method and the status sent, and, unless the
// request log is off, written as one INFO line (WARN for a 5xx) with its route or path,
// status, duration, cost, operation, key prefix and request id. The handlers below fill in
// what only they know (reqinfo.Info); the route is the mux's pattern unless a handler names
// a finer one (the REST routes).
func (a *API) observeRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &reqinfo.Info{}
		r = r.WithContext(reqinfo.With(r.Context(), info))
		next.ServeHTTP(w, r) // the mux sets r.Pattern on this request
		took := time.Since(start)
		route := info.Route
		if route == "" {
			route = routeOf(r.Pattern)
		}
		status := sentStatus(w, r)
		a.httpSeries.get(httpLabels{route: route, method: methodLabel(r.Method), status: status}).observe(took)
		if a.cfg.QuietRequests {
			return
		}
		level := slog.LevelInfo
		if status >= 500 {
			level = slog.LevelWarn
		}
		if !a.cfg.Log.Enabled(r.Context(), level) {
			return
		}
		where := slog.String("route", route)
		if route == unmatchedRoute {
			where = slog.String("path", r.URL.Path)
		}
		attrs := [...]slog.Attr{slog.String("method", r.Method), where,
			slog.Int("status", status), slog.Float64("duration_ms", durationMS(took)), slog.Int64("cost", info.Cost),
			slog.String("operation", info.Operation), slog.String("key", info.Key), {}}
		n := len(attrs) - 1
		// The trace id joins the line to its trace, when a span records this request.
		if sc := trace.SpanContextFromContext(r.Context()); sc.IsValid() && trace.SpanFromContext(r.Context()).IsRecording() {
			attrs[n] = slog.String("trace_id", sc.TraceID().String())
			n++
		}
		a.cfg.Log.LogAttrs(r.Context(), level, "request", attrs[:n]...)
	})
}

// unmatchedRoute labels requests no route took (404s), so that unknown paths cannot grow
// the metrics without bound.
const unmatchedRoute = "unmatched"

// routeOf is a mux pattern without its method: "GET /healthz" is "/healthz".
func routeOf(pattern string) string {
	if pattern == "" {
		return unmatchedRoute
	}
	if _, path, ok := strings.Cut(pattern, " "); ok {
		return path
	}
	return pattern
}

// methodLabel keeps the method label bounded: a client may send any token as a method.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodHead, http.MethodOptions:
		return m
	}
	return "OTHER"
}

// sentStatus is the status the client was sent: the protocol middleware's writer keeps it;
// a websocket, hijacked below it, was switched to 101.
func sentStatus(w http.ResponseWriter, r *http.Request) int {
	if rw, ok := w.(*responseWriter); ok && rw.status != 0 {
		return rw.status
	}
	if isWebsocket(r) {
		return http.StatusSwitchingProtocols
	}
	return http.StatusOK
}

// durationMS is d in milliseconds with microsecond precision: a number, not Go's "1.2ms".
func durationMS(d time.Duration) float64 {
	return math.Round(float64(d.Microseconds())) / 1000
}

type httpLabels struct {
	route, method string
	status        int
}

type httpSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
}

func (s httpSeries) observe(d time.Duration) {
	s.requests.Inc()
	s.duration.Observe(d.Seconds())
}
