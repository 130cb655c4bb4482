package webhooks_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/internal/webhooks"
	"github.com/wbk/crm/models"
)

// received is one request the receiver got.
type received struct {
	header http.Header
	body   []byte
	event  struct {
		ID          string `json:"id"`
		Type        string `json:"type"`
		CreatedAt   string `json:"created_at"`
		WorkspaceID string `json:"workspace_id"`
		Data        struct {
			Object  map[string]any `json:"object"`
			Changed []string       `json:"changed"`
		} `json:"data"`
	}
}

// receiver is an integration's endpoint: it records every request and answers with the
// status answer returns for the n-th request (from 0), 200 when answer is nil.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []received
	answer func(n int) int
	// arrived, when set, receives each request as it arrives (before it is answered).
	arrived chan received
}

func newReceiver(t *testing.T, answer func(n int) int) *receiver {
	r := &receiver{answer: answer}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		var rec received
		rec.header = req.Header.Clone()
		rec.body, _ = io.ReadAll(req.Body)
		if err := json.Unmarshal(rec.body, &rec.event); err != nil {
			t.Errorf("body is not an event: %s", rec.body)
		}
		r.mu.Lock()
		n := len(r.got)
		r.got = append(r.got, rec)
		arrived := r.arrived
		r.mu.Unlock()
		if arrived != nil {
			arrived <- rec
		}
		status := http.StatusOK
		if r.answer != nil {
			status = r.answer(n)
		}
		if status >= 300 && status < 400 {
			w.Header().Set("Location", "/moved")
		}
		w.WriteHeader(status)
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(r.Close)
	return r
}

// notify sends each request, as it arrives, to ch.
func (r *receiver) notify(ch chan received) {
	r.mu.Lock()
	r.arrived = ch
	r.mu.Unlock()
}

func (r *receiver) requests() []received {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]received(nil), r.got...)
}

// verify checks a request's signature with the Standard Webhooks library, the receivers' own
// verifier; the timestamp is checked against real time only when the test's clock is real.
func verify(t *testing.T, secret string, rec received, checkTime bool) error {
	t.Helper()
	wh, err := standardwebhooks.NewWebhook(secret)
	if err != nil {
		t.Fatal(err)
	}
	if checkTime {
		return wh.Verify(rec.body, rec.header)
	}
	return wh.VerifyIgnoringTimestamp(rec.body, rec.header)
}

// setup is a workspace with an endpoint at a receiver.
type setup struct {
	st       *store.Store
	ctx      context.Context
	ws       *models.Workspace
	endpoint *models.WebhookEndpoint
	secret   string
	recv     *receiver
	svc      *webhooks.Service
}

func newSetup(t *testing.T, st *store.Store, events []string, answer func(n int) int) *setup {
	t.Helper()
	ws, err := st.CreateWorkspace(context.Background(), "Hooks", models.PlanPro)
	if err != nil {
		t.Fatal(err)
	}
	s := &setup{st: st, ws: ws, ctx: store.WithWorkspace(context.Background(), ws.ID), recv: newReceiver(t, answer),
		svc: &webhooks.Service{Store: st, AllowPrivate: true}}
	p, err := s.svc.CreateEndpoint(s.ctx, models.CreateWebhookEndpointInput{URL: s.recv.URL + "/hook", Events: events})
	if err != nil {
		t.Fatal(err)
	}
	s.endpoint, s.secret = p.Endpoint, p.Secret
	return s
}

func allEvents() []string {
	var out []string
	for _, e := range store.WebhookEventTypes {
		out = append(out, string(e))
	}
	return out
}

// worker is a worker on st that may reach the test's local receivers.
func worker(st *store.Store, now func() time.Time) *webhooks.Worker {
	return webhooks.NewWorker(webhooks.WorkerConfig{Store: st, Log: testdb.Logger(), AllowPrivate: true, Now: now,
		Random: func() float64 { return 0.5 }})
}

// drain runs w until nothing is due.
func drain(t *testing.T, w *webhooks.Worker) int {
	t.Helper()
	total := 0
	for {
		n, err := w.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}

func deliveries(t *testing.T, s *setup) []*models.WebhookDelivery {
	t.Helper()
	conn, err := s.st.WebhookDeliveries(s.ctx, s.endpoint.ID, nil, store.PageArgs{})
	if err != nil {
		t.Fatal(err)
	}
	return conn.Nodes()
}
