package webhooks_test

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/internal/webhooks"
	"github.com/wbk/crm/models"
)

// TestRetriesUntilDelivered: a receiver that answers 500 three times and then 200 gets four
// attempts of one event, each with the same webhook-id, each after a longer wait than the
// one before, on the worker's clock; the delivery log ends DELIVERED after 4 attempts.
func TestRetriesUntilDelivered(t *testing.T) {
	st := testdb.Open(t)
	s := newSetup(t, st, []string{"contact.created"}, func(n int) int {
		if n < 3 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	if _, err := st.CreateContact(s.ctx, models.CreateContactInput{Email: "r@example.com"}); err != nil {
		t.Fatal(err)
	}
	clock := testdb.NewClock(time.Now().Add(time.Second))
	w := worker(st, clock.Now)
	for range 10 {
		drain(t, w)
		ds := deliveries(t, s)
		if ds[0].Status != models.WebhookDeliveryStatusPending {
			break
		}
		if ds[0].NextAttemptAt.After(clock.Now()) {
			clock.Set(*ds[0].NextAttemptAt)
		}
	}
	got := s.recv.requests()
	if len(got) != 4 {
		t.Fatalf("%d attempts, want 4", len(got))
	}
	var last time.Time
	var lastGap time.Duration
	for i, r := range got {
		if r.header.Get("webhook-id") != got[0].header.Get("webhook-id") || r.event.ID != got[0].event.ID {
			t.Errorf("attempt %d has webhook-id %q, the first %q", i+1, r.header.Get("webhook-id"), got[0].header.Get("webhook-id"))
		}
		if err := verify(t, s.secret, r, false); err != nil {
			t.Errorf("attempt %d: %v", i+1, err)
		}
		sec, _ := strconv.ParseInt(r.header.Get("webhook-timestamp"), 10, 64)
		at := time.Unix(sec, 0)
		if i > 0 {
			gap := at.Sub(last)
			if gap <= lastGap {
				t.Errorf("attempt %d came %v after the previous one, not later than the gap before (%v)", i+1, gap, lastGap)
			}
			lastGap = gap
		}
		last = at
	}
	d := deliveries(t, s)[0]
	if d.Status != models.WebhookDeliveryStatusDelivered || d.Attempts != 4 || *d.LastStatusCode != 200 || d.LastError != nil {
		t.Errorf("delivery log: %+v", d)
	}
}

// TestBackoffSchedule: the documented schedule retries for about a day and grows each time.
func TestBackoffSchedule(t *testing.T) {
	b := webhooks.DefaultBackoff
	var total time.Duration
	prev := time.Duration(0)
	for n := 1; n < b.Attempts; n++ {
		d := b.Delay(n)
		if d < prev {
			t.Errorf("delay %d (%v) shorter than the one before (%v)", n, d, prev)
		}
		prev, total = d, total+d
	}
	if total < 22*time.Hour || total > 26*time.Hour {
		t.Errorf("the retries span %v, want about 24 h", total)
	}
	now := time.Unix(0, 0)
	for _, r := range []float64{0, 0.5, 0.999} {
		next, ok := b.Next(1, now, r)
		if !ok || next.Sub(now) < 12*time.Second || next.Sub(now) > 18*time.Second {
			t.Errorf("first retry with random %v: %v", r, next.Sub(now))
		}
	}
	if _, ok := b.Next(b.Attempts, now, 0.5); ok {
		t.Errorf("retried after the last attempt")
	}
}

// TestEndpointDisabledAfterThreeDaysOfFailure: a delivery that keeps failing is given up after
// its attempts (about a day); the endpoint whose deliveries have failed for three days is
// disabled, its pending deliveries fail, and its later events are not queued.
func TestEndpointDisabledAfterThreeDaysOfFailure(t *testing.T) {
	st := testdb.Open(t)
	s := newSetup(t, st, []string{"contact.created"}, func(int) int { return http.StatusBadGateway })
	start := time.Now().Add(time.Second)
	clock := testdb.NewClock(start)
	w := worker(st, clock.Now)
	for day := range 3 {
		if _, err := st.CreateContact(s.ctx, models.CreateContactInput{Email: "d" + strconv.Itoa(day) + "@example.com"}); err != nil {
			t.Fatal(err)
		}
		clock.Set(start.Add(time.Duration(day) * 25 * time.Hour))
		for range 20 { // each attempt when it is due, until none is pending
			drain(t, w)
			var due *time.Time
			for _, d := range deliveries(t, s) {
				if d.NextAttemptAt != nil && (due == nil || d.NextAttemptAt.Before(*due)) {
					due = d.NextAttemptAt
				}
			}
			if due == nil {
				break
			}
			clock.Set(*due)
		}
		e, err := st.WebhookEndpoint(s.ctx, s.endpoint.ID)
		if err != nil {
			t.Fatal(err)
		}
		if wantEnabled := day < 2; e.Enabled != wantEnabled {
			t.Fatalf("day %d: enabled %v (failing since %v, now %v)", day, e.Enabled, e.FailingSince, clock.Now())
		}
		if !e.Enabled && (e.DisabledReason == nil || e.FailingSince == nil) {
			t.Errorf("disabled without a reason: %+v", e)
		}
	}
	ds := deliveries(t, s)
	for _, d := range ds {
		if d.Status != models.WebhookDeliveryStatusFailed {
			t.Errorf("delivery %s is %s", d.ID, d.Status)
		}
	}
	if ds[len(ds)-1].Attempts != webhooks.DefaultBackoff.Attempts {
		t.Errorf("the first delivery made %d attempts, want %d", ds[len(ds)-1].Attempts, webhooks.DefaultBackoff.Attempts)
	}
	if _, err := st.CreateContact(s.ctx, models.CreateContactInput{Email: "after@example.com"}); err != nil {
		t.Fatal(err)
	}
	if len(deliveries(t, s)) != len(ds) {
		t.Errorf("a disabled endpoint got a new delivery")
	}
}

// TestAttemptsCountInUsage: every attempt counts in its workspace's usage of the day, apart
// from API calls; another workspace sees none of it.
func TestAttemptsCountInUsage(t *testing.T) {
	st := testdb.Open(t)
	s := newSetup(t, st, []string{"contact.created"}, func(n int) int {
		if n == 0 {
			return http.StatusServiceUnavailable
		}
		return http.StatusOK
	})
	other := newSetup(t, st, []string{"contact.created"}, nil)
	if _, err := st.CreateContact(s.ctx, models.CreateContactInput{Email: "u@example.com"}); err != nil {
		t.Fatal(err)
	}
	clock := testdb.NewClock(time.Now().Add(time.Second))
	w := worker(st, clock.Now)
	drain(t, w)
	clock.Add(time.Hour)
	drain(t, w)
	today := clock.Now().UTC().Format(store.UsageDateLayout)
	first := time.Now().UTC().Format(store.UsageDateLayout)
	got, err := st.WebhookUsage(s.ctx, first, today)
	if err != nil {
		t.Fatal(err)
	}
	var sum models.WebhookUsageRecord
	for _, r := range got {
		sum.Attempts, sum.Delivered, sum.Failed = sum.Attempts+r.Attempts, sum.Delivered+r.Delivered, sum.Failed+r.Failed
	}
	if sum.Attempts != 2 || sum.Delivered != 1 || sum.Failed != 1 {
		t.Errorf("usage %+v, want 2 attempts: 1 delivered, 1 failed", sum)
	}
	if got, err := st.WebhookUsage(other.ctx, first, today); err != nil || len(got) != 0 {
		t.Errorf("the other workspace's usage: %v %v", got, err)
	}
}
