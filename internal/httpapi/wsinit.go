package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"

	"github.com/wbk/crm/internal/textcheck"
)

// DefaultWebsocketInitTimeout is how long a websocket may stay open without connection_init.
const DefaultWebsocketInitTimeout = 10 * time.Second

// The graphql-transport-ws close codes of a connection that never initialises properly.
const (
	closeInitTimeout  = 4408 // no connection_init in time
	closeBadInitValue = 4400 // a connection_init whose payload is not an object
)

// initGuard enforces the start of the graphql-transport-ws protocol, which gqlgen's
// transport does not: a socket that sends no connection_init within the timeout is closed
// with 4408 (gqlgen's InitTimeout closes with 1002), and a connection_init whose payload is
// not a JSON object is closed with 4400 (gqlgen leaves it open, neither acked nor closed).
type initGuard struct {
	transport.WebsocketImplementation
	timeout time.Duration
}

func (g initGuard) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := g.WebsocketImplementation.Accept(w, r, opts)
	if err != nil {
		return nil, err
	}
	c := &guardedConn{WebsocketConn: conn}
	if s, ok := r.Context().Value(socketKey{}).(*socket); ok {
		s.conn.Store(c)
	}
	c.timer = time.AfterFunc(g.timeout, func() {
		if c.markInit() {
			_ = c.WriteClose(closeInitTimeout, "Connection initialisation timeout")
			_ = c.Close()
		}
	})
	return c, nil
}

var errBadInitPayload = errors.New("connection_init payload is not an object")

type guardedConn struct {
	transport.WebsocketConn
	timer *time.Timer

	mu   sync.Mutex
	init bool // the first message arrived, or the timeout closed the socket
}

// markInit records that the first message (or the timeout) came; only the first caller wins.
func (c *guardedConn) markInit() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.init {
		return false
	}
	c.init = true
	return true
}

// NextReader reads a whole message, checks the first, and marks what is not text in every
// one (textcheck.MarkJSON) before gqlgen's decoder could repair it.
func (c *guardedConn) NextReader() (int, io.Reader, error) {
	typ, r, err := c.WebsocketConn.NextReader()
	if err != nil {
		return typ, r, err
	}
	c.mu.Lock()
	first := !c.init
	c.mu.Unlock()
	if first {
		if !c.markInit() {
			return typ, nil, transport.ErrWebsocketClosed // the timeout won the race
		}
		c.timer.Stop()
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return typ, nil, err
	}
	if first {
		var msg struct {
			Type    string          `json:"type"`
			Payload json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &msg) == nil && msg.Type == "connection_init" && !objectOrAbsent(msg.Payload) {
			_ = c.WriteClose(closeBadInitValue, "Invalid connection_init payload: send a JSON object")
			return typ, nil, errBadInitPayload
		}
	}
	return typ, bytes.NewReader(textcheck.MarkJSON(data)), nil
}

// socket is the websocket a request was upgraded to, reachable from the context of every
// operation on it, so that an operation can end the whole connection (CloseSocket).
type socket struct{ conn atomic.Pointer[guardedConn] }

type socketKey struct{}

// withSocket prepares an upgrade request's context to hold its websocket.
func withSocket(r *http.Request) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), socketKey{}, &socket{}))
}

// CloseSocket closes the websocket an operation runs on, with the close code that err's
// code has at connection_init (4401 for a key that is revoked or expired, 4503 when the
// database does not answer), and reports whether there was one: an operation over HTTP (an
// event stream) has none, and simply ends.
func CloseSocket(ctx context.Context, err error) bool {
	s, ok := ctx.Value(socketKey{}).(*socket)
	if !ok {
		return false
	}
	c := s.conn.Load()
	if c == nil {
		return false
	}
	_ = c.WriteClose(socketCloseCode(err), closeReason(err))
	_ = c.Close()
	return true
}

func objectOrAbsent(raw json.RawMessage) bool {
	raw = bytes.TrimSpace(raw)
	return len(raw) == 0 || string(raw) == "null" || raw[0] == '{'
}

// SetReadLimit and SetReadDeadline pass gqlgen's optional interfaces through.
func (c *guardedConn) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

func (c *guardedConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}
