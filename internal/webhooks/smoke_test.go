package webhooks_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/internal/webhooks"
	"github.com/wbk/crm/models"
)

func TestSmoke(t *testing.T) {
	st := testdb.Open(t)
	got := make(chan *http.Request, 10)
	bodies := make(chan []byte, 10)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	defer srv.Close()
	ws, _ := st.CreateWorkspace(context.Background(), "S", models.PlanPro)
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	svc := &webhooks.Service{Store: st, AllowPrivate: true}
	p, err := svc.CreateEndpoint(ctx, models.CreateWebhookEndpointInput{URL: srv.URL, Events: []string{"contact.created"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateContact(ctx, models.CreateContactInput{Email: "a@example.com"}); err != nil {
		t.Fatal(err)
	}
	w := webhooks.NewWorker(webhooks.WorkerConfig{Store: st, AllowPrivate: true})
	n, err := w.RunOnce(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("RunOnce: %d, %v", n, err)
	}
	r, b := <-got, <-bodies
	wh, _ := standardwebhooks.NewWebhook(p.Secret)
	if err := wh.Verify(b, r.Header); err != nil {
		t.Fatalf("verify: %v", err)
	}
	conn, err := st.WebhookDeliveries(ctx, p.Endpoint.ID, nil, store.PageArgs{})
	if err != nil || len(conn.Edges) != 1 || conn.Edges[0].Node.Status != models.WebhookDeliveryStatusDelivered {
		t.Fatalf("log: %+v %v", conn, err)
	}
}
