package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

const authViewerQuery = `{ viewer { workspace { id } } }`

// authConn is a connection selected as { totalCount }.
type authConn struct{ TotalCount *int }

// total is the connection's totalCount; it fails the test when it was not answered.
func (c authConn) total(t *testing.T) int {
	t.Helper()
	if c.TotalCount == nil {
		t.Fatal("totalCount missing")
	}
	return *c.TotalCount
}

// authAnswer is every answer the auth tests read: each declares only what it selects.
type authAnswer struct {
	Viewer struct {
		Workspace struct{ ID, Name, Plan string }
		APIKey    struct {
			ID, Name, Prefix string
			Permissions      []string
		} `json:"apiKey"`
	}
	Contacts, Lists, Deals authConn
	CreateContact          struct{ ID, Email string }
	Contact                *struct {
		Email     string
		FirstName *string
	}
	Schema struct {
		QueryType struct{ Name string }
	} `json:"__schema"`
	Type     struct{ Name string } `json:"__type"`
	Typename string                `json:"__typename"`
}

// authData decodes r's data; it fails the test unless r is a 200 without errors.
func authData(t *testing.T, r *testenv.Response) authAnswer {
	t.Helper()
	return testenv.Decode[authAnswer](t, r)
}

// authPost sends query with the raw Authorization header value (no header when empty).
func authPost(t *testing.T, env *testenv.Env, authorization, query string) *testenv.Response {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return env.Do(t, req)
}

// authExpect401 asserts a documented 401: status, code, reason, WWW-Authenticate, data null.
func authExpect401(t *testing.T, r *testenv.Response, reason string) {
	t.Helper()
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("status = %d, want 401: %s", r.Status, r.Raw)
	}
	if len(r.Errors) != 1 {
		t.Fatalf("want exactly one error, got %d: %s", len(r.Errors), r.Raw)
	}
	if got := r.Code(); got != "UNAUTHENTICATED" {
		t.Errorf("extensions.code = %q, want UNAUTHENTICATED: %s", got, r.Raw)
	}
	if got, _ := r.Errors[0].Extensions["reason"].(string); got != reason {
		t.Errorf("extensions.reason = %q, want %q: %s", got, reason, r.Raw)
	}
	if r.Errors[0].Message == "" {
		t.Errorf("empty error message: %s", r.Raw)
	}
	if h := r.Header.Get("WWW-Authenticate"); !strings.HasPrefix(h, "Bearer") {
		t.Errorf("WWW-Authenticate = %q, want it to start with Bearer", h)
	}
	if r.Data != nil {
		t.Errorf("data = %v, want none", r.Data)
	}
	if r.Header.Get("X-RateLimit-Cost") != "" {
		t.Errorf("a 401 must not be charged, got X-RateLimit-Cost %q", r.Header.Get("X-RateLimit-Cost"))
	}
}

// authExpect403 asserts a documented 403 with the given missing permissions and a null data.
func authExpect403(t *testing.T, r *testenv.Response, missing ...string) {
	t.Helper()
	if r.Status != http.StatusForbidden {
		t.Fatalf("status = %d, want 403: %s", r.Status, r.Raw)
	}
	if got := r.Code(); got != "FORBIDDEN" {
		t.Errorf("extensions.code = %q, want FORBIDDEN: %s", got, r.Raw)
	}
	var got []string
	if raw, ok := r.Errors[0].Extensions["missing"].([]any); ok {
		for _, m := range raw {
			s, _ := m.(string)
			got = append(got, s)
		}
	}
	if !reflect.DeepEqual(got, missing) {
		t.Errorf("extensions.missing = %v, want %v: %s", got, missing, r.Raw)
	}
	authExpectNullData(t, r)
}

// authExpectNullData asserts the response has "data": null or no data at all: nothing ran.
func authExpectNullData(t *testing.T, r *testenv.Response) {
	t.Helper()
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(r.Raw, &doc); err != nil {
		t.Fatalf("response is not a JSON object: %s", r.Raw)
	}
	if d, ok := doc["data"]; ok && string(d) != "null" {
		t.Errorf("data = %s, want null (nothing may execute)", d)
	}
}

// authFlipLast returns key with its last character changed to another base62 character.
func authFlipLast(key string) string {
	last := key[len(key)-1]
	repl := byte('A')
	if last == 'A' {
		repl = 'B'
	}
	return key[:len(key)-1] + string(repl)
}

func TestAuthUnauthenticated(t *testing.T) {
	env := testenv.New(t)
	ws, key := env.Tenant(t, "Acme")
	unknown, _, _ := auth.NewKey() // well-formed, valid checksum, never stored
	if !auth.WellFormed(unknown) {
		t.Fatalf("auth.NewKey returned a key that is not well formed: %s", unknown)
	}
	if auth.WellFormed(authFlipLast(key)) {
		t.Fatalf("a key with a changed checksum character is still well formed")
	}
	revoked, _ := env.KeyRecord(t, ws, func(k *models.ApiKey) {
		at := time.Now().Add(-time.Hour)
		k.RevokedAt = &at
	}, "read", "write")
	expired, _ := env.KeyRecord(t, ws, func(k *models.ApiKey) {
		at := time.Now().Add(-time.Minute)
		k.ExpiresAt = &at
	}, "read", "write")

	cases := []struct {
		name          string
		authorization string
		reason        string
	}{
		{"no header", "", auth.ReasonMissing},
		{"blank header", "   ", auth.ReasonMissing},
		{"bearer without token", "Bearer", auth.ReasonInvalid},
		{"bearer with blank token", "Bearer    ", auth.ReasonInvalid},
		{"token without scheme", key, auth.ReasonInvalid},
		{"basic scheme", "Basic " + key, auth.ReasonInvalid},
		{"token scheme", "Token " + key, auth.ReasonInvalid},
		{"garbage", "Bearer not-a-key", auth.ReasonInvalid},
		{"wrong prefix", "Bearer ghp_" + key[len(auth.KeyPrefix):], auth.ReasonInvalid},
		{"truncated", "Bearer " + key[:len(key)-1], auth.ReasonInvalid},
		{"extra character", "Bearer " + key + "x", auth.ReasonInvalid},
		{"display prefix only", "Bearer " + auth.DisplayPrefix(key), auth.ReasonInvalid},
		{"bad checksum", "Bearer " + authFlipLast(key), auth.ReasonInvalid},
		{"non-base62 character", "Bearer " + key[:10] + "-" + key[11:], auth.ReasonInvalid},
		{"well-formed unknown key", "Bearer " + unknown, auth.ReasonInvalid},
		{"revoked key", "Bearer " + revoked, auth.ReasonRevoked},
		{"expired key", "Bearer " + expired, auth.ReasonExpired},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := authPost(t, env, tc.authorization, authViewerQuery)
			authExpect401(t, r, tc.reason)
			if bytes.Contains(r.Raw, []byte(key)) || bytes.Contains(r.Raw, []byte(unknown)) {
				t.Errorf("the response echoes a key: %s", r.Raw)
			}
		})
	}

	// The same key is accepted with a well-formed header, and the scheme is case-insensitive.
	for _, h := range []string{"Bearer " + key, "bearer " + key, "BEARER " + key, "  Bearer   " + key + "  "} {
		r := authPost(t, env, h, authViewerQuery)
		if r.Status != http.StatusOK || len(r.Errors) != 0 {
			t.Errorf("Authorization %q: status %d: %s", h, r.Status, r.Raw)
			continue
		}
		if got := authData(t, r).Viewer.Workspace.ID; got != ws.ID {
			t.Errorf("Authorization %q: workspace id = %q, want %q", h, got, ws.ID)
		}
		if r.Header.Get("WWW-Authenticate") != "" {
			t.Errorf("a 200 carries WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
		}
	}
}

func TestAuthExpiryAndRevocationBoundaries(t *testing.T) {
	env := testenv.New(t)
	ws := env.Workspace(t, "Acme", models.PlanPro)
	notYetExpired, _ := env.KeyRecord(t, ws, func(k *models.ApiKey) {
		at := time.Now().Add(time.Hour)
		k.ExpiresAt = &at
	}, "read")
	r := env.Query(t, notYetExpired, authViewerQuery, nil)
	if got := authData(t, r).Viewer.Workspace.ID; got != ws.ID {
		t.Fatalf("key expiring in an hour: workspace id = %q, want %q", got, ws.ID)
	}

	// Expired and revoked keys are refused for every kind of operation, introspection included.
	expired, _ := env.KeyRecord(t, ws, func(k *models.ApiKey) {
		at := time.Now().Add(-24 * time.Hour)
		k.ExpiresAt = &at
	}, "read", "write", "lexi")
	revoked, _ := env.KeyRecord(t, ws, func(k *models.ApiKey) {
		at := time.Now().Add(-time.Second)
		k.RevokedAt = &at
	}, "read", "write", "lexi")
	for _, q := range []string{
		`{ contacts { totalCount } }`,
		`mutation { createContact(input: {email: "x@y.co"}) { id } }`,
		`{ __schema { queryType { name } } }`,
	} {
		authExpect401(t, env.Query(t, expired, q, nil), auth.ReasonExpired)
		authExpect401(t, env.Query(t, revoked, q, nil), auth.ReasonRevoked)
	}
	// Nothing was created by the refused mutations.
	readKey := env.Key(t, ws, "read")
	r = env.Query(t, readKey, `{ contacts { totalCount } }`, nil)
	if got := authData(t, r).Contacts.total(t); got != 0 {
		t.Fatalf("contacts after refused mutations = %v, want 0", got)
	}
}

func TestAuthRevocationTakesEffectOnNextRequest(t *testing.T) {
	env := testenv.New(t)
	ws := env.Workspace(t, "Acme", models.PlanOrg)
	key, rec := env.KeyRecord(t, ws, func(*models.ApiKey) {}, "read", "write")
	other := env.Key(t, ws, "read")

	r := env.Query(t, key, authViewerQuery, nil)
	if got := authData(t, r).Viewer.Workspace.ID; got != ws.ID {
		t.Fatalf("workspace id = %q, want %q", got, ws.ID)
	}
	revokedRec, err := env.Store.RevokeAPIKey(context.Background(), rec.ID)
	if err != nil {
		t.Fatalf("revoke: %v", err)
	}
	if revokedRec.RevokedAt == nil {
		t.Fatalf("RevokeAPIKey returned no revokedAt")
	}
	authExpect401(t, env.Query(t, key, authViewerQuery, nil), auth.ReasonRevoked)
	authExpect401(t, env.Query(t, key, `mutation { createContact(input: {email: "late@y.co"}) { id } }`, nil), auth.ReasonRevoked)

	// Revoking one key leaves the workspace's other keys working, and the late mutation did nothing.
	r = env.Query(t, other, `{ contacts { totalCount } }`, nil)
	if got := authData(t, r).Contacts.total(t); got != 0 {
		t.Fatalf("contacts = %v, want 0", got)
	}

	// Revoking twice keeps the first time and the key stays revoked.
	again, err := env.Store.RevokeAPIKey(context.Background(), rec.ID)
	if err != nil {
		t.Fatalf("revoke again: %v", err)
	}
	if again.RevokedAt == nil || !again.RevokedAt.Equal(*revokedRec.RevokedAt) {
		t.Errorf("second revocation changed revokedAt: %v then %v", revokedRec.RevokedAt, again.RevokedAt)
	}
	authExpect401(t, env.Query(t, key, authViewerQuery, nil), auth.ReasonRevoked)
}

func TestAuthIntrospectionNeedsKey(t *testing.T) {
	env := testenv.New(t)
	ws := env.Workspace(t, "Acme", models.PlanStarter)
	const introspection = `{ __schema { queryType { name } } }`
	const typeQuery = `{ __type(name: "Contact") { name } }`

	authExpect401(t, env.Query(t, "", introspection, nil), auth.ReasonMissing)
	authExpect401(t, env.Query(t, "", typeQuery, nil), auth.ReasonMissing)
	authExpect401(t, env.Query(t, "", `{ __typename }`, nil), auth.ReasonMissing)
	bogus, _, _ := auth.NewKey()
	authExpect401(t, env.Query(t, bogus, introspection, nil), auth.ReasonInvalid)

	for _, perms := range [][]string{{"lexi"}, {"read"}, {"write"}, {"read", "write", "lexi"}} {
		key := env.Key(t, ws, perms...)
		r := env.Query(t, key, introspection, nil)
		if got := authData(t, r).Schema.QueryType.Name; got != "Query" {
			t.Errorf("%v: queryType.name = %q, want Query", perms, got)
		}
		r = env.Query(t, key, typeQuery, nil)
		if got := authData(t, r).Type.Name; got != "Contact" {
			t.Errorf("%v: __type.name = %q, want Contact", perms, got)
		}
		r = env.Query(t, key, `{ __typename }`, nil)
		if got := authData(t, r).Typename; got != "Query" {
			t.Errorf("%v: __typename = %q, want Query", perms, got)
		}
	}
}

func TestPermissionGate(t *testing.T) {
	env := testenv.New(t)
	ws := env.Workspace(t, "Acme", models.PlanOrg)
	readOnly := env.Key(t, ws, "read")
	writeOnly := env.Key(t, ws, "write")
	lexiOnly := env.Key(t, ws, "lexi")
	readWrite := env.Key(t, ws, "read", "write")

	forbidden := []struct {
		name    string
		key     string
		query   string
		missing []string
	}{
		{"read-only mutation", readOnly, `mutation { createContact(input: {email: "x@y.co"}) { id } }`, []string{"WRITE"}},
		{"read-only delete", readOnly, `mutation { deleteContact(id: "ctc_nope") }`, []string{"WRITE"}},
		{"read-only createList", readOnly, `mutation { createList(input: {name: "L"}) { id } }`, []string{"WRITE"}},
		{"read-only createDeal", readOnly, `mutation { createDeal(input: {title: "D"}) { id } }`, []string{"WRITE"}},
		{"read-only importProspects", readOnly, `mutation { importProspects(prospectIds: []) { id } }`, []string{"WRITE"}},
		{"write-only contacts", writeOnly, `{ contacts { totalCount } }`, []string{"READ"}},
		{"write-only aliased", writeOnly, `{ c: contacts { totalCount } }`, []string{"READ"}},
		{"write-only contact by id", writeOnly, `{ contact(id: "ctc_nope") { id } }`, []string{"READ"}},
		{"write-only node", writeOnly, `{ node(id: "ctc_nope") { id } }`, []string{"READ"}},
		{"write-only lists", writeOnly, `{ lists { totalCount } }`, []string{"READ"}},
		{"write-only campaigns", writeOnly, `{ campaigns { totalCount } }`, []string{"READ"}},
		{"write-only prospects", writeOnly, `{ prospects { totalCount } }`, []string{"READ"}},
		{"write-only named fragment", writeOnly,
			`query { ...F } fragment F on Query { contacts { totalCount } }`, []string{"READ"}},
		{"write-only inline fragment", writeOnly,
			`{ ... on Query { deals { totalCount } } }`, []string{"READ"}},
		{"write-only inline fragment without type", writeOnly,
			`{ ... { deals { totalCount } } }`, []string{"READ"}},
		{"write-only nested fragment spread", writeOnly,
			`query { ...Outer } fragment Outer on Query { viewer { workspace { id } } ...Inner } fragment Inner on Query { campaigns { totalCount } }`,
			[]string{"READ"}},
		{"write-only fragment inside inline fragment", writeOnly,
			`{ ... on Query { ...F } } fragment F on Query { deal(id: "x") { id } }`, []string{"READ"}},
		{"write-only mixed with viewer", writeOnly,
			`{ viewer { workspace { id } } contacts { totalCount } }`, []string{"READ"}},
		{"lexi-only contacts", lexiOnly, `{ contacts { totalCount } }`, []string{"READ"}},
		{"lexi-only mutation", lexiOnly, `mutation { createContact(input: {email: "x@y.co"}) { id } }`, []string{"WRITE"}},
		{"read-only mutation mixed with allowed fields", readOnly,
			`mutation { a: createContact(input: {email: "a@y.co"}) { id } b: createContact(input: {email: "b@y.co"}) { id } }`,
			[]string{"WRITE"}},
	}
	for _, tc := range forbidden {
		t.Run(tc.name, func(t *testing.T) {
			r := env.Query(t, tc.key, tc.query, nil)
			authExpect403(t, r, tc.missing...)
		})
	}

	// Nothing of a refused operation ran: no contact, list or deal exists.
	r := env.Query(t, readWrite, `{ contacts { totalCount } lists { totalCount } deals { totalCount } }`, nil)
	d := authData(t, r)
	for f, c := range map[string]authConn{"contacts": d.Contacts, "lists": d.Lists, "deals": d.Deals} {
		if got := c.total(t); got != 0 {
			t.Errorf("%s.totalCount = %v after refused operations, want 0", f, got)
		}
	}

	allowed := []struct {
		name  string
		key   string
		query string
		check func(t *testing.T, data authAnswer)
	}{
		{"read-write mutation", readWrite, `mutation { createContact(input: {email: "rw@y.co"}) { email } }`,
			func(t *testing.T, d authAnswer) {
				if got := d.CreateContact.Email; got != "rw@y.co" {
					t.Errorf("email = %q", got)
				}
			}},
		{"write-only mutation selecting object fields", writeOnly, `mutation { createContact(input: {email: "w@y.co"}) { id email } }`,
			func(t *testing.T, d authAnswer) {
				if got := d.CreateContact.Email; got != "w@y.co" {
					t.Errorf("email = %q", got)
				}
			}},
		{"read-only query", readOnly, `{ contacts { totalCount } }`,
			func(t *testing.T, d authAnswer) {
				if got := d.Contacts.total(t); got != 2 {
					t.Errorf("totalCount = %v, want 2", got)
				}
			}},
		{"read-write query with fragments", readWrite,
			`query { ...F ... on Query { deals { totalCount } } } fragment F on Query { contacts { totalCount } }`,
			func(t *testing.T, d authAnswer) {
				if got := d.Contacts.total(t); got != 2 {
					t.Errorf("contacts.totalCount = %v, want 2", got)
				}
				if got := d.Deals.total(t); got != 0 {
					t.Errorf("deals.totalCount = %v, want 0", got)
				}
			}},
		{"write-only viewer", writeOnly, `{ viewer { workspace { id } } }`,
			func(t *testing.T, d authAnswer) {
				if got := d.Viewer.Workspace.ID; got != ws.ID {
					t.Errorf("workspace id = %q, want %q", got, ws.ID)
				}
			}},
		{"lexi-only viewer", lexiOnly, `{ viewer { workspace { id } } __typename }`,
			func(t *testing.T, d authAnswer) {
				if got := d.Viewer.Workspace.ID; got != ws.ID {
					t.Errorf("workspace id = %q, want %q", got, ws.ID)
				}
			}},
	}
	for _, tc := range allowed {
		t.Run(tc.name, func(t *testing.T) {
			r := env.Query(t, tc.key, tc.query, nil)
			tc.check(t, authData(t, r))
		})
	}
}

// Only the selected operation of a multi-operation document is checked and run.
func TestPermissionGateSelectedOperationOnly(t *testing.T) {
	env := testenv.New(t)
	ws := env.Workspace(t, "Acme", models.PlanOrg)
	writeOnly := env.Key(t, ws, "write")
	doc := `query Who { viewer { workspace { id } } } query All { contacts { totalCount } }`
	body, _ := json.Marshal(map[string]any{"query": doc, "operationName": "Who"})
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+writeOnly)
	r := env.Do(t, req)
	if got := authData(t, r).Viewer.Workspace.ID; got != ws.ID {
		t.Fatalf("workspace id = %q, want %q", got, ws.ID)
	}
	body, _ = json.Marshal(map[string]any{"query": doc, "operationName": "All"})
	req = httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+writeOnly)
	authExpect403(t, env.Do(t, req), "READ")
}

// A refused mutation leaves no trace; the same mutation with WRITE works.
func TestPermissionForbiddenMutationDoesNotExecute(t *testing.T) {
	env := testenv.New(t)
	ws, full := env.Tenant(t, "Acme")
	readOnly := env.Key(t, ws, "read")

	authExpect403(t, env.Query(t, readOnly, `mutation { createContact(input:{email:"x@y.co"}) { id } }`, nil), "WRITE")
	r := env.Query(t, full, `{ contacts { totalCount } }`, nil)
	if got := authData(t, r).Contacts.total(t); got != 0 {
		t.Fatalf("totalCount after a refused createContact = %v, want 0", got)
	}

	// The email is still free: creating it with a full key succeeds (no CONFLICT).
	r = env.Query(t, full, `mutation { createContact(input:{email:"x@y.co"}) { id email } }`, nil)
	id := authData(t, r).CreateContact.ID
	if id == "" {
		t.Fatalf("no id: %s", r.Raw)
	}
	// A read-only key cannot update or delete it either.
	authExpect403(t, env.Query(t, readOnly, `mutation($id: ID!) { updateContact(id: $id, input: {firstName: "Eve"}) { id } }`,
		map[string]any{"id": id}), "WRITE")
	authExpect403(t, env.Query(t, readOnly, `mutation($id: ID!) { deleteContact(id: $id) }`, map[string]any{"id": id}), "WRITE")
	r = env.Query(t, readOnly, `query($id: ID!) { contact(id: $id) { email firstName } }`, map[string]any{"id": id})
	d := authData(t, r)
	if d.Contact == nil {
		t.Fatalf("contact after refused delete is null: %s", r.Raw)
	}
	if got := d.Contact.Email; got != "x@y.co" {
		t.Errorf("contact after refused delete: email = %q, want x@y.co (%s)", got, r.Raw)
	}
	if got := d.Contact.FirstName; got != nil {
		t.Errorf("contact after refused update: firstName = %q, want null", *got)
	}
}

func TestAuthViewer(t *testing.T) {
	env := testenv.New(t)
	ws := env.Workspace(t, "Acme Corp", models.PlanPro)
	cases := []struct {
		perms []string
		want  []string
	}{
		{[]string{"lexi"}, []string{"LEXI"}},
		{[]string{"read"}, []string{"READ"}},
		{[]string{"write"}, []string{"WRITE"}},
		{[]string{"write", "read"}, []string{"READ", "WRITE"}},
		{[]string{"read", "write", "lexi"}, []string{"READ", "WRITE", "LEXI"}},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.perms, "+"), func(t *testing.T) {
			key, rec := env.KeyRecord(t, ws, func(k *models.ApiKey) { k.Name = "ci key" }, tc.perms...)
			r := env.Query(t, key, `{ viewer { workspace { id name plan } apiKey { id name prefix permissions } } }`, nil)
			d := authData(t, r)
			if got := d.Viewer.Workspace.ID; got != ws.ID {
				t.Errorf("workspace.id = %q, want %q", got, ws.ID)
			}
			if got := d.Viewer.Workspace.Name; got != "Acme Corp" {
				t.Errorf("workspace.name = %q, want Acme Corp", got)
			}
			if got := d.Viewer.Workspace.Plan; got != "PRO" {
				t.Errorf("workspace.plan = %q, want PRO", got)
			}
			if got := d.Viewer.APIKey.ID; got != rec.ID {
				t.Errorf("apiKey.id = %q, want %q", got, rec.ID)
			}
			if got := d.Viewer.APIKey.Name; got != "ci key" {
				t.Errorf("apiKey.name = %q, want ci key", got)
			}
			prefix := d.Viewer.APIKey.Prefix
			if prefix != auth.DisplayPrefix(key) || prefix != rec.Prefix {
				t.Errorf("apiKey.prefix = %q, want %q", prefix, auth.DisplayPrefix(key))
			}
			if !strings.HasPrefix(prefix, auth.KeyPrefix) || len(prefix) >= len(key) {
				t.Errorf("prefix %q is not a short display prefix", prefix)
			}
			if got := d.Viewer.APIKey.Permissions; !reflect.DeepEqual(got, tc.want) {
				t.Errorf("apiKey.permissions = %v, want %v", got, tc.want)
			}
			if bytes.Contains(r.Raw, []byte(key)) || bytes.Contains(r.Raw, []byte(key[len(prefix):])) {
				t.Errorf("the response contains the key: %s", r.Raw)
			}
			if bytes.Contains(r.Raw, []byte(rec.KeyHash)) {
				t.Errorf("the response contains the key hash: %s", r.Raw)
			}
		})
	}
}
