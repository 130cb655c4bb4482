package webhooks

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/wbk/crm/internal/store"
)

// Metrics are the delivery worker's: attempts by outcome, and the queue as the database sees
// it (read when scraped, so every instance reports the shared queue).
type Metrics struct {
	attempts *prometheus.CounterVec
}

// Outcomes of an attempt, the outcome label's values.
const (
	OutcomeDelivered = "delivered" // 2xx
	OutcomeRetry     = "retry"     // failed, another attempt is scheduled
	OutcomeGaveUp    = "gave_up"   // failed, attempts spent
)

// NewMetrics registers the webhook metrics on reg; now is the clock of the oldest due age.
func NewMetrics(reg prometheus.Registerer, st *store.Store, now func() time.Time) *Metrics {
	m := &Metrics{attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "webhook_delivery_attempts_total",
		Help: "Webhook delivery attempts by outcome: delivered, retry (failed, retried later), gave_up (failed, no attempts left).",
	}, []string{"outcome"})}
	for _, o := range []string{OutcomeDelivered, OutcomeRetry, OutcomeGaveUp} {
		m.attempts.WithLabelValues(o)
	}
	reg.MustRegister(m.attempts, &queueCollector{store: st, now: now})
	return m
}

func (m *Metrics) count(a store.WebhookAttempt) {
	if m == nil {
		return
	}
	switch {
	case a.Delivered:
		m.attempts.WithLabelValues(OutcomeDelivered).Inc()
	case a.RetryAt != nil:
		m.attempts.WithLabelValues(OutcomeRetry).Inc()
	default:
		m.attempts.WithLabelValues(OutcomeGaveUp).Inc()
	}
}

var (
	queueDepthDesc = prometheus.NewDesc("webhook_queue_depth",
		"Webhook deliveries waiting for an attempt (PENDING), due or not.", nil, nil)
	oldestDueDesc = prometheus.NewDesc("webhook_oldest_due_seconds",
		"How long the oldest due webhook delivery has been waiting; 0 when none is due.", nil, nil)
)

type queueCollector struct {
	store *store.Store
	now   func() time.Time
}

func (c *queueCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- queueDepthDesc
	ch <- oldestDueDesc
}

func (c *queueCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	depth, oldest, err := c.store.WebhookQueue(ctx, c.now())
	if err != nil {
		ch <- prometheus.NewInvalidMetric(queueDepthDesc, err)
		return
	}
	ch <- prometheus.MustNewConstMetric(queueDepthDesc, prometheus.GaugeValue, float64(depth))
	ch <- prometheus.MustNewConstMetric(oldestDueDesc, prometheus.GaugeValue, max(oldest, 0).Seconds())
}
