package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// Live updates: lexiTaskUpdated over graphql-transport-ws against a real server.

// wsWait bounds every receive; nothing is timed otherwise.
const wsWait = 10 * time.Second

const taskUpdatedSub = `subscription { lexiTaskUpdated { id status action title result } }`

type wsMsg struct {
	ID      string          `json:"id,omitempty"`
	Type    string          `json:"type"`
	Payload json.RawMessage `json:"payload,omitempty"`
}

type wsClient struct {
	t    *testing.T
	conn *websocket.Conn
}

// wsDial opens a graphql-transport-ws connection to srv and sends connection_init with payload.
func wsDial(t *testing.T, srv *httptest.Server, payload map[string]any) *wsClient {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wsWait)
	defer cancel()
	conn, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/graphql",
		&websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	if resp.Body != nil {
		_ = resp.Body.Close()
	}
	if conn.Subprotocol() != "graphql-transport-ws" {
		t.Fatalf("subprotocol %q", conn.Subprotocol())
	}
	t.Cleanup(func() { _ = conn.CloseNow() })
	c := &wsClient{t: t, conn: conn}
	init := wsMsg{Type: "connection_init"}
	if payload != nil {
		init.Payload, _ = json.Marshal(payload)
	}
	c.send(init)
	return c
}

// wsSubscribe connects with key, expects connection_ack and subscribes to lexiTaskUpdated as
// operation "1". It returns once the server's broker holds the subscription.
func wsSubscribe(t *testing.T, env *testenv.Env, srv *httptest.Server, key, workspaceID string) *wsClient {
	t.Helper()
	c := wsDial(t, srv, map[string]any{"Authorization": "Bearer " + key})
	if m := c.next(); m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %s %s", m.Type, m.Payload)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wsWait)
	defer cancel()
	before := env.Events.Subscribers(workspaceID)
	c.subscribe("1", taskUpdatedSub)
	if err := env.Events.WaitSubscribers(ctx, workspaceID, before+1); err != nil {
		t.Fatalf("subscription not in place: %v", err)
	}
	return c
}

func (c *wsClient) send(m wsMsg) {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wsWait)
	defer cancel()
	if err := wsjson.Write(ctx, c.conn, m); err != nil {
		c.t.Fatalf("send %s: %v", m.Type, err)
	}
}

func (c *wsClient) subscribe(id, query string) {
	c.t.Helper()
	payload, _ := json.Marshal(map[string]any{"query": query})
	c.send(wsMsg{ID: id, Type: "subscribe", Payload: payload})
}

// read returns the next message other than ping/pong, or the error that ended the connection.
func (c *wsClient) read() (wsMsg, error) {
	ctx, cancel := context.WithTimeout(context.Background(), wsWait)
	defer cancel()
	for {
		var m wsMsg
		if err := wsjson.Read(ctx, c.conn, &m); err != nil {
			return m, err
		}
		switch m.Type {
		case "ping":
			_ = wsjson.Write(ctx, c.conn, wsMsg{Type: "pong"})
		case "pong":
		default:
			return m, nil
		}
	}
}

func (c *wsClient) next() wsMsg {
	c.t.Helper()
	m, err := c.read()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	return m
}

// nextTask reads the next message, which must be a "next" of operation "1" with a task.
func (c *wsClient) nextTask() map[string]any {
	c.t.Helper()
	m := c.next()
	if m.Type != "next" || m.ID != "1" {
		c.t.Fatalf("want next for operation 1, got %s %s: %s", m.Type, m.ID, m.Payload)
	}
	var doc struct {
		Data   map[string]any   `json:"data"`
		Errors []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal(m.Payload, &doc); err != nil || len(doc.Errors) > 0 {
		c.t.Fatalf("bad next payload: %s", m.Payload)
	}
	task, _ := doc.Data["lexiTaskUpdated"].(map[string]any)
	if task == nil {
		c.t.Fatalf("next without a task: %s", m.Payload)
	}
	return task
}

func (c *wsClient) expectTask(id, status string) map[string]any {
	c.t.Helper()
	task := c.nextTask()
	if task["id"] != id || task["status"] != status {
		c.t.Fatalf("got task %v %v, want %s %s", task["id"], task["status"], id, status)
	}
	return task
}

// closed reads until the server closes the connection and returns the close frame.
func (c *wsClient) closed() websocket.CloseError {
	c.t.Helper()
	for {
		m, err := c.read()
		if err != nil {
			var ce websocket.CloseError
			if !errors.As(err, &ce) {
				c.t.Fatalf("connection ended without a close frame: %v", err)
			}
			return ce
		}
		if m.Type == "connection_ack" {
			c.t.Fatalf("want the connection refused, got connection_ack")
		}
	}
}

// httpPost sends a GraphQL operation over real HTTP.
// httpPost posts a GraphQL operation to srv (a real HTTP server, where the subscription
// tests run) and decodes its data into a T, as testenv.Decode does.
func httpPost[T any](t *testing.T, srv *httptest.Server, key, query string, vars map[string]any) T {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := &testenv.Response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if err := json.Unmarshal(raw, &struct {
		Errors *[]testenv.Error `json:"errors"`
	}{&r.Errors}); err != nil {
		t.Fatalf("POST %s: status %d, not JSON: %s", query, resp.StatusCode, raw)
	}
	return testenv.Decode[T](t, r)
}

// taskStatus is a Lexi task as the mutations below select it.
type taskStatus struct{ ID, Status string }

// proposeOverHTTP asks Lexi for a list of the contacts tagged vip and returns the task's id.
func proposeOverHTTP(t *testing.T, srv *httptest.Server, key, name string) string {
	t.Helper()
	tasks := httpPost[struct{ LexiChat struct{ Tasks []taskStatus } }](t, srv, key,
		`mutation($m: String!) { lexiChat(input: {message: $m}) { tasks { id status } } }`,
		map[string]any{"m": "create a list called " + name + " with contacts tagged vip"}).LexiChat.Tasks
	if len(tasks) != 1 || tasks[0].Status != "PENDING" || tasks[0].ID == "" {
		t.Fatalf("want one PENDING task, got %+v", tasks)
	}
	return tasks[0].ID
}

func approveOverHTTP(t *testing.T, srv *httptest.Server, key, id string) {
	t.Helper()
	d := httpPost[struct{ ApproveLexiTask taskStatus }](t, srv, key, `mutation($id: ID!) { approveLexiTask(id: $id) { status } }`, map[string]any{"id": id})
	if d.ApproveLexiTask.Status != "EXECUTED" {
		t.Fatalf("approve: %+v", d)
	}
}

// workspaceOf returns the workspace id of key.
func workspaceOf(t *testing.T, srv *httptest.Server, key string) string {
	t.Helper()
	type workspace struct{ ID string }
	id := httpPost[struct{ Viewer struct{ Workspace workspace } }](t, srv, key, `{ viewer { workspace { id } } }`, nil).Viewer.Workspace.ID
	if id == "" {
		t.Fatal("viewer.workspace.id is empty")
	}
	return id
}

func TestSubscriptionDeliversTheWorkspacesTaskChanges(t *testing.T) {
	env := testenv.New(t)
	srv := httptest.NewServer(env.Handler)
	defer srv.Close()
	keyA, _ := lexiTenant(t, env, "Alpha")
	keyB, _ := lexiTenant(t, env, "Beta")
	wsA, wsB := workspaceOf(t, srv, keyA), workspaceOf(t, srv, keyB)
	subA := wsSubscribe(t, env, srv, keyA, wsA)
	subA2 := wsSubscribe(t, env, srv, keyA, wsA)
	subB := wsSubscribe(t, env, srv, keyB, wsB)

	// (a) A's subscribers see the task lexiChat created, then its EXECUTED update.
	id := proposeOverHTTP(t, srv, keyA, "Hot")
	task := subA.expectTask(id, "PENDING")
	if task["action"] != "CREATE_LIST" || task["title"] == "" {
		t.Fatalf("task %v", task)
	}
	subA2.expectTask(id, "PENDING")
	approveOverHTTP(t, srv, keyA, id)
	done := subA.expectTask(id, "EXECUTED")
	if r, _ := done["result"].(string); !strings.Contains(r, "Hot") {
		t.Fatalf("EXECUTED task without its result: %v", done)
	}
	subA2.expectTask(id, "EXECUTED")

	// A rejection is a status change too.
	rejected := proposeOverHTTP(t, srv, keyA, "Cold")
	subA.expectTask(rejected, "PENDING")
	httpPost[struct{ RejectLexiTask taskStatus }](t, srv, keyA, `mutation($id: ID!) { rejectLexiTask(id: $id) { status } }`, map[string]any{"id": rejected})
	subA.expectTask(rejected, "REJECTED")

	// (b) B saw none of it: the first event B receives is B's own task.
	idB := proposeOverHTTP(t, srv, keyB, "Mine")
	subB.expectTask(idB, "PENDING")
	// And A did not see B's: A's next event is A's.
	idA := proposeOverHTTP(t, srv, keyA, "Warm")
	subA.expectTask(idA, "PENDING")

	// A subscription counts in the key's usage like any other operation.
	type opCount struct {
		Operation string
		Calls     int
	}
	usage := httpPost[struct {
		Viewer struct {
			APIKey struct {
				Usage []struct{ Operations []opCount } // one entry a day
			} `json:"apiKey"`
		}
	}](t, srv, keyB, `{ viewer { apiKey { usage { operations { operation calls } } } } }`, nil).Viewer.APIKey.Usage
	counted := slices.ContainsFunc(usage, func(day struct{ Operations []opCount }) bool {
		return slices.ContainsFunc(day.Operations, func(o opCount) bool { return o.Operation == "lexiTaskUpdated" && o.Calls >= 1 })
	})
	if !counted {
		t.Fatalf("B's usage does not count its subscription: %+v", usage)
	}

	// complete ends the subscription on the server.
	subA.send(wsMsg{ID: "1", Type: "complete"})
	ctx, cancel := context.WithTimeout(context.Background(), wsWait)
	defer cancel()
	if err := env.Events.WaitSubscribers(ctx, wsA, 1); err != nil {
		t.Fatalf("after complete: %v", err)
	}
}

func TestSubscriptionConnectionAuth(t *testing.T) {
	env := testenv.New(t)
	srv := httptest.NewServer(env.Handler)
	defer srv.Close()
	ws := env.Workspace(t, "Auth", models.PlanOrg)
	noLexi := env.Key(t, ws, "read", "write")
	revoked, _ := env.KeyRecord(t, ws, func(k *models.ApiKey) { at := time.Now().Add(-time.Minute); k.RevokedAt = &at }, "lexi")
	expired, _ := env.KeyRecord(t, ws, func(k *models.ApiKey) { at := time.Now().Add(-time.Minute); k.ExpiresAt = &at }, "lexi")
	lexiOnly := env.Key(t, ws, "lexi")
	unknown, _, _ := auth.NewKey() // well formed, never stored

	for _, tc := range []struct {
		name    string
		payload map[string]any
		want    websocket.StatusCode
		reason  string
	}{
		{"no payload", nil, 4401, "UNAUTHENTICATED: MISSING_KEY"},
		{"no Authorization", map[string]any{}, 4401, "UNAUTHENTICATED: MISSING_KEY"},
		{"empty Authorization", map[string]any{"Authorization": ""}, 4401, "UNAUTHENTICATED: MISSING_KEY"},
		{"malformed key", map[string]any{"Authorization": "Bearer wbk_nope"}, 4401, "UNAUTHENTICATED: INVALID_KEY"},
		{"unknown key", map[string]any{"Authorization": "Bearer " + unknown}, 4401, "UNAUTHENTICATED: INVALID_KEY"},
		{"not a bearer", map[string]any{"Authorization": noLexi}, 4401, "UNAUTHENTICATED: INVALID_KEY"},
		{"revoked key", map[string]any{"Authorization": "Bearer " + revoked}, 4401, "UNAUTHENTICATED: REVOKED_KEY"},
		{"expired key", map[string]any{"Authorization": "Bearer " + expired}, 4401, "UNAUTHENTICATED: EXPIRED_KEY"},
		{"key without LEXI", map[string]any{"Authorization": "Bearer " + noLexi}, 4403, "FORBIDDEN: missing LEXI"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := wsDial(t, srv, tc.payload)
			if got := c.closed(); got.Code != tc.want || got.Reason != tc.reason {
				t.Fatalf("closed with %d %q, want %d %q", got.Code, got.Reason, tc.want, tc.reason)
			}
		})
	}

	// A key with LEXI is accepted, also when it has nothing else; the permission gate still
	// refuses, per operation, anything over the socket that needs a permission it lacks.
	c := wsDial(t, srv, map[string]any{"Authorization": "Bearer " + lexiOnly})
	if m := c.next(); m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %s %s", m.Type, m.Payload)
	}
	c.subscribe("q", `query { contacts(first: 1) { totalCount } }`)
	m := c.next()
	if m.Type != "next" && m.Type != "error" {
		t.Fatalf("want the refusal, got %s %s", m.Type, m.Payload)
	}
	if !strings.Contains(string(m.Payload), `"FORBIDDEN"`) || !strings.Contains(string(m.Payload), `"READ"`) {
		t.Fatalf("want FORBIDDEN missing READ, got %s %s", m.Type, m.Payload)
	}
}

func TestSubscriptionIsRateLimited(t *testing.T) {
	plans := testenv.LiftedPlans()
	plans[models.PlanStarter] = ratelimit.Limits{Day: 100, Minute: 1}
	env := testenv.New(t, testenv.Options{Plans: plans})
	srv := httptest.NewServer(env.Handler)
	defer srv.Close()
	ws := env.Workspace(t, "Small", models.PlanStarter)
	key := env.Key(t, ws, "lexi")

	c := wsDial(t, srv, map[string]any{"Authorization": "Bearer " + key})
	if m := c.next(); m.Type != "connection_ack" {
		t.Fatalf("want connection_ack, got %s %s", m.Type, m.Payload)
	}
	ctx, cancel := context.WithTimeout(context.Background(), wsWait)
	defer cancel()
	c.subscribe("1", taskUpdatedSub) // the minute's one call
	if err := env.Events.WaitSubscribers(ctx, ws.ID, 1); err != nil {
		t.Fatal(err)
	}
	c.subscribe("2", taskUpdatedSub) // over the limit
	m := c.next()
	if m.ID != "2" || !strings.Contains(string(m.Payload), `"RATE_LIMITED"`) {
		t.Fatalf("want operation 2 refused with RATE_LIMITED, got %s %s %s", m.Type, m.ID, m.Payload)
	}
	if err := env.Events.WaitSubscribers(ctx, ws.ID, 1); err != nil {
		t.Fatal(err)
	}
}

// (d) Two server instances on one PostgreSQL database: a change made through one reaches
// subscribers on the other through LISTEN/NOTIFY.
func TestSubscriptionAcrossInstances(t *testing.T) {
	if os.Getenv("TEST_DATABASE_URL") == "" {
		t.Skip("TEST_DATABASE_URL is not set: cross-instance updates use PostgreSQL LISTEN/NOTIFY")
	}
	url, _ := testenv.DatabaseURL(t)
	limits := testenv.UniquePrefix()
	env1 := testenv.NewOn(t, testenv.OpenStoreAt(t, url, ""), testenv.LimitStore(t, limits), testenv.Options{ListenURL: url})
	env2 := testenv.NewOn(t, testenv.OpenStoreAt(t, url, ""), testenv.LimitStore(t, limits), testenv.Options{ListenURL: url})
	srv1, srv2 := httptest.NewServer(env1.Handler), httptest.NewServer(env2.Handler)
	defer srv1.Close()
	defer srv2.Close()

	keyA, _ := lexiTenant(t, env1, "Alpha")
	keyB, _ := lexiTenant(t, env1, "Beta")
	wsA, wsB := workspaceOf(t, srv1, keyA), workspaceOf(t, srv1, keyB)
	on1A := wsSubscribe(t, env1, srv1, keyA, wsA)
	on1B := wsSubscribe(t, env1, srv1, keyB, wsB)
	on2A := wsSubscribe(t, env2, srv2, keyA, wsA)

	id := proposeOverHTTP(t, srv2, keyA, "Hot")
	on1A.expectTask(id, "PENDING")
	on2A.expectTask(id, "PENDING")
	approveOverHTTP(t, srv2, keyA, id)
	if r, _ := on1A.expectTask(id, "EXECUTED")["result"].(string); r == "" {
		t.Fatal("the EXECUTED task reached instance 1 without its result")
	}
	on2A.expectTask(id, "EXECUTED") // once: not again through its own announcement

	// B, on instance 1, saw nothing of A's: its first event is its own, made on instance 2.
	idB := proposeOverHTTP(t, srv2, keyB, "Mine")
	on1B.expectTask(idB, "PENDING")
	// The other direction: instance 1's change reaches instance 2.
	idA := proposeOverHTTP(t, srv1, keyA, "Warm")
	on2A.expectTask(idA, "PENDING")
	on1A.expectTask(idA, "PENDING")
}

// Revoking a key closes its open websockets with 4401 at their next event: the key is
// checked again before each delivery, as it is on each HTTP request, and a socket whose key
// no longer holds is closed as one with a bad key at connection_init is.
func TestSubscriptionEndsWhenItsKeyIsRevoked(t *testing.T) {
	env := testenv.New(t)
	srv := httptest.NewServer(env.Handler)
	defer srv.Close()
	ownerKey, _ := lexiTenant(t, env, "Owner")
	wsID := workspaceOf(t, srv, ownerKey)
	watcherKey, watcher := env.KeyRecord(t, &models.Workspace{ID: wsID}, func(*models.ApiKey) {}, "lexi")
	sub := wsSubscribe(t, env, srv, watcherKey, wsID)

	first := proposeOverHTTP(t, srv, ownerKey, "Seen")
	sub.expectTask(first, "PENDING")

	if _, err := env.Store.RevokeAPIKey(context.Background(), watcher.ID); err != nil {
		t.Fatal(err)
	}
	proposeOverHTTP(t, srv, ownerKey, "Unseen")
	for {
		m, err := sub.read()
		if err == nil {
			if m.Type == "next" {
				t.Fatalf("an event reached a revoked key: %s", m.Payload)
			}
			continue // a complete may be read before the close frame
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4401 || !strings.Contains(ce.Reason, "REVOKED_KEY") {
			t.Fatalf("after revocation the socket ended with %v, want close 4401 REVOKED_KEY", err)
		}
		return
	}
}
