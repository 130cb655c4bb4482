package events

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/wbk/crm/internal/apperr"
)

// Reconnection backoff of a Listener whose connection failed or dropped.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 10 * time.Second
)

// Listener hears other instances' task changes on PostgreSQL (LISTEN lexi_tasks on a
// connection of its own, outside the store's pool) and delivers them to its broker's
// subscribers. It reconnects with exponential backoff when the connection fails or drops;
// announcements made while it is disconnected are not replayed.
type Listener struct {
	broker *Broker
	url    string

	ready     chan struct{} // closed once LISTEN is first in place
	readyOnce sync.Once
	cancel    context.CancelFunc
	done      chan struct{}

	// onListen, when set (tests), is called each time LISTEN is in place, with the
	// connection's backend pid.
	onListen func(pid uint32)
}

// StartListener starts this instance's listener on the database at url (the DATABASE_URL the
// store was opened with). Stop it with Stop; Ready tells when it first listens.
func (b *Broker) StartListener(url string) *Listener {
	l := b.newListener(url)
	l.start()
	return l
}

func (b *Broker) newListener(url string) *Listener {
	return &Listener{broker: b, url: url, ready: make(chan struct{}), done: make(chan struct{})}
}

func (l *Listener) start() {
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	go func() {
		defer close(l.done)
		l.run(ctx)
	}()
}

// Ready is closed once the listener first listens: from then on, changes made on other
// instances reach this one's subscribers.
func (l *Listener) Ready() <-chan struct{} { return l.ready }

// Stop ends the listener and waits for it to close its connection.
func (l *Listener) Stop() {
	l.cancel()
	<-l.done
}

func (l *Listener) run(ctx context.Context) {
	log := l.broker.log
	backoff := minBackoff
	for {
		listened, err := l.listen(ctx)
		if ctx.Err() != nil {
			return
		}
		if listened {
			backoff = minBackoff // it worked for a while: start over
		}
		log.Warn("lexi events: listener connection lost; reconnecting", "err", err, "in", backoff)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

// listen runs one connection until it fails or ctx ends; listened reports whether LISTEN
// was in place.
func (l *Listener) listen(ctx context.Context) (listened bool, err error) {
	cfg, err := pgx.ParseConfig(l.url)
	if err != nil {
		return false, err
	}
	cfg.RuntimeParams["application_name"] = "crm lexi events"
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return false, err
	}
	defer func() {
		closeCtx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		_ = conn.Close(closeCtx)
	}()
	if _, err := conn.Exec(ctx, "LISTEN "+pgx.Identifier{Channel}.Sanitize()); err != nil {
		return false, err
	}
	l.readyOnce.Do(func() { close(l.ready) })
	if l.onListen != nil {
		l.onListen(conn.PgConn().PID())
	}
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return true, err
		}
		l.handle(ctx, n.Payload)
	}
}

// handle delivers one announcement to this instance's subscribers of its workspace.
func (l *Listener) handle(ctx context.Context, payload string) {
	b := l.broker
	var m message
	if err := json.Unmarshal([]byte(payload), &m); err != nil || m.WorkspaceID == "" || m.TaskID == "" {
		b.log.Warn("lexi events: ignoring a malformed notification")
		return
	}
	if m.Origin == b.id || b.Subscribers(m.WorkspaceID) == 0 {
		return // delivered in process already, or nobody here to tell
	}
	task, err := b.load(ctx, m.WorkspaceID, m.TaskID)
	if err != nil {
		// Not found: the channel is database-wide, and another schema's instance (or a
		// stale or forged announcement) named a task this workspace does not have.
		if apperr.CodeOf(err) != apperr.ENOTFOUND && ctx.Err() == nil {
			b.log.Warn("lexi events: could not load an announced task", "workspace", m.WorkspaceID, "task", m.TaskID, "err", err)
		}
		return
	}
	b.Deliver(m.WorkspaceID, task)
}
