package httpapi

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

type metrics struct {
	requests       *prometheus.CounterVec
	duration       *prometheus.HistogramVec
	calls          *prometheus.CounterVec
	errors         *prometheus.CounterVec
	rateLimited    *prometheus.CounterVec
	storeFallbacks prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "graphql_requests_total",
			Help: "GraphQL HTTP requests by operation (root fields) and HTTP status.",
		}, []string{"operation", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "graphql_request_duration_seconds",
			Help:    "GraphQL HTTP request latency by operation (root fields).",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"operation"}),
	}
	m.calls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "api_calls_total", Help: "Authenticated GraphQL requests by the workspace's plan.",
	}, []string{"plan"})
	m.errors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "api_errors_total", Help: "Authenticated GraphQL requests whose response carried an error, by plan.",
	}, []string{"plan"})
	m.rateLimited = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "rate_limited_total", Help: "Requests refused with 429, by plan and window.",
	}, []string{"plan", "window"})
	m.storeFallbacks = prometheus.NewCounter(prometheus.CounterOpts{
		Name: "ratelimit_redis_fallbacks_total",
		Help: "Rate-limit operations served from process memory because Redis did not answer.",
	})
	reg.MustRegister(m.requests, m.duration, m.calls, m.errors, m.rateLimited, m.storeFallbacks)
	return m
}

func (m *metrics) observe(operation string, status int, d time.Duration) {
	if operation == "" {
		operation = "none"
	}
	m.requests.WithLabelValues(operation, strconv.Itoa(status)).Inc()
	m.duration.WithLabelValues(operation).Observe(d.Seconds())
}
