// Package usage counts API calls per key and UTC day: calls, cost charged, errors, and calls
// and errors per root field. Requests only touch memory; the counts reach the database in
// batches (Run) with additive upserts, so that several server instances add up and no request
// waits for a database write.
package usage

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// MaxDays is the most days Days reports.
const MaxDays = 90

// DefaultFlushInterval is used by Run when it is given no interval.
const DefaultFlushInterval = 5 * time.Second

// maxOperationsPerDay bounds the distinct root-field names kept per key and day. The schema
// has a few dozen root fields; the bound only matters if names of operations that failed
// validation are reported, which a client could otherwise use to grow memory and tables.
const maxOperationsPerDay = 256

// flushTimeout keeps a hung database from holding a flush, and shutdown, forever.
const flushTimeout = 15 * time.Second

// Event is one finished, authenticated request.
type Event struct {
	KeyID, WorkspaceID string
	// At is when the request was made; zero means now. Its UTC day is the day it counts for.
	At   time.Time
	Cost int
	// Failed means the response carried an error.
	Failed bool
	// Operations are the root field names of the operation, e.g. ["contacts","viewer"]; may be
	// empty (e.g. a parse error). A name given twice (aliases) counts once.
	Operations []string
	// FailedOperations are the root fields that had an error (a subset of Operations).
	FailedOperations []string
}

// Recorder keeps usage counts in memory and writes them to the store on Flush. It is safe for
// concurrent use.
type Recorder struct {
	// Now is the clock that decides "today" and the day of events without a time. Tests
	// replace it before use.
	Now func() time.Time

	store *store.Store
	log   *slog.Logger

	// flushing is held exclusively by a flush from the moment it takes the pending counts
	// until they are in the database or merged back, and shared by Days, so that Days never
	// sees a count twice (in memory and stored) or not at all (in flight).
	flushing sync.RWMutex
	failing  bool // the last flush failed; guarded by flushing
	// written is when each key's lastUsedAt was last written; guarded by flushing.
	written map[string]time.Time

	mu      sync.Mutex
	pending map[dayKey]*counts
	// The last day computed, so that recording needs no date formatting.
	lastY     int
	lastM     time.Month
	lastD     int
	lastDate  string
	lostNames int64 // operation names dropped by maxOperationsPerDay, for the log
}

type dayKey struct{ keyID, date string }

type counts struct {
	workspaceID         string
	calls, cost, errors int64
	ops                 map[string]store.OperationCount
	lastAt              time.Time // the key's latest request, for its lastUsedAt
}

// NewRecorder returns a recorder that writes to s.
func NewRecorder(s *store.Store, log *slog.Logger) *Recorder {
	if log == nil {
		log = slog.Default()
	}
	return &Recorder{Now: time.Now, store: s, log: log, pending: map[dayKey]*counts{}, written: map[string]time.Time{}}
}

// Record counts one request. It only updates memory.
func (r *Recorder) Record(e Event) {
	if e.KeyID == "" || e.WorkspaceID == "" {
		return // nothing to attribute it to
	}
	at := e.At
	if at.IsZero() {
		at = r.Now()
	}
	failed := e.Failed || len(e.FailedOperations) > 0

	r.mu.Lock()
	defer r.mu.Unlock()
	k := dayKey{e.KeyID, r.dateOf(at)}
	c := r.pending[k]
	if c == nil {
		c = &counts{workspaceID: e.WorkspaceID, ops: make(map[string]store.OperationCount, len(e.Operations))}
		r.pending[k] = c
	}
	c.calls++
	c.cost += int64(e.Cost)
	if at.After(c.lastAt) {
		c.lastAt = at
	}
	if failed {
		c.errors++
	}
	for i, op := range e.Operations {
		if op != "" && !slices.Contains(e.Operations[:i], op) {
			r.addOp(c, op, store.OperationCount{Calls: 1})
		}
	}
	for i, op := range e.FailedOperations {
		if op == "" || slices.Contains(e.FailedOperations[:i], op) {
			continue
		}
		add := store.OperationCount{Errors: 1}
		if !slices.Contains(e.Operations, op) { // keep errors ≤ calls when the caller forgot it
			add.Calls = 1
		}
		r.addOp(c, op, add)
	}
}

func (r *Recorder) addOp(c *counts, op string, add store.OperationCount) {
	cur, ok := c.ops[op]
	if !ok && len(c.ops) >= maxOperationsPerDay {
		r.lostNames++
		return
	}
	c.ops[op] = store.OperationCount{Calls: cur.Calls + add.Calls, Errors: cur.Errors + add.Errors}
}

// dateOf is the UTC day of t; r.mu must be held.
func (r *Recorder) dateOf(t time.Time) string {
	t = t.UTC()
	if y, m, d := t.Date(); y != r.lastY || m != r.lastM || d != r.lastD {
		r.lastY, r.lastM, r.lastD = y, m, d
		r.lastDate = t.Format(store.UsageDateLayout)
	}
	return r.lastDate
}

// Flush writes the counts recorded so far in one transaction. On failure they are kept and
// go out with a later flush.
func (r *Recorder) Flush(ctx context.Context) error {
	r.flushing.Lock()
	defer r.flushing.Unlock()

	r.mu.Lock()
	batch := r.pending
	lost := r.lostNames
	r.pending, r.lostNames = make(map[dayKey]*counts, len(batch)), 0
	r.mu.Unlock()
	if lost > 0 {
		r.log.Warn("usage: too many distinct operation names, some not counted per operation", "dropped", lost)
	}
	if len(batch) == 0 {
		return nil
	}

	deltas := make([]store.UsageDelta, 0, len(batch))
	for k, c := range batch {
		deltas = append(deltas, store.UsageDelta{WorkspaceID: c.workspaceID, KeyID: k.keyID, Date: k.date,
			Calls: c.calls, Cost: c.cost, Errors: c.errors, Operations: c.ops})
	}
	lastUsed := r.lastUsedToWrite(batch)
	for i := range deltas {
		deltas[i].LastUsed = lastUsed[deltas[i].KeyID]
	}
	if err := r.store.AddUsage(ctx, deltas); err != nil {
		r.mu.Lock()
		for k, c := range batch {
			if newer := r.pending[k]; newer != nil {
				merge(c, newer)
			}
			r.pending[k] = c
		}
		r.mu.Unlock()
		if !r.failing { // once per outage: a down database fails every few seconds
			r.log.Error("usage: flush failed, keeping the counts for the next flush", "err", err, "keyDays", len(batch))
		}
		r.failing = true
		return err
	}
	for id, at := range lastUsed {
		r.written[id] = at
	}
	if r.failing {
		r.log.Info("usage: flushing again after failures", "keyDays", len(batch))
		r.failing = false
	}
	return nil
}

// lastUsedEvery bounds how often one key's lastUsedAt is written.
const lastUsedEvery = time.Minute

// lastUsedToWrite picks, per key, the latest use in batch when the key's lastUsedAt was last
// written at least lastUsedEvery earlier. r.flushing must be held.
func (r *Recorder) lastUsedToWrite(batch map[dayKey]*counts) map[string]time.Time {
	out := map[string]time.Time{}
	for k, c := range batch {
		if c.lastAt.Sub(r.written[k.keyID]) >= lastUsedEvery && c.lastAt.After(out[k.keyID]) {
			out[k.keyID] = c.lastAt
		}
	}
	return out
}

// merge adds src into dst.
func merge(dst, src *counts) {
	dst.calls += src.calls
	dst.cost += src.cost
	dst.errors += src.errors
	if src.lastAt.After(dst.lastAt) {
		dst.lastAt = src.lastAt
	}
	for op, n := range src.ops {
		cur := dst.ops[op]
		dst.ops[op] = store.OperationCount{Calls: cur.Calls + n.Calls, Errors: cur.Errors + n.Errors}
	}
}

// Run flushes every interval until ctx ends, then once more: the flush on graceful shutdown.
func (r *Recorder) Run(ctx context.Context, interval time.Duration) {
	if interval <= 0 {
		interval = DefaultFlushInterval
	}
	// Flushes are not cancelled with ctx: a shutdown in the middle of one would only roll it
	// back for the final flush to write again.
	flush := func() error {
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), flushTimeout)
		defer cancel()
		return r.Flush(fctx)
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-tick.C:
			_ = flush() // logged by Flush; the counts wait for the next tick
		case <-ctx.Done():
			if err := flush(); err != nil {
				r.mu.Lock()
				n := len(r.pending)
				r.mu.Unlock()
				r.log.Error("usage: final flush failed, counts lost", "err", err, "keyDays", n)
			}
			return
		}
	}
}

// Days reports a key's usage for the last days UTC days, newest first, today included, with
// zeros for days without calls. It includes this instance's counts that are not flushed yet,
// so that a caller sees the requests it has just made. With a workspace in ctx it sees only
// that workspace's usage.
func (r *Recorder) Days(ctx context.Context, keyID string, days int) ([]*models.UsageDay, error) {
	if days < 1 || days > MaxDays {
		return nil, apperr.Invalid("days", "days must be between 1 and %d", MaxDays)
	}
	today := r.Now().UTC()
	out := make([]*models.UsageDay, days)
	sums := make(map[string]*counts, days)
	for i := range out {
		date := today.AddDate(0, 0, -i).Format(store.UsageDateLayout)
		out[i] = &models.UsageDay{Date: date}
		sums[date] = &counts{ops: map[string]store.OperationCount{}}
	}

	r.flushing.RLock()
	defer r.flushing.RUnlock()
	stored, err := r.store.UsageDays(ctx, keyID, out[days-1].Date, out[0].Date)
	if err != nil {
		return nil, err
	}
	for _, row := range stored {
		if sum := sums[row.Date]; sum != nil {
			merge(sum, &counts{calls: row.Calls, cost: row.Cost, errors: row.Errors, ops: row.Operations})
		}
	}
	// Webhook deliveries are the workspace's, not the key's, and are never charged: they are
	// shown beside the key's calls, counted by the delivery worker. Only a request scoped to
	// the key's workspace reads them; the admin CLI's system context would read every tenant's.
	ws, scoped := store.WorkspaceFrom(ctx)
	var hooks map[string]models.WebhookUsageRecord
	if scoped {
		if hooks, err = r.store.WebhookUsage(ctx, out[days-1].Date, out[0].Date); err != nil {
			return nil, err
		}
	}
	r.mu.Lock()
	for date, sum := range sums {
		if c := r.pending[dayKey{keyID, date}]; c != nil && (!scoped || c.workspaceID == ws) {
			merge(sum, c)
		}
	}
	r.mu.Unlock()

	for _, day := range out {
		sum := sums[day.Date]
		day.Calls, day.Cost, day.Errors = int(sum.calls), int(sum.cost), int(sum.errors)
		h := hooks[day.Date]
		day.WebhookDeliveries = &models.WebhookDeliveryUsage{Attempts: int(h.Attempts), Delivered: int(h.Delivered), Failed: int(h.Failed)}
		if sum.calls > 0 {
			day.ErrorRate = float64(sum.errors) / float64(sum.calls)
		}
		day.Operations = make([]*models.OperationUsage, 0, len(sum.ops))
		for op, n := range sum.ops {
			day.Operations = append(day.Operations, &models.OperationUsage{Operation: op, Calls: int(n.Calls), Errors: int(n.Errors)})
		}
		slices.SortFunc(day.Operations, func(a, b *models.OperationUsage) int {
			return cmp.Or(cmp.Compare(b.Calls, a.Calls), cmp.Compare(a.Operation, b.Operation))
		})
	}
	return out, nil
}
