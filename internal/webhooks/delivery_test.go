package webhooks_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/internal/webhooks"
	"github.com/wbk/crm/models"
)

// TestEveryEventTypeReachesTheReceiverSigned: every event type arrives at an endpoint that
// subscribes to all of them, with the Standard Webhooks headers (webhook-id equal to the
// body's id, a current timestamp, a signature the Standard Webhooks library accepts) and the
// body's envelope; each event arrives once.
func TestEveryEventTypeReachesTheReceiverSigned(t *testing.T) {
	st := testdb.Open(t)
	s := newSetup(t, st, allEvents(), nil)
	ctx := s.ctx
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	str := func(v string) *string { return &v }
	c, err := st.CreateContact(ctx, models.CreateContactInput{Email: "a@example.com"})
	must(err)
	_, err = st.UpdateContact(ctx, c.ID, models.UpdateContactInput{Company: str("Acme")})
	must(err)
	l, err := st.CreateList(ctx, models.CreateListInput{Name: "VIP"})
	must(err)
	_, err = st.UpdateList(ctx, l.ID, models.UpdateListInput{Name: str("VIPs")})
	must(err)
	_, err = st.AddContactsToList(ctx, l.ID, []string{c.ID})
	must(err)
	_, err = st.RemoveContactsFromList(ctx, l.ID, []string{c.ID})
	must(err)
	cmp, err := st.CreateCampaign(ctx, models.CreateCampaignInput{Name: "Launch"})
	must(err)
	_, err = st.UpdateCampaign(ctx, cmp.ID, models.UpdateCampaignInput{Subject: str("Hello")})
	must(err)
	must(st.DeleteCampaign(ctx, cmp.ID))
	d, err := st.CreateDeal(ctx, models.CreateDealInput{Title: "Globex"})
	must(err)
	won := models.DealStageWon
	_, err = st.UpdateDeal(ctx, d.ID, models.UpdateDealInput{Stage: &won})
	must(err)
	must(st.DeleteDeal(ctx, d.ID))
	ex, err := st.SaveLexiExchange(ctx, nil, "m", "r", []store.LexiProposal{
		{Action: models.LexiActionCreateCampaign, Title: "t", Description: "d", Payload: &store.LexiCreateCampaign{Name: "Q4"}},
		{Action: models.LexiActionCreateList, Title: "t", Description: "d", Payload: &store.LexiCreateList{Name: "vips"}},
		{Action: models.LexiActionCreateList, Title: "t", Description: "d", Payload: &store.LexiCreateList{Name: "Other"}},
	})
	must(err)
	_, err = st.ApproveLexiTask(ctx, ex.Tasks[0].ID, "k")
	must(err)
	_, err = st.ApproveLexiTask(ctx, ex.Tasks[1].ID, "k") // the name is taken: FAILED
	must(err)
	_, err = st.RejectLexiTask(ctx, ex.Tasks[2].ID, nil, "k")
	must(err)
	must(st.DeleteList(ctx, l.ID))
	must(st.DeleteContact(ctx, c.ID))

	drain(t, worker(st, nil))
	got := s.recv.requests()
	seen := map[string]int{}
	ids := map[string]bool{}
	for _, r := range got {
		e := r.event
		seen[e.Type]++
		if ids[e.ID] {
			t.Errorf("event %s arrived twice", e.ID)
		}
		ids[e.ID] = true
		if h := r.header.Get("webhook-id"); h != e.ID || !strings.HasPrefix(h, "evt_") {
			t.Errorf("%s: webhook-id %q, body id %q", e.Type, h, e.ID)
		}
		ts, err := strconv.ParseInt(r.header.Get("webhook-timestamp"), 10, 64)
		if err != nil || time.Since(time.Unix(ts, 0)).Abs() > time.Minute {
			t.Errorf("%s: webhook-timestamp %q", e.Type, r.header.Get("webhook-timestamp"))
		}
		if sig := r.header.Get("webhook-signature"); !strings.HasPrefix(sig, "v1,") || strings.Contains(sig, " ") {
			t.Errorf("%s: webhook-signature %q, want one v1 signature", e.Type, sig)
		}
		if ct := r.header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", e.Type, ct)
		}
		if err := verify(t, s.secret, r, true); err != nil {
			t.Errorf("%s: the Standard Webhooks library refuses the signature: %v", e.Type, err)
		}
		if e.WorkspaceID != s.ws.ID || e.Data.Object["id"] == nil || e.Data.Changed == nil {
			t.Errorf("%s: envelope %s", e.Type, r.body)
		}
		if _, err := time.Parse(time.RFC3339Nano, e.CreatedAt); err != nil {
			t.Errorf("%s: created_at %q", e.Type, e.CreatedAt)
		}
		if strings.HasSuffix(e.Type, ".updated") && len(e.Data.Changed) == 0 {
			t.Errorf("%s without changed fields: %s", e.Type, r.body)
		}
	}
	for _, typ := range allEvents() {
		if seen[typ] == 0 {
			t.Errorf("no %s arrived", typ)
		}
	}
	for _, d := range deliveries(t, s) {
		if d.Status != models.WebhookDeliveryStatusDelivered || d.Attempts != 1 || d.LastStatusCode == nil || *d.LastStatusCode != 200 ||
			d.ResponseExcerpt == nil || *d.ResponseExcerpt != `{"ok":true}` || d.NextAttemptAt != nil || d.DeliveredAt == nil {
			t.Errorf("delivery log entry %+v", d)
		}
	}
}

// TestWhatIsNotDelivered: a change rolled back with its request, another workspace's
// change, an event the endpoint does not subscribe to, and anything while it is disabled.
func TestWhatIsNotDelivered(t *testing.T) {
	st := testdb.Open(t)
	a := newSetup(t, st, []string{"contact.created"}, nil)
	b := newSetup(t, st, allEvents(), nil)
	w := worker(st, nil)

	rctx, rt, err := st.BeginRequest(a.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateContact(rctx, models.CreateContactInput{Email: "rolled-back@example.com"}); err != nil {
		t.Fatal(err)
	}
	rt.Rollback()
	if _, err := st.CreateList(a.ctx, models.CreateListInput{Name: "not subscribed"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateContact(a.ctx, models.CreateContactInput{Email: "kept@example.com"}); err != nil {
		t.Fatal(err)
	}
	off := false
	if _, err := a.svc.UpdateEndpoint(a.ctx, a.endpoint.ID, models.UpdateWebhookEndpointInput{Enabled: &off}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateContact(a.ctx, models.CreateContactInput{Email: "while-disabled@example.com"}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	got := a.recv.requests()
	if len(got) != 0 {
		t.Fatalf("the disabled endpoint got %d requests", len(got))
	}
	ds := deliveries(t, a)
	if len(ds) != 1 || ds[0].Status != models.WebhookDeliveryStatusFailed || ds[0].LastError == nil {
		t.Fatalf("the one delivery (kept@) should have failed when the endpoint was disabled: %+v", ds)
	}
	on := true
	if _, err := a.svc.UpdateEndpoint(a.ctx, a.endpoint.ID, models.UpdateWebhookEndpointInput{Enabled: &on}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RedeliverWebhook(a.ctx, ds[0].ID); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	got = a.recv.requests()
	if len(got) != 1 || got[0].event.Data.Object["email"] != "kept@example.com" {
		t.Fatalf("after enabling and redelivering: %d requests", len(got))
	}
	if n := len(b.recv.requests()); n != 0 {
		t.Errorf("workspace B's endpoint got %d of A's events", n)
	}
	// And B's own change reaches B only.
	if _, err := st.CreateContact(b.ctx, models.CreateContactInput{Email: "b@example.com"}); err != nil {
		t.Fatal(err)
	}
	drain(t, w)
	if got := b.recv.requests(); len(got) != 1 || got[0].event.WorkspaceID != b.ws.ID {
		t.Errorf("B's endpoint: %d requests", len(got))
	}
	if n := len(a.recv.requests()); n != 1 {
		t.Errorf("A's endpoint got B's event")
	}
}

// TestRotationSignsWithBothSecretsDuringTheOverlap: after a rotation both secrets sign, each
// verifiable on its own, for 24 hours; then only the new one.
func TestRotationSignsWithBothSecretsDuringTheOverlap(t *testing.T) {
	st := testdb.Open(t)
	s := newSetup(t, st, []string{"contact.created"}, nil)
	clock := testdb.NewClock(time.Now().Add(time.Minute))
	s.svc.Now = clock.Now
	w := worker(st, clock.Now)
	rot, err := s.svc.RotateSecret(s.ctx, s.endpoint.ID)
	if err != nil {
		t.Fatal(err)
	}
	if rot.Secret == s.secret || !strings.HasPrefix(rot.Secret, webhooks.SecretPrefix) ||
		!rot.PreviousSecretExpiresAt.Equal(clock.Now().Add(24*time.Hour).UTC().Truncate(time.Microsecond)) {
		t.Fatalf("rotation: %+v", rot)
	}
	send := func(email string) received {
		t.Helper()
		if _, err := st.CreateContact(s.ctx, models.CreateContactInput{Email: email}); err != nil {
			t.Fatal(err)
		}
		drain(t, w)
		got := s.recv.requests()
		return got[len(got)-1]
	}
	during := send("during@example.com")
	if n := len(strings.Fields(during.header.Get("webhook-signature"))); n != 2 {
		t.Fatalf("during the overlap: %d signatures, want 2", n)
	}
	for name, secret := range map[string]string{"old": s.secret, "new": rot.Secret} {
		if err := verify(t, secret, during, false); err != nil {
			t.Errorf("during the overlap the %s secret does not verify: %v", name, err)
		}
	}
	clock.Add(24*time.Hour + time.Second)
	after := send("after@example.com")
	if n := len(strings.Fields(after.header.Get("webhook-signature"))); n != 1 {
		t.Fatalf("after the overlap: %d signatures, want 1", n)
	}
	if err := verify(t, rot.Secret, after, false); err != nil {
		t.Errorf("after the overlap the new secret does not verify: %v", err)
	}
	if err := verify(t, s.secret, after, false); err == nil {
		t.Errorf("after the overlap the old secret still verifies")
	}
}

// TestSendTimeRefusals: an address refused after DNS resolution is never contacted (the
// attempt fails and is retried), redirects are not followed, a slow endpoint times out.
func TestSendTimeRefusals(t *testing.T) {
	st := testdb.Open(t)
	cases := []struct {
		name      string
		answer    func(n int) int
		cfg       func(*webhooks.WorkerConfig)
		requests  int
		wantError string
		wantCode  int
	}{
		{name: "loopback after resolution", cfg: func(c *webhooks.WorkerConfig) { c.AllowPrivate = false },
			requests: 0, wantError: "refused"},
		{name: "redirect", answer: func(int) int { return http.StatusFound },
			requests: 1, wantError: "redirects are not followed", wantCode: http.StatusFound},
		{name: "server error", answer: func(int) int { return http.StatusServiceUnavailable },
			requests: 1, wantError: "503", wantCode: http.StatusServiceUnavailable},
		{name: "timeout", answer: func(int) int { time.Sleep(300 * time.Millisecond); return 200 },
			cfg:      func(c *webhooks.WorkerConfig) { c.Timeout = 50 * time.Millisecond },
			requests: 1, wantError: "timed out"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newSetup(t, st, []string{"contact.created"}, tc.answer)
			cfg := webhooks.WorkerConfig{Store: st, Log: testdb.Logger(), AllowPrivate: true}
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			if _, err := st.CreateContact(s.ctx, models.CreateContactInput{Email: "x@example.com"}); err != nil {
				t.Fatal(err)
			}
			drain(t, webhooks.NewWorker(cfg))
			if n := len(s.recv.requests()); n != tc.requests {
				t.Errorf("the receiver got %d requests, want %d", n, tc.requests)
			}
			ds := deliveries(t, s)
			if len(ds) != 1 {
				t.Fatalf("%d deliveries", len(ds))
			}
			d := ds[0]
			if d.Status != models.WebhookDeliveryStatusPending || d.Attempts != 1 || d.NextAttemptAt == nil ||
				d.LastError == nil || !strings.Contains(*d.LastError, tc.wantError) {
				t.Errorf("delivery %+v (error %v)", d, deref(d.LastError))
			}
			if code := 0; d.LastStatusCode != nil {
				code = *d.LastStatusCode
				if code != tc.wantCode {
					t.Errorf("last status %d, want %d", code, tc.wantCode)
				}
			} else if tc.wantCode != 0 {
				t.Errorf("no status code, want %d", tc.wantCode)
			}
		})
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// TestSendTestWebhook: a test event reaches one endpoint whatever it subscribes to.
func TestSendTestWebhook(t *testing.T) {
	st := testdb.Open(t)
	s := newSetup(t, st, []string{"deal.deleted"}, nil)
	other := newSetup(t, st, allEvents(), nil)
	d, err := st.SendTestWebhook(s.ctx, s.endpoint.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.EventType != "webhook.test" || d.Status != models.WebhookDeliveryStatusPending {
		t.Fatalf("test delivery %+v", d)
	}
	if _, err := st.SendTestWebhook(other.ctx, s.endpoint.ID); err == nil {
		t.Fatal("another workspace sent a test to this endpoint")
	}
	drain(t, worker(st, nil))
	got := s.recv.requests()
	if len(got) != 1 || got[0].event.Type != "webhook.test" || got[0].event.Data.Object["url"] != s.endpoint.URL {
		t.Fatalf("test event: %+v", got)
	}
	if err := verify(t, s.secret, got[0], true); err != nil {
		t.Error(err)
	}
	if n := len(other.recv.requests()); n != 0 {
		t.Errorf("the other endpoint got %d requests", n)
	}
}
