package webhooks

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/wbk/crm/internal/store"
)

// The delivery worker. Every instance runs one; they share the work through the database:
// each claims due deliveries (store.ClaimWebhookDeliveries, a lease that no other worker
// takes while it lasts), sends them, and writes the outcome back. A worker that dies with
// deliveries in hand leaves them to be claimed again when their lease ends: delivery is at
// least once, always with the same webhook-id, and receivers deduplicate on it.

// Worker defaults.
const (
	DefaultTimeout      = 10 * time.Second
	DefaultDisableAfter = 72 * time.Hour
	DefaultPoll         = time.Second
	// DefaultLease outlasts an attempt (its timeout, signing, the write back) many times over.
	DefaultLease       = time.Minute
	DefaultBatch       = 32
	DefaultConcurrency = 8
	excerptBytes       = 1024
)

// WorkerConfig configures a Worker; zero values take the defaults above.
type WorkerConfig struct {
	Store *store.Store
	Log   *slog.Logger
	// AllowPrivate lets deliveries reach loopback and private addresses (development, tests).
	AllowPrivate bool
	// Now is the worker's clock; nil: time.Now.
	Now          func() time.Time
	Backoff      Backoff
	DisableAfter time.Duration
	Timeout      time.Duration
	Poll         time.Duration
	Lease        time.Duration
	Batch        int
	Concurrency  int
	// Random returns a uniform number in [0, 1) for the retries' jitter; nil: math/rand.
	Random func() float64
	// Metrics counts attempts by outcome; nil: not counted.
	Metrics *Metrics
}

// Worker delivers due webhook deliveries.
type Worker struct {
	cfg    WorkerConfig
	client *http.Client
	wake   chan struct{}
}

// NewWorker builds a worker; Run starts it.
func NewWorker(cfg WorkerConfig) *Worker {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Backoff.Attempts == 0 {
		cfg.Backoff = DefaultBackoff
	}
	cfg.DisableAfter = orDefault(cfg.DisableAfter, DefaultDisableAfter)
	cfg.Timeout = orDefault(cfg.Timeout, DefaultTimeout)
	cfg.Poll = orDefault(cfg.Poll, DefaultPoll)
	cfg.Lease = orDefault(cfg.Lease, DefaultLease)
	cfg.Batch = orDefault(cfg.Batch, DefaultBatch)
	cfg.Concurrency = orDefault(cfg.Concurrency, DefaultConcurrency)
	if cfg.Random == nil {
		cfg.Random = rand.Float64
	}
	return &Worker{cfg: cfg, client: NewClient(cfg.AllowPrivate, cfg.Timeout), wake: make(chan struct{}, 1)}
}

func orDefault[T comparable](v, d T) T {
	var zero T
	if v == zero {
		return d
	}
	return v
}

// NewClient is the HTTP client deliveries are sent with: a timeout for the whole exchange,
// no redirects (a 3xx is the answer), no proxy from the environment (a proxy would dial on
// our behalf, past the address check), and the address check on every connection.
func NewClient(allowPrivate bool, timeout time.Duration) *http.Client {
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           NewDialer(allowPrivate).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{
		Transport: tr,
		Timeout:   timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// Wake makes the worker look for due deliveries now instead of at its next poll: called after
// a commit that queued some.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-w.wake:
		}
		for {
			n, err := w.RunOnce(ctx)
			if err != nil {
				if ctx.Err() == nil {
					w.cfg.Log.Warn("webhook deliveries: claim failed", "err", err)
				}
				break
			}
			if n < w.cfg.Batch { // nothing more due right now
				break
			}
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		timer.Reset(w.cfg.Poll)
	}
}

// RunOnce claims one batch of due deliveries and sends them, and reports how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	claimed, err := w.cfg.Store.ClaimWebhookDeliveries(ctx, w.cfg.Now(), w.cfg.Lease, w.cfg.Batch)
	if err != nil {
		return 0, err
	}
	sem := make(chan struct{}, w.cfg.Concurrency)
	var wg sync.WaitGroup
	for _, d := range claimed {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			w.deliver(ctx, d)
		}()
	}
	wg.Wait()
	return len(claimed), nil
}

// deliver makes one attempt and records it. Its outcome is written even when ctx ends (the
// server shutting down): a response that came back must not be sent again for lack of a write.
func (w *Worker) deliver(ctx context.Context, d store.ClaimedDelivery) {
	start := w.cfg.Now()
	a := w.attempt(ctx, d, start)
	if ctx.Err() != nil && a.StatusCode == 0 {
		// Shutting down mid-attempt: not the endpoint's failure. The claim's lease ends and
		// another worker (or this one, after a restart) sends it again.
		return
	}
	a.At = w.cfg.Now()
	if !a.Delivered {
		if next, ok := w.cfg.Backoff.Next(d.Attempts+1, a.At, w.cfg.Random()); ok {
			a.RetryAt = &next
		}
		a.DisableAfter = w.cfg.DisableAfter
	}
	w.cfg.Metrics.count(a)
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	disabled, err := w.cfg.Store.RecordWebhookAttempt(wctx, d, a)
	if err != nil {
		w.cfg.Log.Warn("webhook delivery: recording the attempt failed", "delivery", d.ID, "err", err)
		return
	}
	if disabled {
		w.cfg.Log.Warn("webhook endpoint disabled after repeated failures", "endpoint", d.EndpointID, "workspace", d.WorkspaceID)
	}
}

func (w *Worker) attempt(ctx context.Context, d store.ClaimedDelivery, at time.Time) store.WebhookAttempt {
	h, err := Sign(d.EventID, at, d.Body, d.Secrets)
	if err != nil {
		return store.WebhookAttempt{Error: err.Error()}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return store.WebhookAttempt{Error: "invalid url: " + err.Error()}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "crm-webhooks/1")
	req.Header.Set("webhook-id", h.ID)
	req.Header.Set("webhook-timestamp", h.Timestamp)
	req.Header.Set("webhook-signature", h.Signature)
	began := time.Now()
	resp, err := w.client.Do(req)
	took := time.Since(began)
	if err != nil {
		return store.WebhookAttempt{Duration: took, Error: describe(err)}
	}
	defer resp.Body.Close()
	excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, excerptBytes))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64*1024)) // lets the connection be reused
	a := store.WebhookAttempt{Duration: took, StatusCode: resp.StatusCode, Excerpt: cleanExcerpt(excerpt),
		Delivered: resp.StatusCode >= 200 && resp.StatusCode < 300}
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		a.Error = "redirects are not followed"
	case !a.Delivered:
		a.Error = "endpoint answered " + resp.Status
	}
	return a
}

// describe words a transport error for the delivery log.
func describe(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, ErrForbiddenAddress):
		return "refused: the url resolves to a loopback, private, link-local or metadata address"
	case errors.As(err, &ne) && ne.Timeout():
		return "timed out"
	}
	return err.Error()
}

// cleanExcerpt keeps the excerpt storable and readable: valid UTF-8 (a cut multi-byte
// character dropped) and no NUL bytes, which PostgreSQL's text cannot hold.
func cleanExcerpt(b []byte) string {
	s := strings.ToValidUTF8(string(b), "")
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return strings.ReplaceAll(s, "\x00", "")
}
