package auth_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// FuzzAuthenticate: any Authorization header value either authenticates as the one key it
// names, or is refused as EUNAUTHORIZED with a documented reason; a well-formed key
// round-trips through "Bearer <key>".
func FuzzAuthenticate(f *testing.F) {
	st := testdb.Open(f)
	ctx := context.Background()
	ws, err := st.CreateWorkspace(ctx, "Fuzz", models.PlanOrg)
	if err != nil {
		f.Fatal(err)
	}
	key, prefix, hash := auth.NewKey()
	if err := st.CreateAPIKey(ctx, &models.ApiKey{WorkspaceID: ws.ID, Name: "fuzz", Prefix: prefix, KeyHash: hash,
		Scopes: models.ParsePermissionSet("read")}); err != nil {
		f.Fatal(err)
	}
	other, _, _ := auth.NewKey()
	a := auth.NewAuthenticator(st, testdb.Logger())
	for _, s := range []string{"Bearer " + key, "bearer  " + key + " ", "Bearer " + other, "Bearer", "", "Basic " + key,
		"Bearer " + key[:len(key)-1] + "x", "Bearer wbk_", "Bearer " + key + "\x00", "Token " + key} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		token := auth.BearerToken(header)
		if auth.WellFormed(token) && auth.BearerToken("Bearer "+token) != token {
			t.Fatalf("%q does not round-trip", token)
		}
		p, err := a.Authenticate(ctx, header)
		if err == nil {
			if p == nil || p.Key.KeyHash != hash || token != key {
				t.Fatalf("%q authenticated as another key", header)
			}
			return
		}
		e := apperr.As(err)
		if e == nil || e.Code != apperr.EUNAUTHORIZED {
			t.Fatalf("%q: %v, want EUNAUTHORIZED", header, err)
		}
		switch e.Reason {
		case auth.ReasonMissing:
			if strings.TrimSpace(header) != "" {
				t.Fatalf("%q: MISSING_KEY for a header with a value", header)
			}
		case auth.ReasonInvalid:
			if token == key {
				t.Fatalf("%q: the valid key refused", header)
			}
		default:
			t.Fatalf("%q: undocumented reason %q", header, e.Reason)
		}
		// A key-sized token (the shortest key is far longer than any word of the messages)
		// never appears in them.
		if len(e.Message) > 200 || len(token) >= 16 && strings.Contains(e.Message, token) {
			t.Fatalf("%q: message quotes the key: %q", header, e.Message)
		}
	})
}
