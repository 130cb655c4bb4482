package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/app"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/internal/usage"
)

// cliEnv runs admin commands against one test database, as the binary would.
type cliEnv struct {
	t      *testing.T
	getenv func(string) string
	st     *store.Store
	api    http.Handler
}

func newCLIEnv(t *testing.T) *cliEnv {
	t.Chdir(t.TempDir()) // the embedded database lives in ./data/
	pgURL, _ := testenv.DatabaseURL(t)
	env := map[string]string{"DATABASE_URL": pgURL}
	c := &cliEnv{t: t, getenv: func(k string) string { return env[k] }}
	return c
}

// run executes a command and returns its exit code, stdout and stderr.
func (c *cliEnv) run(args ...string) (int, string, string) {
	c.t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, c.getenv)
	return code, stdout.String(), stderr.String()
}

// runJSON executes a command with --json, requires success and exactly one JSON document on
// stdout, and decodes it into v.
func (c *cliEnv) runJSON(v any, args ...string) {
	c.t.Helper()
	code, out, errOut := c.run(append(args, "--json")...)
	if code != 0 {
		c.t.Fatalf("%v: exit %d: %s", args, code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	if err := dec.Decode(v); err != nil {
		c.t.Fatalf("%v: stdout is not JSON: %v\n%s", args, err, out)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		c.t.Fatalf("%v: stdout holds more than one JSON document: %s", args, out)
	}
}

// handler serves the API on the CLI's database.
func (c *cliEnv) handler() http.Handler {
	c.t.Helper()
	if c.api == nil {
		st, err := store.Open(store.Options{URL: c.getenv("DATABASE_URL"), SQLitePath: store.DefaultSQLitePath, Logger: testenv.QuietLogger()})
		if err != nil {
			c.t.Fatal(err)
		}
		c.t.Cleanup(func() { _ = st.Close() })
		c.st = st
		c.api = app.New(app.Config{Store: st, Log: testenv.QuietLogger()}).Handler
	}
	return c.api
}

func (c *cliEnv) query(key, query string) *testenv.Response {
	c.t.Helper()
	env := &testenv.Env{Handler: c.handler()}
	return env.Query(c.t, key, query, nil)
}

func keysOf(m map[string]any) string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	return strings.Join(sortStrings(ks), ",")
}

func sortStrings(s []string) []string {
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			if s[j] < s[i] {
				s[i], s[j] = s[j], s[i]
			}
		}
	}
	return s
}

var keyFormat = regexp.MustCompile(`^wbk_[0-9A-Za-z]{49}$`)

func TestCLIWorkspacesAndKeys(t *testing.T) {
	c := newCLIEnv(t)

	var ws map[string]any
	c.runJSON(&ws, "workspace", "create", "--name", "Acme Corp", "--plan", "pro")
	if keysOf(ws) != "id,name,plan" || ws["name"] != "Acme Corp" || ws["plan"] != "pro" {
		t.Fatalf("workspace create: %v", ws)
	}
	wsID := ws["id"].(string)

	var list []map[string]any
	c.runJSON(&list, "workspace", "list")
	if len(list) != 1 || list[0]["id"] != wsID {
		t.Fatalf("workspace list: %v", list)
	}

	var created map[string]any
	c.runJSON(&created, "key", "create", "--workspace", wsID, "--name", "CI", "--permissions", "write,read", "--expires-in", "90d")
	if keysOf(created) != "expiresAt,id,key,permissions,prefix" {
		t.Fatalf("key create fields: %v", created)
	}
	key := created["key"].(string)
	if !keyFormat.MatchString(key) || !strings.HasPrefix(key, created["prefix"].(string)) {
		t.Fatalf("key %q / prefix %q", key, created["prefix"])
	}
	if got := created["permissions"].([]any); len(got) != 2 || got[0] != "read" || got[1] != "write" {
		t.Fatalf("permissions = %v", got)
	}
	expires, err := time.Parse(time.RFC3339, created["expiresAt"].(string))
	if err != nil || time.Until(expires) < 89*24*time.Hour || time.Until(expires) > 91*24*time.Hour {
		t.Fatalf("expiresAt = %v (%v)", created["expiresAt"], err)
	}

	type workspace struct{ ID, Plan string }
	if r := c.query(key, `{ viewer { workspace { id plan } } }`); testenv.Decode[struct{ Viewer struct{ Workspace workspace } }](t, r).Viewer.Workspace.ID != wsID {
		t.Fatalf("viewer: %s", r.Raw)
	}

	var keys []map[string]any
	c.runJSON(&keys, "key", "list", "--workspace", wsID)
	if len(keys) != 1 || keysOf(keys[0]) != "expiresAt,id,lastUsedAt,name,permissions,prefix,revokedAt" {
		t.Fatalf("key list: %v", keys)
	}
	_, out, _ := c.run("key", "list", "--workspace", wsID, "--json")
	_, text, _ := c.run("key", "list", "--workspace", wsID)
	if strings.Contains(out, key) || strings.Contains(text, key) {
		t.Fatal("key list shows the key")
	}

	var revoked map[string]any
	c.runJSON(&revoked, "key", "revoke", created["id"].(string))
	if keysOf(revoked) != "id,revokedAt" || revoked["id"] != created["id"] || revoked["revokedAt"] == nil {
		t.Fatalf("key revoke: %v", revoked)
	}
	if r := c.query(key, `{ viewer { workspace { id } } }`); r.Status != http.StatusUnauthorized || r.Errors[0].Extensions["reason"] != "REVOKED_KEY" {
		t.Fatalf("revoked key: %d %s", r.Status, r.Raw)
	}
}

func TestCLIKeyRotation(t *testing.T) {
	c := newCLIEnv(t)
	var ws, first map[string]any
	c.runJSON(&ws, "workspace", "create", "--name", "Rotating", "--plan", "starter")
	c.runJSON(&first, "key", "create", "--workspace", ws["id"].(string), "--name", "app", "--permissions", "read")

	var withGrace map[string]any
	c.runJSON(&withGrace, "key", "rotate", first["id"].(string), "--grace", "1h")
	if keysOf(withGrace) != "expiresAt,id,key,permissions,prefix" || withGrace["key"] == first["key"] {
		t.Fatalf("rotate: %v", withGrace)
	}
	for _, k := range []any{first["key"], withGrace["key"]} {
		if r := c.query(k.(string), `{ contacts { totalCount } }`); r.Status != http.StatusOK {
			t.Fatalf("key during grace: %d %s", r.Status, r.Raw)
		}
	}

	var noGrace map[string]any
	c.runJSON(&noGrace, "key", "rotate", withGrace["id"].(string), "--grace", "0s")
	if r := c.query(withGrace["key"].(string), `{ viewer { apiKey { id } } }`); r.Status != http.StatusUnauthorized || r.Errors[0].Extensions["reason"] != "EXPIRED_KEY" {
		t.Fatalf("rotated key without grace: %d %s", r.Status, r.Raw)
	}
	type apiKey struct {
		ID          string
		Permissions []string
	}
	type viewer struct {
		APIKey apiKey `json:"apiKey"`
	}
	if r := c.query(noGrace["key"].(string), `{ viewer { apiKey { id permissions } } }`); testenv.Decode[struct{ Viewer viewer }](t, r).Viewer.APIKey.ID != noGrace["id"] {
		t.Fatalf("new key: %s", r.Raw)
	}
	if code, out, errOut := c.run("key", "rotate", withGrace["id"].(string), "--json"); code != 1 || out != "" || errOut == "" {
		t.Fatalf("rotating an expired key: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestCLIProspectsImport(t *testing.T) {
	c := newCLIEnv(t)
	csvPath := filepath.Join(t.TempDir(), "prospects.csv")
	write := func(body string) {
		if err := os.WriteFile(csvPath, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("email,full_name,company,title,industry,location\n" +
		"ada@analytical.io,Ada Lovelace,Analytical Engines,CTO,Computing,London\n" +
		"grace@navy.mil,Grace Hopper,US Navy,Rear Admiral,Defense,Arlington\n")
	var res map[string]any
	c.runJSON(&res, "prospects", "import", csvPath)
	if keysOf(res) != "imported" || res["imported"] != float64(2) {
		t.Fatalf("import: %v", res)
	}
	// Re-importing an email updates it; column order is free.
	write("full_name,location,title,email,industry,company\n" +
		"Ada King,London,Chief Scientist,ADA@analytical.io,Computing,Analytical Engines\n")
	c.runJSON(&res, "prospects", "import", csvPath)
	if res["imported"] != float64(1) {
		t.Fatalf("re-import: %v", res)
	}

	var ws, key map[string]any
	c.runJSON(&ws, "workspace", "create", "--name", "Reader", "--plan", "org")
	c.runJSON(&key, "key", "create", "--workspace", ws["id"].(string), "--name", "r", "--permissions", "read")
	r := c.query(key["key"].(string), `{ prospects(filter: {search: "analytical"}) { totalCount nodes { fullName title email } } }`)
	type prospect struct {
		FullName, Email string
		Title           *string
	}
	p := testenv.Decode[struct {
		Prospects struct {
			TotalCount int
			Nodes      []prospect
		}
	}](t, r).Prospects
	if p.TotalCount != 1 || len(p.Nodes) != 1 || p.Nodes[0].Title == nil || *p.Nodes[0].Title != "Chief Scientist" ||
		p.Nodes[0].FullName != "Ada King" {
		t.Fatalf("after re-import: %s", r.Raw)
	}

	write("email,company\nx@y.co,Nameless\n")
	if code, out, errOut := c.run("prospects", "import", csvPath, "--json"); code != 1 || out != "" || !strings.Contains(errOut, "full_name") {
		t.Fatalf("missing column: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestCLIErrors(t *testing.T) {
	c := newCLIEnv(t)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"unknown command", []string{"frobnicate", "now"}, 2},
		{"unknown plan", []string{"workspace", "create", "--name", "x", "--plan", "gold", "--json"}, 1},
		{"missing name", []string{"workspace", "create", "--plan", "pro", "--json"}, 2},
		{"key without workspace", []string{"key", "create", "--name", "k", "--json"}, 2},
		{"key without name", []string{"key", "create", "--workspace", "wks_nope", "--json"}, 2},
		{"key list without workspace", []string{"key", "list", "--json"}, 2},
		{"unknown workspace", []string{"key", "create", "--workspace", "wks_nope", "--name", "k", "--permissions", "read", "--json"}, 1},
		{"bad permission", []string{"key", "create", "--workspace", "wks_nope", "--name", "k", "--permissions", "admin", "--json"}, 2},
		{"no permission", []string{"key", "create", "--workspace", "wks_nope", "--name", "k", "--permissions", "", "--json"}, 2},
		{"bad lifetime", []string{"key", "create", "--workspace", "wks_nope", "--name", "k", "--expires-in", "soon", "--json"}, 2},
		{"past expiry", []string{"key", "create", "--workspace", "wks_nope", "--name", "k", "--expires-at", "2001-01-01T00:00:00Z", "--json"}, 2},
		{"unknown key", []string{"key", "revoke", "key_nope", "--json"}, 1},
		{"missing file", []string{"prospects", "import", "/nonexistent.csv", "--json"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := c.run(tt.args...)
			if code != tt.code || out != "" || errOut == "" {
				t.Fatalf("exit %d (want %d), stdout %q, stderr %q", code, tt.code, out, errOut)
			}
		})
	}
}

func TestParseLifetime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"90d", 90 * 24 * time.Hour, true},
		{"12h", 12 * time.Hour, true},
		{"1h30m", 90 * time.Minute, true},
		{"0d", 0, false},
		{"-5h", 0, false},
		{"d", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, err := parseLifetime(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parseLifetime(%q) = %v, %v", tt.in, got, err)
		}
	}
}

// serveBriefly starts the server on a free port and stops it at once, as SIGTERM would.
func serveBriefly(t *testing.T, getenv func(string) string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"serve"}, &stdout, &stderr, getenv); code != 0 {
		t.Fatalf("serve: exit %d: %s", code, stderr.String())
	}
	return stdout.String()
}

func TestServeSeedsTheEmbeddedDatabaseOnce(t *testing.T) {
	c := newCLIEnv(t)
	env := func(k string) string {
		if k == "ADDR" {
			return "127.0.0.1:0"
		}
		return c.getenv(k)
	}
	out := serveBriefly(t, env)
	if c.getenv("DATABASE_URL") != "" {
		if out != "" {
			t.Fatalf("serve on PostgreSQL printed %q; the demo is for the embedded database only", out)
		}
		var list []map[string]any
		c.runJSON(&list, "workspace", "list")
		if len(list) != 0 {
			t.Fatalf("serve on PostgreSQL created workspaces: %v", list)
		}
		return
	}
	key := regexp.MustCompile(`(?m)^Demo API key: (wbk_\S+)$`).FindStringSubmatch(out)
	if key == nil || !regexp.MustCompile(`(?m)^Playground: http://127\.0\.0\.1:[1-9][0-9]*/ `).MatchString(out) {
		t.Fatalf("serve printed %q", out)
	}
	r := c.query(key[1], `{ viewer { workspace { plan } } contacts { totalCount } deals { totalCount } lists { totalCount } campaigns { totalCount } prospects { totalCount } }`)
	type count struct{ TotalCount int }
	demo := testenv.Decode[struct {
		Viewer                                       struct{ Workspace struct{ Plan string } }
		Contacts, Deals, Lists, Campaigns, Prospects count
	}](t, r)
	if demo.Viewer.Workspace.Plan != "ORG" {
		t.Fatalf("demo workspace: %s", r.Raw)
	}
	for conn, c := range map[string]count{"contacts": demo.Contacts, "deals": demo.Deals, "lists": demo.Lists,
		"campaigns": demo.Campaigns, "prospects": demo.Prospects} {
		if c.TotalCount < 1 {
			t.Fatalf("demo workspace has no %s: %s", conn, r.Raw)
		}
	}
	if again := serveBriefly(t, env); strings.Contains(again, "Demo API key") {
		t.Fatalf("second start printed %q; the demo is made once", again)
	}
}

func TestCLIKeyUsage(t *testing.T) {
	c := newCLIEnv(t)
	var ws, key, other map[string]any
	c.runJSON(&ws, "workspace", "create", "--name", "Metered", "--plan", "pro")
	c.runJSON(&key, "key", "create", "--workspace", ws["id"].(string), "--name", "app", "--permissions", "read,write")
	c.runJSON(&other, "key", "create", "--workspace", ws["id"].(string), "--name", "other", "--permissions", "read")
	keyID, wsID := key["id"].(string), ws["id"].(string)

	// Count requests as a server on the CLI's database does, and flush as it does at shutdown.
	st, err := store.Open(store.Options{URL: c.getenv("DATABASE_URL"), SQLitePath: store.DefaultSQLitePath, Logger: testenv.QuietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now().UTC()
	today, yesterday := now.Format("2006-01-02"), now.AddDate(0, 0, -1).Format("2006-01-02")
	rec := usage.NewRecorder(st, testenv.QuietLogger())
	for _, e := range []usage.Event{
		{KeyID: keyID, WorkspaceID: wsID, At: now, Cost: 2, Operations: []string{"contacts"}},
		{KeyID: keyID, WorkspaceID: wsID, At: now, Cost: 3, Failed: true, Operations: []string{"contacts", "viewer"}, FailedOperations: []string{"contacts"}},
		{KeyID: keyID, WorkspaceID: wsID, At: now, Cost: 1, Operations: []string{"createContact"}},
		{KeyID: keyID, WorkspaceID: wsID, At: now.AddDate(0, 0, -1), Cost: 4, Operations: []string{"deals"}},
		{KeyID: other["id"].(string), WorkspaceID: wsID, At: now, Cost: 9, Operations: []string{"deals"}},
	} {
		rec.Record(e)
	}
	if err := rec.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	var got []any
	c.runJSON(&got, "key", "usage", keyID, "--days", "3")
	if time.Now().UTC().Format("2006-01-02") != today {
		t.Skip("the UTC day changed during the test")
	}
	var want []any
	if err := json.Unmarshal([]byte(`[
		{"date": "`+today+`", "calls": 3, "cost": 6, "errors": 1, "operations": [
			{"operation": "contacts", "calls": 2, "errors": 1},
			{"operation": "createContact", "calls": 1, "errors": 0},
			{"operation": "viewer", "calls": 1, "errors": 0}]},
		{"date": "`+yesterday+`", "calls": 1, "cost": 4, "errors": 0, "operations": [
			{"operation": "deals", "calls": 1, "errors": 0}]},
		{"date": "`+now.AddDate(0, 0, -2).Format("2006-01-02")+`", "calls": 0, "cost": 0, "errors": 0, "operations": []}
	]`), &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		t.Fatalf("key usage --days 3:\n got %s\nwant %s", g, w)
	}

	var week []map[string]any
	c.runJSON(&week, "key", "usage", keyID)
	if len(week) != 7 || week[0]["date"] != today || week[6]["calls"] != float64(0) {
		t.Fatalf("key usage defaults to 7 days, newest first: %v", week)
	}
	code, text, errOut := c.run("key", "usage", keyID, "--days", "2")
	if code != 0 || !strings.Contains(text, "contacts 2 (1 failed), createContact 1, viewer 1") || !strings.Contains(text, "33.3%") {
		t.Fatalf("text form: exit %d, stdout %q, stderr %q", code, text, errOut)
	}

	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"key", "usage", "key_nope", "--json"}, 1},
		{[]string{"key", "usage", keyID, "--days", "0", "--json"}, 2},
		{[]string{"key", "usage", keyID, "--days", "91", "--json"}, 2},
		{[]string{"key", "usage", "--json"}, 2},
	} {
		if code, out, errOut := c.run(tt.args...); code != tt.code || out != "" || errOut == "" {
			t.Errorf("%v: exit %d (want %d), stdout %q, stderr %q", tt.args, code, tt.code, out, errOut)
		}
	}
}

func TestServeRefusesAnIncompleteLexiProvider(t *testing.T) {
	c := newCLIEnv(t)
	env := func(k string) string {
		switch k {
		case "ADDR":
			return "127.0.0.1:0"
		case "LEXI_OPENAI_BASE_URL":
			return "http://127.0.0.1:1/v1"
		}
		return c.getenv(k)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	if code := run(ctx, []string{"serve"}, &stdout, &stderr, env); code != 1 || !strings.Contains(stderr.String(), "LEXI_OPENAI_MODEL") {
		t.Fatalf("serve with a base URL and no model: exit %d, stderr %s", code, stderr.String())
	}
}
