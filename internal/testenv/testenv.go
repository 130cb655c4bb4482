// Package testenv gives HTTP tests the whole application (internal/app) on a real database:
// PostgreSQL when TEST_DATABASE_URL is set (each test in a schema of its own), else a fresh
// SQLite file. Tests of the layers below HTTP use internal/testdb instead, which does not
// compile the schema and the HTTP surface.
package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
	"gorm.io/gorm/logger"

	"github.com/wbk/crm/internal/app"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/events"
	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/internal/usage"
	"github.com/wbk/crm/models"
)

// The database, rate-limit store and logger of an environment come from internal/testdb;
// these names are kept for HTTP tests that need one beside an environment.
var (
	DatabaseURL  = testdb.URL
	LimitStore   = testdb.LimitStore
	UniquePrefix = testdb.UniquePrefix
	QuietLogger  = testdb.Logger
)

// Options tune an environment.
type Options struct {
	SQLLogger logger.Interface
	// Plans are the rate limits; nil lifts them out of the way of tests about other things
	// (the limiter still runs on every request).
	Plans ratelimit.Plans
	// Now is the rate limiter's and usage recorder's clock; nil is the real one.
	Now func() time.Time
	// ListenURL, on PostgreSQL, is the database URL the environment's Lexi events listener
	// connects to, as a server instance's does: changes made through other environments on
	// the same database then reach its subscribers. Empty: events stay in process.
	ListenURL string
	// RequestTimeout and WebsocketInitTimeout shorten the handler's deadlines; 0: defaults.
	RequestTimeout       time.Duration
	WebsocketInitTimeout time.Duration
	// GenericExecution turns off gqlfast: gqlgen's generated executor answers every field
	// (app.Config.GenericExecution).
	GenericExecution bool
	// FastAnswered is told the name of every root field gqlfast answers (app.Config).
	FastAnswered func(field string)
	// Log receives the handler's logs; nil: QuietLogger.
	Log *slog.Logger
	// Tracing gives every GraphQL operation a span (app.Config.Tracing); nil: off.
	Tracing trace.TracerProvider
}

// LiftedPlans are limits no test reaches.
func LiftedPlans() ratelimit.Plans {
	const huge = 1 << 40
	return ratelimit.Plans{models.PlanStarter: {Day: huge, Minute: huge}, models.PlanPro: {Day: huge, Minute: huge},
		models.PlanOrg: {Day: huge, Minute: huge}}
}

// OpenStore opens and migrates a fresh database for one test.
func OpenStore(t testing.TB, opts ...Options) *store.Store {
	t.Helper()
	return testdb.Open(t, dbOptions(opts)...)
}

// OpenStoreAt opens and migrates the database DatabaseURL returned; opening it twice gives
// two stores on one database, as two server instances have.
func OpenStoreAt(t testing.TB, pgURL, sqlitePath string, opts ...Options) *store.Store {
	t.Helper()
	return testdb.OpenAt(t, pgURL, sqlitePath, dbOptions(opts)...)
}

func dbOptions(opts []Options) []testdb.Options {
	if len(opts) == 0 {
		return nil
	}
	return []testdb.Options{{SQLLogger: opts[0].SQLLogger}}
}

// Env is a store with the full HTTP handler in front of it.
type Env struct {
	Store   *store.Store
	Auth    *auth.Authenticator
	Limiter *ratelimit.Limiter
	Usage   *usage.Recorder
	Events  *events.Broker
	Handler http.Handler
}

// New returns an environment on a fresh database.
func New(t testing.TB, opts ...Options) *Env {
	t.Helper()
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	st := OpenStore(t, o)
	return NewOn(t, st, LimitStore(t, UniquePrefix()), o)
}

// NewOn returns an environment on an existing store and rate-limit store: several of them
// on one database and one Redis behave as several server instances.
func NewOn(t testing.TB, st *store.Store, limits *ratelimit.Failover, o Options) *Env {
	t.Helper()
	plans := o.Plans
	if plans == nil {
		plans = LiftedPlans()
	}
	log := o.Log
	if log == nil {
		log = QuietLogger()
	}
	a := app.New(app.Config{Store: st, Log: log, SDL: "type Query { viewer: Viewer! }",
		Limits: limits, Plans: plans, Now: o.Now,
		RequestTimeout: o.RequestTimeout, WebsocketInitTimeout: o.WebsocketInitTimeout,
		GenericExecution: o.GenericExecution, FastAnswered: o.FastAnswered, Tracing: o.Tracing})
	broker := a.Events
	t.Cleanup(broker.Close)
	if o.ListenURL != "" && st.Dialect() == store.Postgres {
		l := broker.StartListener(o.ListenURL)
		t.Cleanup(l.Stop)
		select {
		case <-l.Ready():
		case <-time.After(10 * time.Second):
			t.Fatalf("the Lexi events listener did not start listening")
		}
	}
	return &Env{Store: st, Auth: a.Auth, Limiter: a.Limiter, Usage: a.Usage, Events: broker, Handler: a.Handler}
}

// Workspace creates a workspace on plan.
func (e *Env) Workspace(t testing.TB, name string, plan models.Plan) *models.Workspace {
	t.Helper()
	ws, err := e.Store.CreateWorkspace(context.Background(), name, plan)
	if err != nil {
		t.Fatalf("create workspace: %v", err)
	}
	return ws
}

// Key creates a key with the given permissions ("read", "write", "lexi") and returns it.
func (e *Env) Key(t testing.TB, ws *models.Workspace, perms ...string) string {
	t.Helper()
	key, _ := e.KeyRecord(t, ws, func(*models.ApiKey) {}, perms...)
	return key
}

// KeyRecord creates a key, letting edit change the record before it is stored.
func (e *Env) KeyRecord(t testing.TB, ws *models.Workspace, edit func(*models.ApiKey), perms ...string) (string, *models.ApiKey) {
	t.Helper()
	key, prefix, hash := auth.NewKey()
	k := &models.ApiKey{WorkspaceID: ws.ID, Name: "test key", Prefix: prefix, KeyHash: hash, Scopes: models.ParsePermissionSet(strings.Join(perms, ","))}
	edit(k)
	if err := e.Store.CreateAPIKey(context.Background(), k); err != nil {
		t.Fatalf("create key: %v", err)
	}
	return key, k
}

// Tenant creates a workspace and a key with every permission.
func (e *Env) Tenant(t testing.TB, name string) (*models.Workspace, string) {
	t.Helper()
	ws := e.Workspace(t, name, models.PlanOrg)
	return ws, e.Key(t, ws, "read", "write", "lexi")
}

// Response is a decoded GraphQL HTTP response.
type Response struct {
	Status     int
	Header     http.Header
	Raw        []byte
	Data       map[string]any
	Errors     []Error
	Extensions map[string]any
}

// Error is one GraphQL error.
type Error struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// Code is the first error's extensions.code, or "".
func (r *Response) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	code, _ := r.Errors[0].Extensions["code"].(string)
	return code
}

// Query posts a GraphQL operation with key (no Authorization header when key is "").
func (e *Env) Query(t testing.TB, key, query string, vars map[string]any) *Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	return e.Do(t, req)
}

// Do sends req through the handler and decodes the answer.
func (e *Env) Do(t testing.TB, req *http.Request) *Response {
	t.Helper()
	rec := httptest.NewRecorder()
	e.Handler.ServeHTTP(rec, req)
	res := &Response{Status: rec.Code, Header: rec.Header(), Raw: rec.Body.Bytes()}
	var doc struct {
		Data       map[string]any `json:"data"`
		Errors     []Error        `json:"errors"`
		Extensions map[string]any `json:"extensions"`
	}
	if err := json.Unmarshal(res.Raw, &doc); err != nil {
		t.Fatalf("response is not JSON (status %d): %s", rec.Code, res.Raw)
	}
	res.Data, res.Errors, res.Extensions = doc.Data, doc.Errors, doc.Extensions
	return res
}

// MustData fails the test unless the response is a 200 without errors, and returns its data.
func (r *Response) MustData(t testing.TB) map[string]any {
	t.Helper()
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("want data, got status %d: %s", r.Status, r.Raw)
	}
	return r.Data
}

// Sorted is a sorted copy of ids, never nil: for comparing sets of ids whatever their order,
// with reflect.DeepEqual against ids decoded from a response.
func Sorted(ids ...string) []string {
	out := append([]string{}, ids...)
	slices.Sort(out)
	return out
}

// Decode decodes the response's data into a T after checking it is a 200 without errors, as
// MustData does. Fields of T match the response's by their json tags (or names, case
// insensitively), and a response field T does not declare is refused, so a misspelt field
// fails the test instead of reading as zero.
func Decode[T any](t testing.TB, r *Response) T {
	t.Helper()
	r.MustData(t)
	var doc struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(r.Raw, &doc); err != nil {
		t.Fatalf("response is not JSON: %v", err)
	}
	var v T
	dec := json.NewDecoder(bytes.NewReader(doc.Data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("data does not decode into %T: %v\n%s", v, err, doc.Data)
	}
	return v
}
