package usage_test

import (
	"context"
	"encoding/json"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/internal/usage"
	"github.com/wbk/crm/models"
)

var (
	noon      = time.Date(2031, 6, 15, 12, 0, 0, 0, time.UTC)
	systemCtx = store.AsSystem(context.Background())
)

func newRecorder(st *store.Store, now time.Time) *usage.Recorder {
	r := usage.NewRecorder(st, testdb.Logger())
	r.Now = func() time.Time { return now }
	return r
}

// stored reads usage through a recorder with nothing pending, so only the database answers.
func stored(t *testing.T, st *store.Store, now time.Time, keyID string, days int) []*models.UsageDay {
	t.Helper()
	got, err := newRecorder(st, now).Days(systemCtx, keyID, days)
	if err != nil {
		t.Fatalf("Days: %v", err)
	}
	return got
}

func day(date string, calls, cost, errors int, ops ...*models.OperationUsage) *models.UsageDay {
	d := &models.UsageDay{Date: date, Calls: calls, Cost: cost, Errors: errors, Operations: []*models.OperationUsage{},
		WebhookDeliveries: &models.WebhookDeliveryUsage{}}
	if calls > 0 {
		d.ErrorRate = float64(errors) / float64(calls)
	}
	d.Operations = append(d.Operations, ops...)
	return d
}

func op(name string, calls, errors int) *models.OperationUsage {
	return &models.OperationUsage{Operation: name, Calls: calls, Errors: errors}
}

func mustEqual(t *testing.T, what string, got, want []*models.UsageDay) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Fatalf("%s:\n got %s\nwant %s", what, g, w)
	}
}

func TestFlushWritesCounts(t *testing.T) {
	const ws, key = "wks_1", "key_1"
	ev := func(cost int, failed bool, ops []string, failedOps ...string) usage.Event {
		return usage.Event{KeyID: key, WorkspaceID: ws, At: noon, Cost: cost, Failed: failed, Operations: ops, FailedOperations: failedOps}
	}
	newYork := time.FixedZone("EST", -5*3600)
	tests := []struct {
		name   string
		events []usage.Event
		days   int
		want   []*models.UsageDay
	}{
		{
			name: "successes and errors across operations",
			events: []usage.Event{
				ev(2, false, []string{"contacts"}),
				ev(1, false, []string{"contacts", "viewer"}),
				ev(1, true, []string{"createContact"}, "createContact"),
				ev(3, true, []string{"contacts", "deals"}, "deals"),
				ev(0, true, nil), // a parse error: no root fields
			},
			days: 1,
			want: []*models.UsageDay{day("2031-06-15", 5, 7, 3,
				op("contacts", 3, 0), op("createContact", 1, 1), op("deals", 1, 1), op("viewer", 1, 0))},
		},
		{
			name: "a root field selected twice (aliases) counts once per request",
			events: []usage.Event{
				ev(1, true, []string{"contacts", "contacts"}, "contacts", "contacts"),
				ev(1, false, []string{"contacts", "contacts"}),
			},
			days: 1,
			want: []*models.UsageDay{day("2031-06-15", 2, 2, 1, op("contacts", 2, 1))},
		},
		{
			name: "a failed operation missing from Operations still counts as called",
			events: []usage.Event{
				ev(1, false, nil, "lexiChat"),
			},
			days: 1,
			want: []*models.UsageDay{day("2031-06-15", 1, 1, 1, op("lexiChat", 1, 1))},
		},
		{
			name: "the UTC day decides, whatever the event's zone",
			events: []usage.Event{
				{KeyID: key, WorkspaceID: ws, At: time.Date(2031, 6, 14, 23, 59, 59, 999_999_999, time.UTC), Cost: 1, Operations: []string{"viewer"}},
				{KeyID: key, WorkspaceID: ws, At: time.Date(2031, 6, 15, 0, 0, 0, 0, time.UTC), Cost: 2, Operations: []string{"contacts"}},
				// 20:30 on the 14th in New York is 01:30 on the 15th in UTC.
				{KeyID: key, WorkspaceID: ws, At: time.Date(2031, 6, 14, 20, 30, 0, 0, newYork), Cost: 4, Operations: []string{"contacts"}},
			},
			days: 3,
			want: []*models.UsageDay{
				day("2031-06-15", 2, 6, 0, op("contacts", 2, 0)),
				day("2031-06-14", 1, 1, 0, op("viewer", 1, 0)),
				day("2031-06-13", 0, 0, 0),
			},
		},
		{
			name: "an event without a time counts for the recorder's today",
			events: []usage.Event{
				{KeyID: key, WorkspaceID: ws, Cost: 1, Operations: []string{"viewer"}},
			},
			days: 2,
			want: []*models.UsageDay{day("2031-06-15", 1, 1, 0, op("viewer", 1, 0)), day("2031-06-14", 0, 0, 0)},
		},
		{
			name: "events without a key are not counted",
			events: []usage.Event{
				{WorkspaceID: ws, At: noon, Cost: 1, Operations: []string{"viewer"}},
				{KeyID: key, At: noon, Cost: 1, Operations: []string{"viewer"}},
			},
			days: 1,
			want: []*models.UsageDay{day("2031-06-15", 0, 0, 0)},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := testdb.Open(t)
			r := newRecorder(st, noon)
			for _, e := range tt.events {
				r.Record(e)
			}
			if err := r.Flush(context.Background()); err != nil {
				t.Fatalf("Flush: %v", err)
			}
			mustEqual(t, "stored", stored(t, st, noon, key, tt.days), tt.want)
			// What was flushed is no longer pending: the recorder itself must not count it twice.
			got, err := r.Days(systemCtx, key, tt.days)
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, "after flush", got, tt.want)
			if err := r.Flush(context.Background()); err != nil {
				t.Fatal(err)
			}
			mustEqual(t, "after a second, empty flush", stored(t, st, noon, key, tt.days), tt.want)
		})
	}
}

func TestTwoInstancesAddUp(t *testing.T) {
	pgURL, path := testdb.URL(t)
	open := func() *store.Store {
		st, err := store.Open(store.Options{URL: pgURL, SQLitePath: path, Logger: testdb.Logger()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = st.Close() })
		if err := st.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return st
	}
	stA, stB := open(), open()
	a, b := newRecorder(stA, noon), newRecorder(stB, noon)
	for round := range 3 {
		for i := range 10 {
			a.Record(usage.Event{KeyID: "key_1", WorkspaceID: "wks_1", At: noon, Cost: 2, Operations: []string{"contacts"}})
			e := usage.Event{KeyID: "key_1", WorkspaceID: "wks_1", At: noon, Cost: 3, Operations: []string{"contacts", "deals"}}
			if i%5 == 0 {
				e.Failed, e.FailedOperations = true, []string{"deals"}
			}
			b.Record(e)
			b.Record(usage.Event{KeyID: "key_2", WorkspaceID: "wks_2", At: noon, Cost: 1, Operations: []string{"viewer"}})
		}
		// Both instances upsert the same rows at the same time.
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, r := range []*usage.Recorder{a, b} {
			wg.Go(func() { errs[i] = r.Flush(context.Background()) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil {
			t.Fatalf("round %d: flush errors %v", round, errs)
		}
	}
	mustEqual(t, "key_1", stored(t, stA, noon, "key_1", 1),
		[]*models.UsageDay{day("2031-06-15", 60, 150, 6, op("contacts", 60, 0), op("deals", 30, 6))})
	mustEqual(t, "key_2", stored(t, stB, noon, "key_2", 1),
		[]*models.UsageDay{day("2031-06-15", 30, 30, 0, op("viewer", 30, 0))})
}

func TestConcurrentRecordAndFlushLoseNothing(t *testing.T) {
	st := testdb.Open(t)
	r := newRecorder(st, noon)
	const goroutines, perGoroutine = 50, 20

	done := make(chan struct{})
	var flushers sync.WaitGroup
	for range 3 {
		flushers.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				if err := r.Flush(context.Background()); err != nil {
					t.Errorf("Flush: %v", err)
					return
				}
			}
		})
	}
	var recorders sync.WaitGroup
	for g := range goroutines {
		recorders.Go(func() {
			for i := range perGoroutine {
				e := usage.Event{KeyID: "key_1", WorkspaceID: "wks_1", At: noon, Cost: 2, Operations: []string{"contacts"}}
				if (g+i)%4 == 0 {
					e.Failed, e.FailedOperations = true, []string{"contacts"}
				}
				r.Record(e)
				if i%5 == 0 { // readers run alongside too
					if _, err := r.Days(systemCtx, "key_1", 1); err != nil {
						t.Errorf("Days: %v", err)
					}
				}
			}
		})
	}
	recorders.Wait()
	close(done)
	flushers.Wait()
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	const calls = goroutines * perGoroutine
	mustEqual(t, "stored", stored(t, st, noon, "key_1", 1),
		[]*models.UsageDay{day("2031-06-15", calls, 2*calls, calls/4, op("contacts", calls, calls/4))})
}

func TestFailedFlushKeepsCounts(t *testing.T) {
	tests := []struct {
		name  string
		table string // taken away during the failing flushes
	}{
		{"first statement fails", "usage_days"},
		{"second statement fails, the first is rolled back", "usage_operations"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := testdb.Open(t)
			exec := func(sql string) {
				t.Helper()
				if err := st.DB().WithContext(systemCtx).Exec(sql).Error; err != nil {
					t.Fatal(err)
				}
			}
			r := newRecorder(st, noon)
			r.Record(usage.Event{KeyID: "key_1", WorkspaceID: "wks_1", At: noon, Cost: 2, Operations: []string{"contacts"}})
			r.Record(usage.Event{KeyID: "key_2", WorkspaceID: "wks_1", At: noon, Cost: 1, Operations: []string{"viewer"}})
			exec("ALTER TABLE " + tt.table + " RENAME TO " + tt.table + "_away")
			for range 2 { // failing again must not double anything either
				if err := r.Flush(context.Background()); err == nil {
					t.Fatalf("Flush without %s succeeded", tt.table)
				}
			}
			// Requests go on while the database is in trouble.
			r.Record(usage.Event{KeyID: "key_1", WorkspaceID: "wks_1", At: noon, Cost: 3, Failed: true,
				Operations: []string{"contacts"}, FailedOperations: []string{"contacts"}})
			exec("ALTER TABLE " + tt.table + "_away RENAME TO " + tt.table)
			for range 2 {
				if err := r.Flush(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			mustEqual(t, "key_1", stored(t, st, noon, "key_1", 1), []*models.UsageDay{day("2031-06-15", 2, 5, 1, op("contacts", 2, 1))})
			mustEqual(t, "key_2", stored(t, st, noon, "key_2", 1), []*models.UsageDay{day("2031-06-15", 1, 1, 0, op("viewer", 1, 0))})
		})
	}

	t.Run("closed store reports unavailable", func(t *testing.T) {
		st := testdb.Open(t)
		_ = st.Close()
		r := newRecorder(st, noon)
		r.Record(usage.Event{KeyID: "key_1", WorkspaceID: "wks_1", At: noon, Cost: 1})
		if err := r.Flush(context.Background()); apperr.CodeOf(err) != apperr.EUNAVAILABLE {
			t.Fatalf("Flush on a closed store: %v", err)
		}
	})
}

func TestDays(t *testing.T) {
	st := testdb.Open(t)
	r := newRecorder(st, noon)
	r.Record(usage.Event{KeyID: "key_1", WorkspaceID: "wks_1", At: noon.AddDate(0, 0, -2), Cost: 4, Operations: []string{"deals"}})
	if err := r.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Not flushed: the caller must still see its own request of a moment ago.
	r.Record(usage.Event{KeyID: "key_1", WorkspaceID: "wks_1", At: noon, Cost: 1, Failed: true, Operations: []string{"viewer"}, FailedOperations: []string{"viewer"}})
	r.Record(usage.Event{KeyID: "key_1", WorkspaceID: "wks_1", At: noon.AddDate(0, 0, -2), Cost: 1, Operations: []string{"contacts"}})

	full := []*models.UsageDay{
		day("2031-06-15", 1, 1, 1, op("viewer", 1, 1)),
		day("2031-06-14", 0, 0, 0),
		day("2031-06-13", 2, 5, 0, op("contacts", 1, 0), op("deals", 1, 0)),
		day("2031-06-12", 0, 0, 0),
	}
	empty := []*models.UsageDay{day("2031-06-15", 0, 0, 0), day("2031-06-14", 0, 0, 0), day("2031-06-13", 0, 0, 0), day("2031-06-12", 0, 0, 0)}
	tests := []struct {
		name string
		ctx  context.Context
		key  string
		days int
		want []*models.UsageDay
		err  apperr.Code
	}{
		{name: "stored and pending, zero-filled, newest first", ctx: systemCtx, key: "key_1", days: 4, want: full},
		{name: "today only", ctx: systemCtx, key: "key_1", days: 1, want: full[:1]},
		{name: "the key's own workspace", ctx: store.WithWorkspace(context.Background(), "wks_1"), key: "key_1", days: 4, want: full},
		{name: "another workspace sees neither stored nor pending usage", ctx: store.WithWorkspace(context.Background(), "wks_2"), key: "key_1", days: 4, want: empty},
		{name: "a key without usage", ctx: systemCtx, key: "key_none", days: 4, want: empty},
		{name: "zero days", ctx: systemCtx, key: "key_1", days: 0, err: apperr.EINVALID},
		{name: "negative days", ctx: systemCtx, key: "key_1", days: -1, err: apperr.EINVALID},
		{name: "more than 90 days", ctx: systemCtx, key: "key_1", days: 91, err: apperr.EINVALID},
		{name: "no scope at all is refused", ctx: context.Background(), key: "key_1", days: 1, err: apperr.EINTERNAL},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Days(tt.ctx, tt.key, tt.days)
			if tt.err != "" {
				if apperr.CodeOf(err) != tt.err {
					t.Fatalf("err = %v, want %s", err, tt.err)
				}
				if e := apperr.As(err); tt.err == apperr.EINVALID && e.Field != "days" {
					t.Fatalf("field = %q", e.Field)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mustEqual(t, "Days", got, tt.want)
		})
	}

	got, err := r.Days(systemCtx, "key_1", usage.MaxDays)
	if err != nil || len(got) != usage.MaxDays || got[0].Date != "2031-06-15" || got[usage.MaxDays-1].Date != "2031-03-18" {
		t.Fatalf("90 days: %d entries, err %v", len(got), err)
	}
	if got[2].Calls != 2 {
		t.Fatalf("90 days: %+v", got[2])
	}
	// A recorder whose clock passed midnight reports the new day as today.
	r.Now = func() time.Time { return time.Date(2031, 6, 16, 0, 0, 0, 0, time.UTC) }
	got, err = r.Days(systemCtx, "key_1", 2)
	if err != nil {
		t.Fatal(err)
	}
	mustEqual(t, "after midnight", got, []*models.UsageDay{day("2031-06-16", 0, 0, 0), full[0]})
}

func TestRunFlushes(t *testing.T) {
	t.Run("on cancel", func(t *testing.T) {
		st := testdb.Open(t)
		r := newRecorder(st, noon)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); r.Run(ctx, time.Hour) }()
		r.Record(usage.Event{KeyID: "key_1", WorkspaceID: "wks_1", At: noon, Cost: 7, Operations: []string{"contacts"}})
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Run did not return after cancel")
		}
		mustEqual(t, "stored", stored(t, st, noon, "key_1", 1), []*models.UsageDay{day("2031-06-15", 1, 7, 0, op("contacts", 1, 0))})
	})

	t.Run("every interval", func(t *testing.T) {
		st := testdb.Open(t)
		r := newRecorder(st, noon)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); r.Run(ctx, 10*time.Millisecond) }()
		defer func() { cancel(); <-done }()
		r.Record(usage.Event{KeyID: "key_1", WorkspaceID: "wks_1", At: noon, Cost: 1, Operations: []string{"viewer"}})
		deadline := time.Now().Add(10 * time.Second)
		for stored(t, st, noon, "key_1", 1)[0].Calls != 1 {
			if time.Now().After(deadline) {
				t.Fatal("nothing flushed while running")
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}

func BenchmarkRecord(b *testing.B) {
	r := newRecorder(nil, noon)
	e := usage.Event{KeyID: "key_1", WorkspaceID: "wks_1", At: noon, Cost: 3, Operations: []string{"contacts", "viewer"}}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			r.Record(e)
		}
	})
}
