package webhooks_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/internal/webhooks"
	"github.com/wbk/crm/models"
)

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMutationWithEndpoints: the server CPU of a createContact mutation through the HTTP
// handler when the workspace has 0, 1 and 5 endpoints subscribed to contact.created. The
// mutation writes the events and returns; it never waits for a delivery. With delivery=on a
// worker delivers them meanwhile to an in-process receiver (which answers 204 at once), so the
// figure includes signing, sending and recording each attempt.
func BenchmarkMutationWithEndpoints(b *testing.B) {
	for _, deliver := range []bool{false, true} {
		for _, endpoints := range []int{0, 1, 5} {
			b.Run(fmt.Sprintf("delivery=%v/endpoints=%d", deliver, endpoints), func(b *testing.B) {
				env := testenv.New(b)
				ws, key := env.Tenant(b, "Bench")
				ctx := store.WithWorkspace(context.Background(), ws.ID)
				var received atomic.Int64
				recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
					received.Add(1)
					w.WriteHeader(http.StatusNoContent)
				}))
				defer recv.Close()
				for range endpoints {
					if _, err := env.Store.CreateWebhookEndpoint(ctx, store.NewWebhookEndpoint{URL: recv.URL,
						Events: []string{"contact.created"}, Secret: webhooks.NewSecret()}); err != nil {
						b.Fatal(err)
					}
				}
				wctx, stop := context.WithCancel(context.Background())
				defer stop()
				if deliver {
					w := webhooks.NewWorker(webhooks.WorkerConfig{Store: env.Store, Log: testdb.Logger(), AllowPrivate: true})
					env.Store.OnWebhooksQueued(w.Wake)
					go w.Run(wctx)
				}
				n := 0
				b.ReportAllocs()
				b.ResetTimer()
				cpu0 := cpuTime(b)
				for b.Loop() {
					n++
					body, _ := json.Marshal(map[string]any{"query": `mutation($e: String!) { createContact(input: {email: $e}) { id } }`,
						"variables": map[string]any{"e": fmt.Sprintf("c%d@example.com", n)}})
					req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("Authorization", "Bearer "+key)
					rec := httptest.NewRecorder()
					env.Handler.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK || bytes.Contains(rec.Body.Bytes(), []byte(`"errors"`)) {
						b.Fatalf("status %d: %s", rec.Code, rec.Body)
					}
				}
				if deliver { // the deliveries' CPU counts: wait for them
					for received.Load() < int64(n*endpoints) {
						time.Sleep(time.Millisecond)
					}
				}
				b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/float64(n), "cpu-µs/op")
			})
		}
	}
}

// BenchmarkCommitToReceiver: events per second from the commit of a change to its arrival at
// an endpoint, one worker delivering while the changes are made.
func BenchmarkCommitToReceiver(b *testing.B) {
	st := testdb.Open(b)
	ws, err := st.CreateWorkspace(context.Background(), "Bench", models.PlanPro)
	if err != nil {
		b.Fatal(err)
	}
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	var received atomic.Int64
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		received.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer recv.Close()
	if _, err := st.CreateWebhookEndpoint(ctx, store.NewWebhookEndpoint{URL: recv.URL, Events: []string{"contact.created"},
		Secret: webhooks.NewSecret()}); err != nil {
		b.Fatal(err)
	}
	w := webhooks.NewWorker(webhooks.WorkerConfig{Store: st, Log: testdb.Logger(), AllowPrivate: true})
	st.OnWebhooksQueued(w.Wake)
	wctx, stop := context.WithCancel(context.Background())
	defer stop()
	go w.Run(wctx)
	n := 0
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		n++
		if _, err := st.CreateContact(ctx, models.CreateContactInput{Email: fmt.Sprintf("c%d@example.com", n)}); err != nil {
			b.Fatal(err)
		}
	}
	for received.Load() < int64(n) {
		time.Sleep(time.Millisecond)
	}
	b.ReportMetric(float64(n)/time.Since(start).Seconds(), "events/s")
}
