package webhooks_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/internal/webhooks"
	"github.com/wbk/crm/models"
)

// TestTwoInstancesDeliverEachEventOnce: two workers on one database, each with its own
// connections as two server instances have, share the queue: every event arrives exactly once.
func TestTwoInstancesDeliverEachEventOnce(t *testing.T) {
	pgURL, path := testdb.URL(t)
	st1, st2 := testdb.OpenAt(t, pgURL, path), testdb.OpenAt(t, pgURL, path)
	// A receiver that takes a moment keeps deliveries in flight while the other worker claims.
	s := newSetup(t, st1, []string{"contact.created"}, func(int) int { time.Sleep(10 * time.Millisecond); return http.StatusOK })
	const events = 120
	for i := range events {
		if _, err := st1.CreateContact(s.ctx, models.CreateContactInput{Email: fmt.Sprintf("c%d@example.com", i)}); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, st := range []*store.Store{st1, st2} {
		w := webhooks.NewWorker(webhooks.WorkerConfig{Store: st, Log: testdb.Logger(), AllowPrivate: true,
			Poll: 20 * time.Millisecond, Batch: 8})
		wg.Add(1)
		go func() { defer wg.Done(); w.Run(ctx) }()
	}
	deadline := time.Now().Add(30 * time.Second)
	for len(s.recv.requests()) < events && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	// Both keep polling a little longer: a duplicate would show up now.
	time.Sleep(200 * time.Millisecond)
	cancel()
	wg.Wait()
	seen := map[string]int{}
	for _, r := range s.recv.requests() {
		seen[r.header.Get("webhook-id")]++
	}
	if len(seen) != events {
		t.Errorf("%d distinct events arrived, want %d", len(seen), events)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s arrived %d times", id, n)
		}
	}
}

// TestDeliveredAfterKill9: a server killed with SIGKILL after committing a change, before its
// delivery, or in the middle of sending it, loses nothing: after a restart the event is
// delivered, with the same webhook-id.
func TestDeliveredAfterKill9(t *testing.T) {
	if os.Getenv("WEBHOOK_KILL_CHILD") != "" {
		killChild(t)
		return
	}
	for _, mode := range []string{"before-send", "while-sending"} {
		t.Run(mode, func(t *testing.T) {
			pgURL, path := testdb.URL(t)
			st := testdb.OpenAt(t, pgURL, path)
			arrived := make(chan received, 4)
			release := make(chan struct{})
			s := newSetup(t, st, []string{"contact.created"}, func(n int) int {
				if n == 0 && mode == "while-sending" {
					<-release // the first attempt never gets an answer: its sender dies
				}
				return http.StatusOK
			})
			s.recv.notify(arrived)
			t.Cleanup(func() { close(release) })

			cmd := exec.Command(os.Args[0], "-test.run=^TestDeliveredAfterKill9$", "-test.count=1")
			cmd.Env = append(os.Environ(), "WEBHOOK_KILL_CHILD="+mode, "CHILD_PG_URL="+pgURL, "CHILD_SQLITE_PATH="+path,
				"CHILD_WORKSPACE="+s.ws.ID)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			lines := bufio.NewScanner(out)
			committed := false
			for lines.Scan() {
				if strings.Contains(lines.Text(), "COMMITTED") {
					committed = true
					break
				}
			}
			if !committed {
				_ = cmd.Process.Kill()
				t.Fatal("the child did not commit")
			}
			var first received
			if mode == "while-sending" {
				select {
				case first = <-arrived:
				case <-time.After(30 * time.Second):
					t.Fatal("the child's worker never sent the event")
				}
			}
			if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred work, no shutdown
				t.Fatal(err)
			}
			_ = cmd.Wait()

			// The restart: a new worker, once the dead one's claim has lapsed.
			clock := testdb.NewClock(time.Now().Add(webhooks.DefaultLease + time.Second))
			drain(t, worker(st, clock.Now))
			var again received
			select {
			case again = <-arrived:
			default:
				t.Fatal("nothing delivered after the restart")
			}
			if mode == "while-sending" && again.header.Get("webhook-id") != first.header.Get("webhook-id") {
				t.Errorf("the retry has webhook-id %q, the first attempt %q", again.header.Get("webhook-id"), first.header.Get("webhook-id"))
			}
			if again.event.Type != "contact.created" || again.event.Data.Object["email"] != "killed@example.com" {
				t.Errorf("delivered %s", again.body)
			}
			ds := deliveries(t, s)
			if len(ds) != 1 || ds[0].Status != models.WebhookDeliveryStatusDelivered {
				t.Errorf("delivery log: %+v", ds)
			}
		})
	}
}

// killChild is the process that gets killed: it commits a change and, while sending, runs a
// worker; then it waits to be killed.
func killChild(t *testing.T) {
	st := testdb.OpenAt(t, os.Getenv("CHILD_PG_URL"), os.Getenv("CHILD_SQLITE_PATH"))
	ctx := store.WithWorkspace(context.Background(), os.Getenv("CHILD_WORKSPACE"))
	if _, err := st.CreateContact(ctx, models.CreateContactInput{Email: "killed@example.com"}); err != nil {
		t.Fatal(err)
	}
	fmt.Println("COMMITTED")
	if os.Getenv("WEBHOOK_KILL_CHILD") == "while-sending" {
		go webhooks.NewWorker(webhooks.WorkerConfig{Store: st, Log: testdb.Logger(), AllowPrivate: true}).Run(context.Background())
	}
	time.Sleep(time.Minute)
	t.Fatal("not killed")
}
