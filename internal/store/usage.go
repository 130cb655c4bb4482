package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wbk/crm/models"
)

// UsageDateLayout is the layout of usage dates: the UTC day, YYYY-MM-DD.
const UsageDateLayout = "2006-01-02"

// OperationCount is the calls and errors of one root field.
type OperationCount struct {
	Calls, Errors int64
}

// UsageDelta is what to add to one key's counters for one UTC day.
type UsageDelta struct {
	WorkspaceID string
	KeyID       string
	Date        string // YYYY-MM-DD
	Calls       int64
	Cost        int64
	Errors      int64
	Operations  map[string]OperationCount
	// LastUsed, when set, is written as the key's lastUsedAt in the same transaction.
	LastUsed time.Time
}

// UsageDayRow is one key's stored usage on one day.
type UsageDayRow struct {
	Date       string
	Calls      int64
	Cost       int64
	Errors     int64
	Operations map[string]OperationCount
}

// AddUsage adds deltas to the stored counters in one transaction. The upserts are additive
// so that several server instances flushing the same key and day add up instead of
// overwriting each other. A flush carries many workspaces' keys, so it runs as the system;
// every row names its workspace.
func (s *Store) AddUsage(ctx context.Context, deltas []UsageDelta) error {
	days, ops, err := usageRows(deltas)
	if err != nil || len(days) == 0 {
		return err
	}
	sum := func(table string, cols ...string) clause.Set {
		set := make(clause.Set, len(cols))
		for i, c := range cols {
			set[i] = clause.Assignment{Column: clause.Column{Name: c},
				Value: gorm.Expr(table + "." + c + " + excluded." + c)}
		}
		return set
	}
	daysConflict := clause.OnConflict{
		Columns:   []clause.Column{{Name: "key_id"}, {Name: "date"}},
		DoUpdates: sum("usage_days", "calls", "cost", "errors"),
	}
	opsConflict := clause.OnConflict{
		Columns:   []clause.Column{{Name: "key_id"}, {Name: "date"}, {Name: "operation"}},
		DoUpdates: sum("usage_operations", "calls", "errors"),
	}
	lastUsed := map[string]time.Time{}
	for _, d := range deltas {
		if d.LastUsed.After(lastUsed[d.KeyID]) {
			lastUsed[d.KeyID] = d.LastUsed
		}
	}
	return s.write(AsSystem(ctx), func(tx *gorm.DB) error {
		if err := touchAPIKeys(tx, lastUsed); err != nil {
			return err
		}
		for _, b := range batches(len(days)) {
			if err := tx.Clauses(daysConflict).Create(days[b[0]:b[1]]).Error; err != nil {
				return err
			}
		}
		for _, b := range batches(len(ops)) {
			if err := tx.Clauses(opsConflict).Create(ops[b[0]:b[1]]).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// usageRows turns deltas into rows, one per primary key and in primary-key order. PostgreSQL
// refuses an INSERT … ON CONFLICT that touches one row twice, and instances that lock rows in
// the same order cannot deadlock each other.
func usageRows(deltas []UsageDelta) ([]models.UsageDayRecord, []models.UsageOperationRecord, error) {
	type dayKey struct{ key, date string }
	type opKey struct{ key, date, op string }
	dayIdx := map[dayKey]int{}
	opIdx := map[opKey]int{}
	var days []models.UsageDayRecord
	var ops []models.UsageOperationRecord
	for _, d := range deltas {
		if d.WorkspaceID == "" || d.KeyID == "" {
			return nil, nil, fmt.Errorf("usage delta without workspace or key: %+v", d)
		}
		if _, err := time.Parse(UsageDateLayout, d.Date); err != nil {
			return nil, nil, fmt.Errorf("usage delta for key %s: date %q is not YYYY-MM-DD", d.KeyID, d.Date)
		}
		dk := dayKey{d.KeyID, d.Date}
		i, ok := dayIdx[dk]
		if !ok {
			i = len(days)
			dayIdx[dk] = i
			days = append(days, models.UsageDayRecord{WorkspaceID: d.WorkspaceID, KeyID: d.KeyID, Date: d.Date})
		}
		days[i].Calls += d.Calls
		days[i].Cost += d.Cost
		days[i].Errors += d.Errors
		for name, c := range d.Operations {
			k := opKey{d.KeyID, d.Date, name}
			j, seen := opIdx[k]
			if !seen {
				j = len(ops)
				opIdx[k] = j
				ops = append(ops, models.UsageOperationRecord{WorkspaceID: d.WorkspaceID, KeyID: d.KeyID, Date: d.Date, Operation: name})
			}
			ops[j].Calls += c.Calls
			ops[j].Errors += c.Errors
		}
	}
	slices.SortFunc(days, func(a, b models.UsageDayRecord) int {
		return cmp.Or(cmp.Compare(a.KeyID, b.KeyID), cmp.Compare(a.Date, b.Date))
	})
	slices.SortFunc(ops, func(a, b models.UsageOperationRecord) int {
		return cmp.Or(cmp.Compare(a.KeyID, b.KeyID), cmp.Compare(a.Date, b.Date), cmp.Compare(a.Operation, b.Operation))
	})
	return days, ops, nil
}

// maxBatch bounds the rows of one INSERT (6 parameters a row stays far below both databases'
// parameter limits).
const maxBatch = 256

// batches cuts n rows into [from, to) ranges whose lengths are powers of two up to maxBatch.
// Statements are prepared and cached per distinct SQL text, and a multi-row INSERT's text
// depends on its row count: power-of-two batches keep that cache at a few shapes per table
// instead of one per batch size ever flushed.
func batches(n int) [][2]int {
	var out [][2]int
	for from := 0; from < n; {
		size := maxBatch
		for size > n-from {
			size /= 2
		}
		out = append(out, [2]int{from, from + size})
		from += size
	}
	return out
}

// UsageDays reads a key's stored usage from one day to another (YYYY-MM-DD, both included),
// newest first; days without a row are left out. A context scoped to a workspace sees only
// that workspace's rows (GraphQL); the admin CLI reads with a system context. The days and
// their operations are two statements, so a flush of another instance that commits between
// them may show in the operations before it shows in the day's totals.
func (s *Store) UsageDays(ctx context.Context, keyID, from, to string) ([]UsageDayRow, error) {
	db := s.read(ctx)
	var days []models.UsageDayRecord
	err := db.Where("key_id = ? AND date >= ? AND date <= ?", keyID, from, to).Order("date DESC").Find(&days).Error
	if err != nil {
		return nil, s.translate(err)
	}
	if len(days) == 0 {
		return nil, nil
	}
	var ops []models.UsageOperationRecord
	err = db.Where("key_id = ? AND date >= ? AND date <= ?", keyID, from, to).Find(&ops).Error
	if err != nil {
		return nil, s.translate(err)
	}
	out := make([]UsageDayRow, len(days))
	byDate := make(map[string]*UsageDayRow, len(days))
	for i, d := range days {
		out[i] = UsageDayRow{Date: d.Date, Calls: d.Calls, Cost: d.Cost, Errors: d.Errors, Operations: map[string]OperationCount{}}
		byDate[d.Date] = &out[i]
	}
	for _, o := range ops {
		if d := byDate[o.Date]; d != nil {
			d.Operations[o.Operation] = OperationCount{Calls: o.Calls, Errors: o.Errors}
		}
	}
	return out, nil
}
