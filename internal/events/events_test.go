package events_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/events"
	"github.com/wbk/crm/internal/lexi"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

var _ lexi.Notifier = (*events.Broker)(nil)

// wait bounds every receive; nothing is timed otherwise.
const wait = 10 * time.Second

// workspace creates a workspace and returns a context scoped to it.
func workspace(t *testing.T, st *store.Store, name string) (context.Context, string) {
	t.Helper()
	ws, err := st.CreateWorkspace(store.AsSystem(context.Background()), name, models.PlanOrg)
	if err != nil {
		t.Fatal(err)
	}
	return store.WithWorkspace(context.Background(), ws.ID), ws.ID
}

// newTask stores a PENDING task in ctx's workspace.
func newTask(t *testing.T, st *store.Store, ctx context.Context, name string) *models.LexiTask {
	t.Helper()
	ex, err := st.SaveLexiExchange(ctx, nil, "create a list called "+name, "ok", []store.LexiProposal{{
		Action: models.LexiActionCreateList, Title: "Create list " + name, Description: "Create list " + name,
		Payload: store.LexiCreateList{Name: name},
	}})
	if err != nil {
		t.Fatal(err)
	}
	return ex.Tasks[0]
}

func receive(t *testing.T, ch <-chan *models.LexiTask) *models.LexiTask {
	t.Helper()
	select {
	case task, ok := <-ch:
		if !ok {
			t.Fatalf("the subscription ended")
		}
		return task
	case <-time.After(wait):
		t.Fatalf("no event within %s", wait)
	}
	return nil
}

func expect(t *testing.T, ch <-chan *models.LexiTask, id string, status models.LexiTaskStatus) {
	t.Helper()
	got := receive(t, ch)
	if got.ID != id || got.Status != status {
		t.Fatalf("got task %s %s, want %s %s", got.ID, got.Status, id, status)
	}
}

func subscribe(t *testing.T, b *events.Broker, ws string) <-chan *models.LexiTask {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return b.Subscribe(ctx, ws)
}

func TestDeliversOnlyToTheTasksWorkspace(t *testing.T) {
	st := testdb.Open(t)
	b := events.New(st, testdb.Logger())
	ctxA, wsA := workspace(t, st, "A")
	ctxB, wsB := workspace(t, st, "B")
	a1, a2, bSub := subscribe(t, b, wsA), subscribe(t, b, wsA), subscribe(t, b, wsB)

	ta := newTask(t, st, ctxA, "Hot")
	b.TaskChanged(ctxA, ta)
	expect(t, a1, ta.ID, models.LexiTaskStatusPending)
	expect(t, a2, ta.ID, models.LexiTaskStatusPending)

	done, err := st.ApproveLexiTask(ctxA, ta.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	b.TaskChanged(ctxA, done)
	expect(t, a1, ta.ID, models.LexiTaskStatusExecuted)

	// A task announced outside its workspace's scope, or under another workspace, goes nowhere.
	b.TaskChanged(context.Background(), ta)
	b.TaskChanged(ctxB, ta)

	// Publish reads the task in the named workspace's scope: A's task is not B's.
	if err := b.Publish(context.Background(), wsB, ta.ID); apperr.CodeOf(err) != apperr.ENOTFOUND {
		t.Fatalf("publishing A's task as B's: want NOT_FOUND, got %v", err)
	}

	tb := newTask(t, st, ctxB, "Cold")
	if err := b.Publish(context.Background(), wsB, tb.ID); err != nil {
		t.Fatal(err)
	}
	// B's first event is its own task: nothing of A's came before it.
	expect(t, bSub, tb.ID, models.LexiTaskStatusPending)
	// And A saw nothing of B's, nor the misdirected announcements: A's next event is A's.
	ta2 := newTask(t, st, ctxA, "Warm")
	b.TaskChanged(ctxA, ta2)
	expect(t, a1, ta2.ID, models.LexiTaskStatusPending)
}

func TestSlowSubscriberIsCompletedWithoutBlockingOthers(t *testing.T) {
	st := testdb.Open(t)
	b := events.New(st, testdb.Logger())
	b.SetBuffer(2)
	ctx, ws := workspace(t, st, "A")
	slow, fast := subscribe(t, b, ws), subscribe(t, b, ws)

	var ids []string
	for i := range 4 {
		task := newTask(t, st, ctx, fmt.Sprintf("L%d", i))
		ids = append(ids, task.ID)
		b.TaskChanged(ctx, task) // never blocks, although slow reads nothing
		expect(t, fast, task.ID, models.LexiTaskStatusPending)
	}
	// slow got what fitted in its buffer, then was completed.
	for _, id := range ids[:2] {
		expect(t, slow, id, models.LexiTaskStatusPending)
	}
	select {
	case task, ok := <-slow:
		if ok {
			t.Fatalf("the slow subscriber got %s after overflowing; want its channel closed", task.ID)
		}
	case <-time.After(wait):
		t.Fatal("the slow subscriber's channel was not closed")
	}
	ctxWait, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	if err := b.WaitSubscribers(ctxWait, ws, 1); err != nil {
		t.Fatal(err)
	}
}

func TestUnsubscribeOnCancelAndClose(t *testing.T) {
	b := events.New(nil, testdb.Logger())
	ctx, cancel := context.WithCancel(context.Background())
	ch := b.Subscribe(ctx, "ws_1")
	other := subscribe(t, b, "ws_1")
	cancel()
	if _, ok := <-ch; ok {
		t.Fatal("want the channel closed after cancel")
	}
	waitCtx, stop := context.WithTimeout(context.Background(), wait)
	defer stop()
	if err := b.WaitSubscribers(waitCtx, "ws_1", 1); err != nil {
		t.Fatal(err)
	}

	b.Close()
	if _, ok := <-other; ok {
		t.Fatal("want every channel closed by Close")
	}
	if _, ok := <-b.Subscribe(context.Background(), "ws_1"); ok {
		t.Fatal("want a closed channel from a closed broker")
	}
	if err := b.WaitSubscribers(waitCtx, "ws_1", 0); err != nil {
		t.Fatal(err)
	}
}

// pgInstances opens n brokers, each on its own store and with its own listener, on one fresh
// PostgreSQL database: n server instances.
func pgInstances(t *testing.T, n int) (url string, stores []*store.Store, brokers []*events.Broker) {
	t.Helper()
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("TEST_DATABASE_URL is not set: LISTEN/NOTIFY needs PostgreSQL")
	}
	url, _ = testdb.URL(t)
	for range n {
		st := testdb.OpenAt(t, url, "")
		b := events.New(st, testdb.Logger())
		l := b.StartListener(url)
		t.Cleanup(l.Stop)
		waitReady(t, l)
		stores, brokers = append(stores, st), append(brokers, b)
	}
	return url, stores, brokers
}

func waitReady(t *testing.T, l *events.Listener) {
	t.Helper()
	select {
	case <-l.Ready():
	case <-time.After(wait):
		t.Fatal("the listener did not start listening")
	}
}

func TestCrossInstanceThroughListenNotify(t *testing.T) {
	_, stores, brokers := pgInstances(t, 2)
	st1, b1, b2 := stores[0], brokers[0], brokers[1]
	ctxA, wsA := workspace(t, st1, "A")
	ctxB, wsB := workspace(t, st1, "B")
	on1A, on1B, on2A := subscribe(t, b1, wsA), subscribe(t, b1, wsB), subscribe(t, b2, wsA)

	// A change through instance 2 reaches instance 1's subscriber of A (read back from the
	// database) and instance 2's own, once.
	ta := newTask(t, stores[1], ctxA, "Hot")
	b2.TaskChanged(ctxA, ta)
	expect(t, on1A, ta.ID, models.LexiTaskStatusPending)
	expect(t, on2A, ta.ID, models.LexiTaskStatusPending)
	done, err := stores[1].ApproveLexiTask(ctxA, ta.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	b2.TaskChanged(ctxA, done)
	got := receive(t, on1A)
	if got.ID != ta.ID || got.Status != models.LexiTaskStatusExecuted || got.Result == nil {
		t.Fatalf("instance 1 got %+v, want the EXECUTED task with its result", got)
	}
	// Instance 2 delivered it in process and skipped its own announcement: no duplicate.
	expect(t, on2A, ta.ID, models.LexiTaskStatusExecuted)

	// B's subscriber saw nothing of A's: its first event is B's own task.
	tb := newTask(t, st1, ctxB, "Cold")
	b2.TaskChanged(ctxB, tb)
	expect(t, on1B, tb.ID, models.LexiTaskStatusPending)
	ta2 := newTask(t, st1, ctxA, "Warm")
	b1.TaskChanged(ctxA, ta2)
	expect(t, on2A, ta2.ID, models.LexiTaskStatusPending) // not B's, not a duplicate of A's
	expect(t, on1A, ta2.ID, models.LexiTaskStatusPending)
}

func TestForgedNotificationCannotCrossWorkspaces(t *testing.T) {
	_, stores, brokers := pgInstances(t, 1)
	st, b := stores[0], brokers[0]
	ctxA, _ := workspace(t, st, "A")
	ctxB, wsB := workspace(t, st, "B")
	onB := subscribe(t, b, wsB)

	ta := newTask(t, st, ctxA, "Secret")
	// Anyone with database access could announce A's task under B's workspace; the listener
	// reads it in B's scope, finds nothing, and delivers nothing.
	forged := fmt.Sprintf(`{"workspace_id":%q,"task_id":%q}`, wsB, ta.ID)
	if err := st.DB().Exec("SELECT pg_notify(?, ?)", events.Channel, forged).Error; err != nil {
		t.Fatal(err)
	}
	if err := st.DB().Exec("SELECT pg_notify(?, ?)", events.Channel, "not json").Error; err != nil {
		t.Fatal(err)
	}
	tb := newTask(t, st, ctxB, "Mine")
	real := fmt.Sprintf(`{"workspace_id":%q,"task_id":%q}`, wsB, tb.ID)
	if err := st.DB().Exec("SELECT pg_notify(?, ?)", events.Channel, real).Error; err != nil {
		t.Fatal(err)
	}
	// Notifications arrive in order: had the forged one been delivered, it would come first.
	expect(t, onB, tb.ID, models.LexiTaskStatusPending)
}

func TestListenerReconnects(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("TEST_DATABASE_URL is not set: LISTEN/NOTIFY needs PostgreSQL")
	}
	url, _ := testdb.URL(t)
	st1, st2 := testdb.OpenAt(t, url, ""), testdb.OpenAt(t, url, "")
	b1, b2 := events.New(st1, testdb.Logger()), events.New(st2, testdb.Logger())
	pids := make(chan uint32, 4)
	l := b1.StartListenerWatched(url, func(pid uint32) { pids <- pid })
	t.Cleanup(l.Stop)
	first := <-pids // the listener's first connection is listening

	// Drop the listener's connection from the server side, as a failover or restart would.
	if err := st2.DB().Exec("SELECT pg_terminate_backend(?)", first).Error; err != nil {
		t.Fatal(err)
	}
	var second uint32
	select {
	case second = <-pids:
	case <-time.After(wait):
		t.Fatal("the listener did not reconnect")
	}
	if second == first {
		t.Fatalf("want a new connection, got the same backend %d", second)
	}

	ctx, ws := workspace(t, st1, "A")
	on1 := subscribe(t, b1, ws)
	task := newTask(t, st2, ctx, "After")
	b2.TaskChanged(ctx, task)
	expect(t, on1, task.ID, models.LexiTaskStatusPending)

	// Stop returns once the listener's goroutine ended and closed its connection; a second
	// Stop (the cleanup's) is harmless.
	l.Stop()
}
