package store

import (
	"context"
	"sync"

	"gorm.io/gorm"

	"github.com/wbk/crm/models"
)

// CountCap is where a filtered totalCount stops counting: it reports CountCap and says it is
// not exact. Unfiltered totals, a list's members and the contacts with one tag are kept as
// counts (row_counts, migrate_scale.go) and always exact.
const CountCap = 10_000

// RowCount is one counter row of row_counts: part of the number of rows of one scope of a
// workspace. Only the triggers write it.
type RowCount struct {
	WorkspaceID string `gorm:"primaryKey"`
	Scope       string `gorm:"primaryKey"`
	Slot        int    `gorm:"primaryKey"`
	N           int64
}

func (RowCount) TableName() string { return "row_counts" }

// count says how a connection's totalCount is counted: from the kept counts of scope when it
// is set (an expression when scopeSQL is set: "'tag:' || lower(?)"), else by counting the
// rows of model that filter keeps, up to CountCap.
type count struct {
	model    any
	filter   func(*gorm.DB) *gorm.DB
	scope    string
	scopeSQL string
	vars     []any
}

// counted is a count run once, when a query first asks for the total or its exactness.
type counted struct {
	once  sync.Once
	n     int
	exact bool
	err   error
}

// counter returns a connection's totalCount and totalCountIsExact, run only if the query
// selects one of them and then once for both.
func (s *Store) counter(c count) (models.Counter, models.Exactness) {
	r := &counted{}
	get := func(ctx context.Context) {
		r.once.Do(func() { r.n, r.exact, r.err = s.countRows(ctx, c) })
	}
	return func(ctx context.Context) (int, error) {
			get(ctx)
			return r.n, r.err
		}, func(ctx context.Context) (bool, error) {
			get(ctx)
			return r.exact, r.err
		}
}

func (s *Store) countRows(ctx context.Context, c count) (int, bool, error) {
	if c.scope != "" || c.scopeSQL != "" {
		n, err := s.keptCount(ctx, c)
		return n, true, err
	}
	var n int64
	inner := s.read(ctx).Model(c.model).Scopes(c.filter).Select("1").Limit(CountCap + 1)
	err := s.read(ctx).Table("(?) AS t", inner).Count(&n).Error
	if err != nil {
		return 0, false, s.translate(err)
	}
	if n > CountCap {
		return CountCap, false, nil
	}
	return int(n), true, nil
}

// keptCount sums the counter rows of one scope.
func (s *Store) keptCount(ctx context.Context, c count) (int, error) {
	var n int64
	q := s.read(ctx).Model(&RowCount{}).Select("COALESCE(SUM(n), 0)")
	if c.scopeSQL != "" {
		q = q.Where("scope = "+c.scopeSQL, c.vars...)
	} else {
		q = q.Where("scope = ?", c.scope)
	}
	unlock := lockRequestTx(ctx) // Scan reads its row after GORM's callbacks
	defer unlock()
	err := q.Scan(&n).Error
	return int(n), s.translate(err)
}

// keptCounts sums the counter rows of many scopes: scope → count, absent when zero.
func (s *Store) keptCounts(ctx context.Context, scopes []string) (map[string]int, error) {
	var rows []struct {
		Scope string
		N     int
	}
	q := s.read(ctx).Model(&RowCount{}).Select("scope, SUM(n) AS n")
	if s.dialect == Postgres {
		q = q.Where("scope = ANY(?)", textArray(scopes))
	} else {
		q = q.Where("scope IN ?", scopes)
	}
	unlock := lockRequestTx(ctx)
	defer unlock()
	if err := q.Group("scope").Scan(&rows).Error; err != nil {
		return nil, s.translate(err)
	}
	out := make(map[string]int, len(rows))
	for _, r := range rows {
		out[r.Scope] = r.N
	}
	return out, nil
}
