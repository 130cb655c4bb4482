package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

func TestNewKeyIsWellFormedAndStoredOnlyAsHash(t *testing.T) {
	key, prefix, hash := auth.NewKey()
	if !auth.WellFormed(key) {
		t.Fatalf("NewKey() = %q is not well formed", key)
	}
	if !strings.HasPrefix(key, auth.KeyPrefix) || len(key) != len(auth.KeyPrefix)+43+6 {
		t.Errorf("key %q: want %s, 43 characters and a 6-character checksum", key, auth.KeyPrefix)
	}
	if prefix != auth.DisplayPrefix(key) || len(prefix) != len(auth.KeyPrefix)+6 {
		t.Errorf("prefix %q, want the first %d characters of the key", prefix, len(auth.KeyPrefix)+6)
	}
	if hash != auth.HashKey(key) || strings.Contains(hash, key[len(prefix):]) || len(hash) != 64 {
		t.Errorf("hash %q is not the key's SHA-256 in hex", hash)
	}
	if other, _, _ := auth.NewKey(); other == key {
		t.Error("two keys are equal")
	}
}

func TestWellFormed(t *testing.T) {
	key, _, _ := auth.NewKey()
	flip := func(s string, i int) string {
		c := byte('a')
		if s[i] == 'a' {
			c = 'b'
		}
		return s[:i] + string(c) + s[i+1:]
	}
	for _, tc := range []struct {
		name string
		s    string
		want bool
	}{
		{"a fresh key", key, true},
		{"a typo in the body", flip(key, 10), false},
		{"a typo in the checksum", flip(key, len(key)-1), false},
		{"truncated", key[:len(key)-1], false},
		{"one character more", key + "0", false},
		{"another prefix", "ghp_" + key[len(auth.KeyPrefix):], false},
		{"not base62", key[:10] + "-" + key[11:], false},
		{"empty", "", false},
	} {
		if got := auth.WellFormed(tc.s); got != tc.want {
			t.Errorf("%s: WellFormed(%q) = %v, want %v", tc.name, tc.s, got, tc.want)
		}
	}
	if got := auth.DisplayPrefix("wbk_12"); got != auth.KeyPrefix {
		t.Errorf("DisplayPrefix of a short string = %q, want %q", got, auth.KeyPrefix)
	}
}

func TestBearerToken(t *testing.T) {
	for header, want := range map[string]string{
		"Bearer wbk_abc":      "wbk_abc",
		"bearer wbk_abc":      "wbk_abc",
		"  Bearer   wbk_abc ": "wbk_abc",
		"Basic dXNlcjpwdw==":  "",
		"wbk_abc":             "",
		"Bearer":              "",
		"":                    "",
	} {
		if got := auth.BearerToken(header); got != want {
			t.Errorf("BearerToken(%q) = %q, want %q", header, got, want)
		}
	}
}

// authFixture is a store with one workspace and an authenticator whose clock stands at now.
type authFixture struct {
	st    *store.Store
	authn *auth.Authenticator
	ws    *models.Workspace
	now   time.Time
}

func newAuthFixture(t *testing.T) *authFixture {
	t.Helper()
	st := testdb.Open(t)
	ws, err := st.CreateWorkspace(context.Background(), "Acme", models.PlanPro)
	if err != nil {
		t.Fatal(err)
	}
	f := &authFixture{st: st, authn: auth.NewAuthenticator(st, testdb.Logger()), ws: ws,
		now: time.Date(2031, 3, 14, 12, 0, 0, 0, time.UTC)}
	f.authn.Now = func() time.Time { return f.now }
	return f
}

// key stores a key with the read permission, edited by edit, and returns it.
func (f *authFixture) key(t *testing.T, edit func(*models.ApiKey)) (string, *models.ApiKey) {
	t.Helper()
	key, prefix, hash := auth.NewKey()
	k := &models.ApiKey{WorkspaceID: f.ws.ID, Name: "test", Prefix: prefix, KeyHash: hash, Scopes: models.ParsePermissionSet("read")}
	edit(k)
	if err := f.st.CreateAPIKey(context.Background(), k); err != nil {
		t.Fatal(err)
	}
	return key, k
}

func TestAuthenticate(t *testing.T) {
	f := newAuthFixture(t)
	at := func(d time.Duration) *time.Time { return new(f.now.Add(d)) }
	valid, validRecord := f.key(t, func(*models.ApiKey) {})
	revoked, _ := f.key(t, func(k *models.ApiKey) { k.RevokedAt = at(-time.Second) })
	revokedNow, _ := f.key(t, func(k *models.ApiKey) { k.RevokedAt = at(0) })
	revokedLater, _ := f.key(t, func(k *models.ApiKey) { k.RevokedAt = at(time.Hour) })
	expired, _ := f.key(t, func(k *models.ApiKey) { k.ExpiresAt = at(-time.Second) })
	expiresLater, _ := f.key(t, func(k *models.ApiKey) { k.ExpiresAt = at(time.Minute) })
	unknown, _, _ := auth.NewKey()

	for _, tc := range []struct {
		name, header string
		reason       string // "" for success
	}{
		{"valid", "Bearer " + valid, ""},
		{"revocation still ahead", "Bearer " + revokedLater, ""},
		{"expiry still ahead", "Bearer " + expiresLater, ""},
		{"no header", "", auth.ReasonMissing},
		{"blank header", "   ", auth.ReasonMissing},
		{"another scheme", "Basic " + valid, auth.ReasonInvalid},
		{"malformed", "Bearer wbk_nope", auth.ReasonInvalid},
		{"well formed but unknown", "Bearer " + unknown, auth.ReasonInvalid},
		{"revoked", "Bearer " + revoked, auth.ReasonRevoked},
		{"revoked this instant", "Bearer " + revokedNow, auth.ReasonRevoked},
		{"expired", "Bearer " + expired, auth.ReasonExpired},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := f.authn.Authenticate(context.Background(), tc.header)
			if tc.reason == "" {
				if err != nil {
					t.Fatalf("Authenticate: %v", err)
				}
				if p.Workspace.ID != f.ws.ID || p.Key.WorkspaceID != f.ws.ID {
					t.Errorf("principal of workspace %s, want %s", p.Workspace.ID, f.ws.ID)
				}
				return
			}
			e := apperr.As(err)
			if p != nil || e == nil || e.Code != apperr.EUNAUTHORIZED || e.Reason != tc.reason {
				t.Fatalf("Authenticate = %v, %v; want EUNAUTHORIZED %s", p, err, tc.reason)
			}
		})
	}

	p, err := f.authn.Authenticate(context.Background(), "Bearer "+valid)
	if err != nil {
		t.Fatal(err)
	}
	if p.Key.ID != validRecord.ID || !p.Has(models.PermissionRead) || p.Has(models.PermissionWrite) {
		t.Errorf("principal key %s with read=%v write=%v, want %s with read only",
			p.Key.ID, p.Has(models.PermissionRead), p.Has(models.PermissionWrite), validRecord.ID)
	}
}

// A database that does not answer is not an authentication failure: the caller gets the
// store's error, never a 401.
func TestAuthenticateDoesNotTurnDatabaseErrorsInto401(t *testing.T) {
	f := newAuthFixture(t)
	valid, _ := f.key(t, func(*models.ApiKey) {})
	if err := f.st.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := f.authn.Authenticate(context.Background(), "Bearer "+valid)
	if err == nil || apperr.CodeOf(err) == apperr.EUNAUTHORIZED {
		t.Fatalf("Authenticate on a closed database = %v, want the database's error", err)
	}
}

// StillValid applies the same rule as Authenticate to a key already authenticated: an open
// subscription ends when its key is revoked or expires.
func TestStillValid(t *testing.T) {
	f := newAuthFixture(t)
	ctx := context.Background()
	_, k := f.key(t, func(k *models.ApiKey) { k.ExpiresAt = new(f.now.Add(time.Hour)) })
	if err := f.authn.StillValid(ctx, k.ID); err != nil {
		t.Fatalf("StillValid of a valid key: %v", err)
	}
	f.now = f.now.Add(time.Hour)
	if e := apperr.As(f.authn.StillValid(ctx, k.ID)); e == nil || e.Reason != auth.ReasonExpired {
		t.Errorf("StillValid once expired = %v, want %s", e, auth.ReasonExpired)
	}

	f.now = time.Now().UTC() // RevokeAPIKey stamps the wall clock
	_, other := f.key(t, func(*models.ApiKey) {})
	if _, err := f.st.RevokeAPIKey(ctx, other.ID); err != nil {
		t.Fatal(err)
	}
	f.now = time.Now().UTC().Add(time.Second)
	if e := apperr.As(f.authn.StillValid(ctx, other.ID)); e == nil || e.Reason != auth.ReasonRevoked {
		t.Errorf("StillValid once revoked = %v, want %s", e, auth.ReasonRevoked)
	}
	if e := apperr.As(f.authn.StillValid(ctx, "key_01J00000000000000000000000")); e == nil || e.Reason != auth.ReasonInvalid {
		t.Errorf("StillValid of an unknown key = %v, want %s", e, auth.ReasonInvalid)
	}
}

func TestPrincipalTravelsInContext(t *testing.T) {
	ctx := context.Background()
	if auth.PrincipalFrom(ctx) != nil {
		t.Fatal("a bare context has a principal")
	}
	p := &auth.Principal{Key: &models.ApiKey{ID: "key_1"}, Workspace: &models.Workspace{ID: "wks_1"}}
	ctx = auth.WithPrincipal(ctx, p)
	if auth.PrincipalFrom(ctx) != p {
		t.Error("PrincipalFrom does not return the principal stored")
	}
	if id, ok := store.WorkspaceFrom(ctx); !ok || id != "wks_1" {
		t.Errorf("the context is scoped to %q (%v), want wks_1", id, ok)
	}
}
