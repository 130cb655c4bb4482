package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
)

func TestAddUsageIsAdditive(t *testing.T) {
	st := testdb.Open(t)
	ctx := context.Background()
	ops := func(kv ...any) map[string]store.OperationCount {
		m := map[string]store.OperationCount{}
		for i := 0; i < len(kv); i += 3 {
			m[kv[i].(string)] = store.OperationCount{Calls: int64(kv[i+1].(int)), Errors: int64(kv[i+2].(int))}
		}
		return m
	}
	flushes := [][]store.UsageDelta{
		{
			{WorkspaceID: "wks_a", KeyID: "key_a", Date: "2031-03-01", Calls: 3, Cost: 12, Errors: 1, Operations: ops("contacts", 2, 1, "viewer", 1, 0)},
			{WorkspaceID: "wks_a", KeyID: "key_a", Date: "2031-03-02", Calls: 1, Cost: 1, Operations: ops("viewer", 1, 0)},
			{WorkspaceID: "wks_b", KeyID: "key_b", Date: "2031-03-02", Calls: 5, Cost: 5, Operations: ops("deals", 5, 0)},
		},
		{
			// The same key and day twice in one flush: PostgreSQL refuses an upsert that
			// touches a row twice, so the store must merge them.
			{WorkspaceID: "wks_a", KeyID: "key_a", Date: "2031-03-02", Calls: 2, Cost: 4, Errors: 2, Operations: ops("createContact", 2, 2)},
			{WorkspaceID: "wks_a", KeyID: "key_a", Date: "2031-03-02", Calls: 1, Cost: 1, Operations: ops("viewer", 1, 0)},
		},
	}
	for _, f := range flushes {
		if err := st.AddUsage(ctx, f); err != nil {
			t.Fatalf("AddUsage: %v", err)
		}
	}

	got, err := st.UsageDays(store.AsSystem(ctx), "key_a", "2031-03-01", "2031-03-02")
	if err != nil {
		t.Fatal(err)
	}
	want := []store.UsageDayRow{
		{Date: "2031-03-02", Calls: 4, Cost: 6, Errors: 2, Operations: ops("viewer", 2, 0, "createContact", 2, 2)},
		{Date: "2031-03-01", Calls: 3, Cost: 12, Errors: 1, Operations: ops("contacts", 2, 1, "viewer", 1, 0)},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("UsageDays:\n got %+v\nwant %+v", got, want)
	}

	tests := []struct {
		name     string
		ctx      context.Context
		from, to string
		dates    []string
	}{
		{"own workspace", store.WithWorkspace(ctx, "wks_a"), "2031-03-01", "2031-03-02", []string{"2031-03-02", "2031-03-01"}},
		{"other workspace sees nothing", store.WithWorkspace(ctx, "wks_b"), "2031-03-01", "2031-03-02", nil},
		{"range is inclusive", store.AsSystem(ctx), "2031-03-02", "2031-03-02", []string{"2031-03-02"}},
		{"range before any usage", store.AsSystem(ctx), "2031-02-01", "2031-02-28", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := st.UsageDays(tt.ctx, "key_a", tt.from, tt.to)
			if err != nil {
				t.Fatal(err)
			}
			var dates []string
			for _, r := range rows {
				dates = append(dates, r.Date)
			}
			if !reflect.DeepEqual(dates, tt.dates) {
				t.Fatalf("dates = %v, want %v", dates, tt.dates)
			}
		})
	}

	if _, err := st.UsageDays(ctx, "key_a", "2031-03-01", "2031-03-02"); err == nil {
		t.Fatal("a read without a workspace or system scope succeeded; the tenant guard must refuse it")
	}
}

func TestAddUsageManyRows(t *testing.T) {
	st := testdb.Open(t)
	ctx := context.Background()
	// More rows than one INSERT batch holds, and a count that is not a power of two.
	const keys = 301
	var deltas []store.UsageDelta
	for i := range keys {
		deltas = append(deltas, store.UsageDelta{WorkspaceID: "wks_m", KeyID: fmt.Sprintf("key_%03d", i), Date: "2031-05-05",
			Calls: 2, Cost: 3, Errors: 1, Operations: map[string]store.OperationCount{"contacts": {Calls: 1, Errors: 1}, "viewer": {Calls: 1}}})
	}
	for range 2 {
		if err := st.AddUsage(ctx, deltas); err != nil {
			t.Fatal(err)
		}
	}
	var total struct{ Calls, Cost, Errors, Rows int64 }
	if err := st.DB().WithContext(store.AsSystem(ctx)).Raw("SELECT SUM(calls) AS calls, SUM(cost) AS cost, SUM(errors) AS errors, COUNT(*) AS rows FROM usage_days").Scan(&total).Error; err != nil {
		t.Fatal(err)
	}
	if total.Calls != 4*keys || total.Cost != 6*keys || total.Errors != 2*keys || total.Rows != keys {
		t.Fatalf("usage_days totals = %+v", total)
	}
	var opRows int64
	if err := st.DB().WithContext(store.AsSystem(ctx)).Raw("SELECT COUNT(*) FROM usage_operations WHERE calls = 2").Scan(&opRows).Error; err != nil {
		t.Fatal(err)
	}
	if opRows != 2*keys {
		t.Fatalf("usage_operations rows with 2 calls = %d, want %d", opRows, 2*keys)
	}
}

func TestAddUsageRejectsIncompleteDeltas(t *testing.T) {
	st := testdb.Open(t)
	for _, d := range []store.UsageDelta{
		{KeyID: "key_x", Date: "2031-01-01", Calls: 1},
		{WorkspaceID: "wks_x", Date: "2031-01-01", Calls: 1},
		{WorkspaceID: "wks_x", KeyID: "key_x", Date: "01/01/2031", Calls: 1},
	} {
		if err := st.AddUsage(context.Background(), []store.UsageDelta{d}); err == nil {
			t.Errorf("AddUsage(%+v) succeeded", d)
		}
	}
	if err := st.AddUsage(context.Background(), nil); err != nil {
		t.Fatalf("empty flush: %v", err)
	}
	// A closed database is reported as unavailable, which the recorder retries.
	_ = st.Close()
	err := st.AddUsage(context.Background(), []store.UsageDelta{{WorkspaceID: "wks_x", KeyID: "key_x", Date: "2031-01-01", Calls: 1}})
	if apperr.CodeOf(err) != apperr.EUNAVAILABLE {
		t.Fatalf("AddUsage on a closed store: %v", err)
	}
}
