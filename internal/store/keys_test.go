package store_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

func TestCreateWorkspaceValidatesNameAndPlan(t *testing.T) {
	st := testdb.Open(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		input string
		plan  models.Plan
		field string
	}{
		{"empty name", "  ", models.PlanPro, "name"},
		{"control character", "A\x00B", models.PlanPro, "name"},
		{"too long", strings.Repeat("w", 256), models.PlanPro, "name"},
		{"unknown plan", "Acme", models.Plan("gold"), "plan"},
	} {
		_, err := st.CreateWorkspace(ctx, tc.input, tc.plan)
		fxWantCode(t, tc.name, err, apperr.EINVALID, tc.field)
	}
	if ws, err := st.Workspaces(ctx); err != nil || len(ws) != 0 {
		t.Fatalf("after refused creations: %d workspaces, %v; want none", len(ws), err)
	}

	a, err := st.CreateWorkspace(ctx, "  Acme  ", models.PlanStarter)
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.CreateWorkspace(ctx, "Beta", models.PlanOrg)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Acme" {
		t.Errorf("name %q, want it trimmed to Acme", a.Name)
	}
	all, err := st.Workspaces(ctx)
	if err != nil || len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID {
		t.Fatalf("Workspaces: %v %v, want Acme then Beta", all, err)
	}
	got, err := st.Workspace(ctx, b.ID)
	if err != nil || got.Name != "Beta" || got.Plan != models.PlanOrg {
		t.Errorf("Workspace(b): %+v %v", got, err)
	}
	_, err = st.Workspace(ctx, "wks_missing")
	fxWantCode(t, "unknown workspace", err, apperr.ENOTFOUND, "")
}

// fxKey stores a key of ws named name with hash hash.
func fxKey(t *testing.T, st *store.Store, wsID, name, hash string, perms string, expires *time.Time) *models.ApiKey {
	t.Helper()
	k := &models.ApiKey{WorkspaceID: wsID, Name: name, Prefix: "wbk_" + hash[:4], KeyHash: hash,
		Scopes: models.ParsePermissionSet(perms), ExpiresAt: expires}
	if err := st.CreateAPIKey(context.Background(), k); err != nil {
		t.Fatalf("CreateAPIKey %s: %v", name, err)
	}
	return k
}

func TestAPIKeysAreStoredListedAndFoundByHash(t *testing.T) {
	st, _, ws := fxWorkspace(t)
	ctx := context.Background()
	other, err := st.CreateWorkspace(ctx, "Other", models.PlanStarter)
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name string
		key  models.ApiKey
		code apperr.Code
	}{
		{"unknown workspace", models.ApiKey{WorkspaceID: "wks_nope", Name: "k", KeyHash: "h0"}, apperr.ENOTFOUND},
		{"empty name", models.ApiKey{WorkspaceID: ws.ID, Name: " ", KeyHash: "h0"}, apperr.EINVALID},
	} {
		err := st.CreateAPIKey(ctx, &tc.key)
		fxWantCode(t, tc.name, err, tc.code, "")
	}

	k1 := fxKey(t, st, ws.ID, "first", "hash-one", "read", nil)
	k2 := fxKey(t, st, ws.ID, "second", "hash-two", "read,write,lexi", nil)
	fxKey(t, st, other.ID, "foreign", "hash-foreign", "read", nil)
	if !strings.HasPrefix(k1.ID, "key_") || k1.ID == k2.ID {
		t.Errorf("key ids %q, %q: want distinct key_ ids", k1.ID, k2.ID)
	}
	// A second key with the same hash would authenticate as two keys.
	dup := &models.ApiKey{WorkspaceID: ws.ID, Name: "dup", KeyHash: "hash-one"}
	fxWantCode(t, "duplicate hash", st.CreateAPIKey(ctx, dup), apperr.ECONFLICT, "")

	keys, err := st.APIKeys(ctx, ws.ID)
	if err != nil || len(keys) != 2 || keys[0].ID != k1.ID || keys[1].ID != k2.ID {
		t.Fatalf("APIKeys: %v %v, want first then second, not the other workspace's", keys, err)
	}
	_, err = st.APIKeys(ctx, "wks_nope")
	fxWantCode(t, "keys of an unknown workspace", err, apperr.ENOTFOUND, "")

	got, err := st.APIKey(ctx, k2.ID)
	if err != nil || got.Name != "second" || !got.Has(models.PermissionWrite) || !got.Has(models.PermissionLexi) {
		t.Errorf("APIKey: %+v %v", got, err)
	}
	_, err = st.APIKey(ctx, "key_nope")
	fxWantCode(t, "unknown key id", err, apperr.ENOTFOUND, "")

	key, kws, err := st.KeyByHash(ctx, "hash-two")
	if err != nil {
		t.Fatal(err)
	}
	if key.ID != k2.ID || key.Has(models.PermissionRead) != true || kws.ID != ws.ID || kws.Name != ws.Name || kws.Plan != ws.Plan {
		t.Errorf("KeyByHash: key %+v workspace %+v", key, kws)
	}
	_, _, err = st.KeyByHash(ctx, "hash-unknown")
	fxWantCode(t, "unknown hash", err, apperr.ENOTFOUND, "")
}

func TestRevokeAPIKeyKeepsTheFirstRevocation(t *testing.T) {
	st, _, ws := fxWorkspace(t)
	ctx := context.Background()
	k := fxKey(t, st, ws.ID, "k", "hash-revoke", "read", nil)
	first, err := st.RevokeAPIKey(ctx, k.ID)
	if err != nil || first.RevokedAt == nil {
		t.Fatalf("RevokeAPIKey: %+v %v", first, err)
	}
	time.Sleep(2 * time.Millisecond) // a second revocation later in time
	second, err := st.RevokeAPIKey(ctx, k.ID)
	if err != nil || second.RevokedAt == nil || !second.RevokedAt.Equal(*first.RevokedAt) {
		t.Fatalf("second revocation: %+v %v, want revokedAt kept at %v", second, err, first.RevokedAt)
	}
	stored, _, err := st.KeyByHash(ctx, "hash-revoke")
	if err != nil || stored.RevokedAt == nil || !stored.RevokedAt.Equal(*first.RevokedAt) {
		t.Errorf("stored key: %+v %v", stored, err)
	}
	_, err = st.RevokeAPIKey(ctx, "key_nope")
	fxWantCode(t, "revoke unknown", err, apperr.ENOTFOUND, "")
}

func TestRotateAPIKey(t *testing.T) {
	st, _, ws := fxWorkspace(t)
	ctx := context.Background()
	in := func(d time.Duration) *time.Time { at := store.Now().Add(d); return &at }
	near := func(got *time.Time, want time.Time) bool {
		return got != nil && got.Sub(want).Abs() < time.Minute
	}

	t.Run("a key without expiry expires after the grace", func(t *testing.T) {
		old := fxKey(t, st, ws.ID, "ci", "hash-rot-1", "read,write", nil)
		next := &models.ApiKey{Prefix: "wbk_new1", KeyHash: "hash-rot-1b"}
		if err := st.RotateAPIKey(ctx, old.ID, time.Hour, next); err != nil {
			t.Fatal(err)
		}
		if next.ID == "" || next.ID == old.ID || next.WorkspaceID != ws.ID || next.Name != "ci" || next.Scopes != old.Scopes {
			t.Errorf("successor %+v: want a new id with the old key's workspace, name and permissions", next)
		}
		if next.ExpiresAt != nil {
			t.Errorf("successor expires at %v; the old key never expired", next.ExpiresAt)
		}
		stored, err := st.APIKey(ctx, old.ID)
		if err != nil || !near(stored.ExpiresAt, store.Now().Add(time.Hour)) {
			t.Errorf("old key expires at %v (%v), want in an hour", stored.ExpiresAt, err)
		}
		if got, _, err := st.KeyByHash(ctx, "hash-rot-1b"); err != nil || got.ID != next.ID {
			t.Errorf("successor by hash: %v %v", got, err)
		}
	})

	t.Run("the grace never extends a key and the successor keeps its lifetime", func(t *testing.T) {
		old := fxKey(t, st, ws.ID, "short", "hash-rot-2", "read", in(2*time.Hour))
		next := &models.ApiKey{Prefix: "wbk_new2", KeyHash: "hash-rot-2b"}
		if err := st.RotateAPIKey(ctx, old.ID, 48*time.Hour, next); err != nil {
			t.Fatal(err)
		}
		stored, err := st.APIKey(ctx, old.ID)
		if err != nil || !stored.ExpiresAt.Equal(*old.ExpiresAt) {
			t.Errorf("old key expires at %v (%v), want unchanged %v", stored.ExpiresAt, err, old.ExpiresAt)
		}
		if !near(next.ExpiresAt, store.Now().Add(2*time.Hour)) {
			t.Errorf("successor expires at %v, want the old key's two-hour lifetime from now", next.ExpiresAt)
		}
	})

	revoked := fxKey(t, st, ws.ID, "revoked", "hash-rot-3", "read", nil)
	if _, err := st.RevokeAPIKey(ctx, revoked.ID); err != nil {
		t.Fatal(err)
	}
	expired := fxKey(t, st, ws.ID, "expired", "hash-rot-4", "read", in(-time.Hour))
	for _, tc := range []struct {
		name, id string
		code     apperr.Code
	}{
		{"revoked", revoked.ID, apperr.ECONFLICT},
		{"expired", expired.ID, apperr.ECONFLICT},
		{"unknown", "key_nope", apperr.ENOTFOUND},
	} {
		next := &models.ApiKey{Prefix: "wbk_x", KeyHash: "hash-rot-" + tc.name}
		fxWantCode(t, tc.name, st.RotateAPIKey(ctx, tc.id, time.Hour, next), tc.code, "")
		if _, _, err := st.KeyByHash(ctx, next.KeyHash); apperr.CodeOf(err) != apperr.ENOTFOUND {
			t.Errorf("%s: a successor was stored (%v)", tc.name, err)
		}
	}
}

// TestUsageFlushMovesLastUsedForwardOnly: instances flush out of order; lastUsedAt takes the
// newest time any of them saw.
func TestUsageFlushMovesLastUsedForwardOnly(t *testing.T) {
	st, _, ws := fxWorkspace(t)
	ctx := context.Background()
	k := fxKey(t, st, ws.ID, "k", "hash-touch", "read", nil)
	base := time.Date(2031, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		at   []time.Time // one flush, possibly several deltas
		want time.Time
	}{
		{"first use", []time.Time{base}, base},
		{"newest of one flush", []time.Time{base.Add(time.Minute), base.Add(3 * time.Minute), base.Add(2 * time.Minute)}, base.Add(3 * time.Minute)},
		{"an older flush arriving late", []time.Time{base.Add(time.Second)}, base.Add(3 * time.Minute)},
		{"a newer one", []time.Time{base.Add(time.Hour)}, base.Add(time.Hour)},
	} {
		var deltas []store.UsageDelta
		for _, at := range tc.at {
			deltas = append(deltas, store.UsageDelta{WorkspaceID: ws.ID, KeyID: k.ID, Date: "2031-05-01", Calls: 1, LastUsed: at})
		}
		if err := st.AddUsage(ctx, deltas); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got, err := st.APIKey(ctx, k.ID)
		if err != nil || got.LastUsedAt == nil || !got.LastUsedAt.Equal(tc.want) {
			t.Errorf("%s: lastUsedAt %v (%v), want %v", tc.name, got.LastUsedAt, err, tc.want)
		}
	}
}
