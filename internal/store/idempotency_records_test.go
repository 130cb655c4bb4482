package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
)

// fxSaveRecord stores rec in a request transaction of its own and commits it.
func fxSaveRecord(t *testing.T, st *store.Store, ctx context.Context, rec *store.IdempotencyRecord) error {
	t.Helper()
	rctx, rt, err := st.BeginRequest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Rollback()
	if err := st.SaveIdempotencyRecord(rctx, rec); err != nil {
		return err
	}
	return rt.Commit()
}

func TestIdempotencyRecords(t *testing.T) {
	st, ctx, ws := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	now := store.Now()
	rec := func(key string, created time.Time, ttl time.Duration) *store.IdempotencyRecord {
		return &store.IdempotencyRecord{KeyID: "key_1", Key: key, Fingerprint: "fp-" + key, Status: 200,
			Body: `{"data":{"k":"` + key + `"}}`, CreatedAt: created, ExpiresAt: created.Add(ttl)}
	}

	if err := st.SaveIdempotencyRecord(ctx, rec("outside", now, time.Hour)); err == nil {
		t.Error("SaveIdempotencyRecord outside a request transaction succeeded")
	}
	if _, err := st.LockIdempotencyKey(ctx, "key_1", "outside"); err == nil {
		t.Error("LockIdempotencyKey outside a request transaction succeeded")
	}

	live := rec("live", now, time.Hour)
	if err := fxSaveRecord(t, st, ctx, live); err != nil {
		t.Fatal(err)
	}
	if live.WorkspaceID != ws.ID {
		t.Errorf("record stamped with workspace %q, want %q", live.WorkspaceID, ws.ID)
	}
	stale := rec("stale", now.Add(-2*time.Hour), time.Hour)
	if err := fxSaveRecord(t, st, ctx, stale); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name, keyID, key string
		ctx              context.Context
		at               time.Time
		want             string // the body found, "" for none
	}{
		{"live", "key_1", "live", ctx, now, live.Body},
		{"live, just before it expires", "key_1", "live", ctx, now.Add(time.Hour - time.Microsecond), live.Body},
		{"at its expiry", "key_1", "live", ctx, now.Add(time.Hour), ""},
		{"expired record counts as none", "key_1", "stale", ctx, now, ""},
		{"another API key", "key_2", "live", ctx, now, ""},
		{"another workspace", "key_1", "live", other, now, ""},
		{"unknown key", "key_1", "never", ctx, now, ""},
	} {
		got, err := st.IdempotencyRecord(tc.ctx, tc.keyID, tc.key, tc.at)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		switch {
		case tc.want == "" && got != nil:
			t.Errorf("%s: found %+v, want none", tc.name, got)
		case tc.want != "" && (got == nil || got.Body != tc.want || got.Status != 200 || got.Fingerprint != "fp-"+tc.key):
			t.Errorf("%s: found %+v, want body %s", tc.name, got, tc.want)
		}
	}

	// A live record cannot be replaced; an expired one can, and the new one is found.
	fxWantCode(t, "saving over a live record", fxSaveRecord(t, st, ctx, rec("live", now, time.Hour)), apperr.ECONFLICT, "")
	again := rec("stale", now, time.Hour)
	again.Body = `{"data":"second"}`
	if err := fxSaveRecord(t, st, ctx, again); err != nil {
		t.Fatalf("saving over an expired record: %v", err)
	}
	if got, err := st.IdempotencyRecord(ctx, "key_1", "stale", now); err != nil || got == nil || got.Body != again.Body {
		t.Errorf("the replaced record: %+v %v", got, err)
	}

	// A record saved in a request transaction that rolls back is not kept.
	rctx, rt, err := st.BeginRequest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveIdempotencyRecord(rctx, rec("rolled-back", now, time.Hour)); err != nil {
		t.Fatal(err)
	}
	rt.Rollback()
	if got, err := st.IdempotencyRecord(ctx, "key_1", "rolled-back", now); err != nil || got != nil {
		t.Errorf("record of a rolled-back request: %+v %v", got, err)
	}
}

func TestDeleteExpiredIdempotencyRecordsSweepsInBatches(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	now := store.Now()
	for i, c := range []context.Context{ctx, ctx, other, ctx, other} {
		expires := now.Add(-time.Minute) // the first three have expired
		if i >= 3 {
			expires = now.Add(time.Hour)
		}
		r := &store.IdempotencyRecord{KeyID: "key_s", Key: string(rune('a' + i)), Fingerprint: "f", Status: 200, Body: "{}",
			CreatedAt: now.Add(-2 * time.Hour), ExpiresAt: expires}
		if err := fxSaveRecord(t, st, c, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		limit int
		want  int64
	}{{2, 2}, {2, 1}, {2, 0}} {
		n, err := st.DeleteExpiredIdempotencyRecords(context.Background(), now, tc.limit)
		if err != nil || n != tc.want {
			t.Fatalf("sweep of at most %d: deleted %d (%v), want %d", tc.limit, n, err, tc.want)
		}
	}
	for _, k := range []string{"d"} {
		if got, err := st.IdempotencyRecord(ctx, "key_s", k, now); err != nil || got == nil {
			t.Errorf("live record %s swept: %v", k, err)
		}
	}
	if got, err := st.IdempotencyRecord(other, "key_s", "e", now); err != nil || got == nil {
		t.Errorf("live record of the other workspace swept: %v", err)
	}
}

// TestIdempotencyKeyLockIsHeldUntilTheTransactionEnds: while one request transaction holds a
// key, another cannot take it (PostgreSQL, across instances); once it ends, the key is free.
// SQLite's single writer serialises request transactions, so the lock is always granted there.
func TestIdempotencyKeyLockIsHeldUntilTheTransactionEnds(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	c1, rt1, err := st.BeginRequest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rt1.Rollback()
	if ok, err := st.LockIdempotencyKey(c1, "key_l", "k"); err != nil || !ok {
		t.Fatalf("first lock: %v %v", ok, err)
	}
	if st.Dialect() != store.Postgres {
		return
	}
	c2, rt2, err := st.BeginRequest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rt2.Rollback()
	for _, tc := range []struct {
		keyID, key string
		want       bool
	}{
		{"key_l", "k", false}, // held by the first transaction
		{"key_l", "k2", true}, // another Idempotency-Key
		{"key_m", "k", true},  // the same Idempotency-Key of another API key
		{"key_l:k", "", true}, // the separator keeps the two parts apart
	} {
		ok, err := st.LockIdempotencyKey(c2, tc.keyID, tc.key)
		if err != nil || ok != tc.want {
			t.Errorf("lock (%s, %s) from a second transaction: %v %v, want %v", tc.keyID, tc.key, ok, err, tc.want)
		}
	}
	rt1.Rollback()
	c3, rt3, err := st.BeginRequest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rt3.Rollback()
	if ok, err := st.LockIdempotencyKey(c3, "key_l", "k"); err != nil || !ok {
		t.Errorf("lock after the holder ended: %v %v, want granted", ok, err)
	}
}
