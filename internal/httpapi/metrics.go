package httpapi

import (
	"strconv"
	"sync"
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
	httpRequests   *prometheus.CounterVec
	httpDuration   *prometheus.HistogramVec

	// The series every request touches, by their label values: WithLabelValues hashes and
	// checks the values and formats the status on every call.
	requestSeries series[requestLabels, requestSeries]
	callSeries    series[string, prometheus.Counter]
	errorSeries   series[string, prometheus.Counter]
}

type requestLabels struct {
	operation string
	status    int
}

type requestSeries struct {
	requests prometheus.Counter
	duration prometheus.Observer
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
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "http_requests_total", Help: "HTTP requests by route (GraphQL, REST and the rest), method and status sent.",
	}, []string{"route", "method", "status"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "http_request_duration_seconds",
		Help:    "HTTP request latency by route and method.",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
	}, []string{"route", "method"})
	reg.MustRegister(m.requests, m.duration, m.calls, m.errors, m.rateLimited, m.storeFallbacks, m.httpRequests, m.httpDuration)
	m.requestSeries.create = func(l requestLabels) requestSeries {
		return requestSeries{requests: m.requests.WithLabelValues(l.operation, strconv.Itoa(l.status)),
			duration: m.duration.WithLabelValues(l.operation)}
	}
	m.callSeries.create = func(plan string) prometheus.Counter { return m.calls.WithLabelValues(plan) }
	m.errorSeries.create = func(plan string) prometheus.Counter { return m.errors.WithLabelValues(plan) }
	return m
}

func (m *metrics) observe(operation string, status int, d time.Duration) {
	if operation == "" {
		operation = "none"
	}
	s := m.requestSeries.get(requestLabels{operation, status})
	s.requests.Inc()
	s.duration.Observe(d.Seconds())
}

// series keeps a metric vector's children by their label values. A child is made on first
// use, as WithLabelValues makes it, so /metrics lists the same series as without the cache.
// The label values are bounded (root fields of the schema, statuses, plans), and so is the
// cache, like the vector itself.
type series[K comparable, V any] struct {
	create func(K) V

	mu       sync.RWMutex
	children map[K]V
}

func (s *series[K, V]) get(k K) V {
	s.mu.RLock()
	v, ok := s.children[k]
	s.mu.RUnlock()
	if ok {
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if v, ok := s.children[k]; ok {
		return v
	}
	if s.children == nil {
		s.children = map[K]V{}
	}
	v = s.create(k)
	s.children[k] = v
	return v
}
