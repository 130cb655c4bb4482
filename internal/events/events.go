// Package events delivers live Lexi task updates (the lexiTaskUpdated subscription) to the
// subscribers of the task's workspace, and only to them.
//
// A Broker fans events out to this process's subscribers. It is the lexi.Notifier: the Lexi
// service tells it about every task created or decided, after the transaction committed.
//
//   - Embedded database (SQLite, one process): delivery is in process, nothing else.
//   - PostgreSQL (possibly several instances): the change is delivered to this instance's
//     subscribers at once and announced to the other instances with
//     pg_notify('lexi_tasks', {"workspace_id","task_id","origin"}). Every instance runs one
//     Listener (LISTEN lexi_tasks on a dedicated connection) that, for each announcement of
//     another instance, loads the task with a context scoped to the announced workspace and
//     delivers it to its own subscribers of that workspace. The task is read through the
//     workspace-scoped data layer, so an announcement can never surface another workspace's
//     task.
//
// Delivery is at most once: an event published while a listener is reconnecting, or one a
// slow subscriber has no room for, is not replayed. A subscriber whose buffer is full is
// completed (its channel closed) rather than silently skipped, so that a client knows it
// missed something and can resubscribe and read lexiTasks to catch up; no subscriber ever
// blocks the publisher or another subscriber.
package events

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// Channel is the PostgreSQL notification channel of task changes.
const Channel = "lexi_tasks"

// DefaultBuffer is how many undelivered events a subscriber may have before it is completed.
const DefaultBuffer = 64

// notifyTimeout bounds pg_notify and the listener's task lookups.
const notifyTimeout = 5 * time.Second

// message is the pg_notify payload. Origin names the publishing instance, whose own
// listener skips it: that instance delivered it in process already.
type message struct {
	WorkspaceID string `json:"workspace_id"`
	TaskID      string `json:"task_id"`
	Origin      string `json:"origin,omitempty"`
}

// Broker fans task events out to this process's subscribers, per workspace.
type Broker struct {
	store  *store.Store
	log    *slog.Logger
	id     string // this instance, in pg_notify payloads
	notify bool   // announce changes with pg_notify (PostgreSQL)
	buffer int

	mu      sync.Mutex
	subs    map[string]map[*subscriber]struct{} // workspace id → subscribers
	changed chan struct{}                       // closed and replaced when subs change
	closed  bool
}

type subscriber struct {
	ch   chan *models.LexiTask
	done bool // ch is closed; guarded by Broker.mu
}

// New returns a broker on st. On PostgreSQL it also announces every change to the other
// instances with pg_notify; start a Listener to hear theirs.
func New(st *store.Store, log *slog.Logger) *Broker {
	if log == nil {
		log = slog.Default()
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Broker{store: st, log: log, id: hex.EncodeToString(b[:]), notify: st != nil && st.Dialect() == store.Postgres,
		buffer: DefaultBuffer, subs: map[string]map[*subscriber]struct{}{}, changed: make(chan struct{})}
}

// Subscribe returns the events of one workspace until ctx ends, the subscriber falls
// DefaultBuffer events behind, or the broker closes; then the channel is closed.
func (b *Broker) Subscribe(ctx context.Context, workspaceID string) <-chan *models.LexiTask {
	s := &subscriber{ch: make(chan *models.LexiTask, b.buffer)}
	b.mu.Lock()
	if b.closed || workspaceID == "" {
		b.mu.Unlock()
		close(s.ch)
		return s.ch
	}
	set := b.subs[workspaceID]
	if set == nil {
		set = map[*subscriber]struct{}{}
		b.subs[workspaceID] = set
	}
	set[s] = struct{}{}
	b.changedLocked()
	b.mu.Unlock()
	context.AfterFunc(ctx, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.dropLocked(workspaceID, s)
	})
	return s.ch
}

// dropLocked unsubscribes s and closes its channel.
func (b *Broker) dropLocked(workspaceID string, s *subscriber) {
	if s.done {
		return
	}
	s.done = true
	close(s.ch)
	if set := b.subs[workspaceID]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(b.subs, workspaceID)
		}
	}
	b.changedLocked()
}

func (b *Broker) changedLocked() {
	close(b.changed)
	b.changed = make(chan struct{})
}

// Subscribers is how many subscribers of workspaceID this process has.
func (b *Broker) Subscribers(workspaceID string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs[workspaceID])
}

// WaitSubscribers blocks until this process has exactly n subscribers of workspaceID, or ctx
// ends. It is the explicit signal tests wait on to know a subscription is in place (or gone).
func (b *Broker) WaitSubscribers(ctx context.Context, workspaceID string, n int) error {
	for {
		b.mu.Lock()
		have, changed := len(b.subs[workspaceID]), b.changed
		b.mu.Unlock()
		if have == n {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("workspace %s has %d subscribers, want %d: %w", workspaceID, have, n, ctx.Err())
		case <-changed:
		}
	}
}

// Deliver hands task to this process's subscribers of workspaceID. It never blocks: a
// subscriber without room is completed.
func (b *Broker) Deliver(workspaceID string, task *models.LexiTask) {
	if task == nil || workspaceID == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs[workspaceID] {
		select {
		case s.ch <- task:
		default:
			b.log.Warn("lexi events: a subscriber fell behind and was completed", "workspace", workspaceID)
			b.dropLocked(workspaceID, s)
		}
	}
}

// Publish announces that task taskID of workspaceID was created or changed status: it
// delivers the task to this process's subscribers and, on PostgreSQL, to every other
// instance's. The task is read with a context scoped to workspaceID. Call it after the
// change committed.
func (b *Broker) Publish(ctx context.Context, workspaceID, taskID string) error {
	task, err := b.load(ctx, workspaceID, taskID)
	if err != nil {
		return err
	}
	b.publish(ctx, workspaceID, task)
	return nil
}

// TaskChanged implements lexi.Notifier: ctx is the caller's, scoped to the task's workspace,
// and the task is as it was committed, so it is delivered as it is, without a read.
func (b *Broker) TaskChanged(ctx context.Context, task *models.LexiTask) {
	ws, ok := store.WorkspaceFrom(ctx)
	if !ok || task == nil || (task.WorkspaceID != "" && task.WorkspaceID != ws) {
		// Never deliver a task under a workspace it is not known to belong to.
		b.log.Error("lexi events: task change outside its workspace scope; not delivered")
		return
	}
	b.publish(ctx, ws, task)
}

func (b *Broker) publish(ctx context.Context, workspaceID string, task *models.LexiTask) {
	b.Deliver(workspaceID, task)
	if !b.notify {
		return
	}
	payload, _ := json.Marshal(message{WorkspaceID: workspaceID, TaskID: task.ID, Origin: b.id})
	// The change has committed: announce it even if the caller's request is being cancelled.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), notifyTimeout)
	defer cancel()
	if err := b.store.DB().WithContext(ctx).Exec("SELECT pg_notify(?, ?)", Channel, string(payload)).Error; err != nil {
		b.log.Error("lexi events: pg_notify failed; other instances miss this update",
			"workspace", workspaceID, "task", task.ID, "err", err)
	}
}

// load reads one task in its workspace's scope.
func (b *Broker) load(ctx context.Context, workspaceID, taskID string) (*models.LexiTask, error) {
	ctx, cancel := context.WithTimeout(store.WithWorkspace(ctx, workspaceID), notifyTimeout)
	defer cancel()
	return b.store.LexiTask(ctx, taskID)
}

// Close completes every subscription and refuses new ones (they get a closed channel). The
// server calls it on shutdown, since hijacked websocket connections outlive http.Server's
// drain.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for ws, set := range b.subs {
		for s := range set {
			b.dropLocked(ws, s)
		}
	}
}
