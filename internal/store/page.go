package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/models"
)

// PageArgs are a connection's Relay arguments.
type PageArgs struct {
	First  *int
	After  *string
	Last   *int
	Before *string
	// SkipCursors leaves the edges' cursors and the page info's start and end cursors empty:
	// set when the query selects none of them, so a page does not encode a cursor per row.
	SkipCursors bool
}

// PageSize returns the number of items a connection with these arguments returns at most,
// by the one page-size rule (models.PageSize) the cost calculation also prices by.
func (a PageArgs) PageSize() int { return models.PageSize(a.First, a.Last) }

type pageSpec struct {
	limit    int
	backward bool
	cursor   *cursor
}

func (a PageArgs) spec() (pageSpec, error) {
	if a.First != nil && a.Last != nil {
		return pageSpec{}, apperr.Invalid("last", "pass first or last, not both")
	}
	if a.First != nil && a.Before != nil {
		return pageSpec{}, apperr.Invalid("before", "before goes with last; use after with first")
	}
	if a.Last != nil && a.After != nil {
		return pageSpec{}, apperr.Invalid("after", "after goes with first; use before with last")
	}
	spec := pageSpec{limit: models.DefaultPageSize}
	field, raw := "after", a.After
	if a.Last != nil || a.Before != nil {
		spec.backward = true
		field, raw = "before", a.Before
	}
	if n, name := a.First, "first"; n != nil || a.Last != nil {
		if n == nil {
			n, name = a.Last, "last"
		}
		if *n < 0 || *n > models.MaxPageSize {
			return pageSpec{}, apperr.Invalid(name, "%s must be between 0 and %d", name, models.MaxPageSize)
		}
		spec.limit = *n
	}
	if raw != nil {
		c, err := decodeCursor(*raw)
		if err != nil {
			return pageSpec{}, apperr.Invalid(field, "%s is not a cursor from this connection", field)
		}
		spec.cursor = c
	}
	return spec, nil
}

// cursor points just past one row of one ordering.
type cursor struct {
	Order string `json:"o"`
	Value string `json:"v,omitempty"`
	ID    string `json:"i"`
}

func (c cursor) encode() string {
	return base64.RawURLEncoding.EncodeToString(c.appendJSON(nil))
}

// appendJSON appends the cursor's JSON to b. A page encodes a cursor per row; writing the
// JSON by hand keeps that off the profile. Values that would need escaping take the slow path.
func (c cursor) appendJSON(b []byte) []byte {
	if !jsonSafe(c.Order) || !jsonSafe(c.Value) || !jsonSafe(c.ID) {
		j, _ := json.Marshal(c)
		return append(b, j...)
	}
	b = append(b, `{"o":"`...)
	b = append(b, c.Order...)
	if c.Value != "" {
		b = append(b, `","v":"`...)
		b = append(b, c.Value...)
	}
	b = append(b, `","i":"`...)
	b = append(b, c.ID...)
	return append(b, `"}`...)
}

// encodeCursors sets out[i] to the encoding of at(i). The cursors of a page share one buffer
// and one string, of which each is a substring: a few allocations per page instead of two
// per row.
func encodeCursors(out []string, at func(i int) cursor) {
	if len(out) == 0 {
		return
	}
	var raw []byte
	buf := make([]byte, 0, len(out)*96)
	ends := make([]int, len(out))
	for i := range out {
		raw = at(i).appendJSON(raw[:0])
		buf = base64.RawURLEncoding.AppendEncode(buf, raw)
		ends[i] = len(buf)
	}
	all, start := string(buf), 0
	for i, end := range ends {
		out[i], start = all[start:end], end
	}
}

func jsonSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c == 0x7f {
			return false
		}
	}
	return utf8.ValidString(s)
}

func decodeCursor(s string) (*cursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.ID == "" {
		return nil, fmt.Errorf("bad cursor")
	}
	return &c, nil
}

// ordering is a keyset order: an optional column, then the id as the tie-breaker. Ids are
// ULIDs, so ordering by id alone is creation order.
type ordering[T any] struct {
	name   string
	column string // qualified, e.g. "contacts.email"; empty orders by id only
	idCol  string
	desc   bool
	isTime bool
	value  func(*T) string // the row's value of column, as the cursor stores it
	id     func(*T) string
	// rows, when set, reads the page without GORM's reflective scan, selecting selectList.
	rows       *rowScanner[T]
	selectList string
}

type pageResult[T any] struct {
	items []*T
	// cursors are the items' cursors; nil when the query selects none (PageArgs.SkipCursors).
	cursors []string
	info    *models.PageInfo
}

func (p *pageResult[T]) cursor(i int) string {
	if p.cursors == nil {
		return ""
	}
	return p.cursors[i]
}

// edgesOf builds a page's edges in two allocations whatever its length: the edges in one
// slice, the pointers the connection types hold in another.
func edgesOf[T, E any](p *pageResult[T], edge func(cursor string, node *T) E) []*E {
	slab := make([]E, len(p.items))
	out := make([]*E, len(p.items))
	for i, n := range p.items {
		slab[i] = edge(p.cursor(i), n)
		out[i] = &slab[i]
	}
	return out
}

// paginate runs one keyset query: limit+1 rows tell whether another page follows.
func paginate[T any](q *gorm.DB, args PageArgs, ord ordering[T]) (*pageResult[T], error) {
	spec, err := args.spec()
	if err != nil {
		return nil, err
	}
	// Reading backwards is reading the reversed order forwards, then flipping the rows.
	desc := ord.desc != spec.backward
	if c := spec.cursor; c != nil {
		field := "after"
		if spec.backward {
			field = "before"
		}
		if c.Order != ord.name {
			return nil, apperr.Invalid(field, "%s is a cursor of another ordering", field)
		}
		op := ">"
		if desc {
			op = "<"
		}
		if ord.column == "" {
			q = q.Where(ord.idCol+" "+op+" ?", c.ID)
		} else {
			var v any = c.Value
			if ord.isTime {
				t, err := time.Parse(time.RFC3339Nano, c.Value)
				if err != nil {
					return nil, apperr.Invalid(field, "%s is not a cursor from this connection", field)
				}
				v = t
			}
			// A row comparison, not "col > v OR (col = v AND id > x)": both databases take it
			// as the bound of an index on (workspace_id, col, id) and start the scan at the
			// cursor; the OR form is a filter over the index walked from its start. The
			// ordering columns are NOT NULL (TestOrderingColumnsAreNotNull), so the
			// comparison never meets a NULL.
			q = q.Where("("+ord.column+", "+ord.idCol+") "+op+" (?, ?)", v, c.ID)
		}
	}
	if spec.limit == 0 { // nothing to read, but the cursor still says what lies before or after it
		return &pageResult[T]{info: &models.PageInfo{
			HasPreviousPage: spec.cursor != nil && !spec.backward,
			HasNextPage:     spec.cursor != nil && spec.backward,
		}}, nil
	}
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	if ord.column != "" {
		q = q.Order(ord.column + dir)
	}
	q = q.Order(ord.idCol + dir).Limit(spec.limit + 1)
	var rows []*T
	if ord.rows != nil {
		var err error
		if rows, err = ord.rows.scanAll(q.Select(ord.selectList), spec.limit+1, nil, nil); err != nil {
			return nil, err
		}
	} else if err := q.Find(&rows).Error; err != nil {
		return nil, err
	}
	more := len(rows) > spec.limit
	if more {
		rows = rows[:spec.limit]
	}
	if spec.backward {
		for i, j := 0, len(rows)-1; i < j; i, j = i+1, j-1 {
			rows[i], rows[j] = rows[j], rows[i]
		}
	}
	res := &pageResult[T]{items: rows, info: &models.PageInfo{}}
	if !args.SkipCursors {
		res.cursors = make([]string, len(rows))
		encodeCursors(res.cursors, func(i int) cursor {
			c := cursor{Order: ord.name, ID: ord.id(rows[i])}
			if ord.value != nil {
				c.Value = ord.value(rows[i])
			}
			return c
		})
		if len(rows) > 0 {
			res.info.StartCursor = &res.cursors[0]
			res.info.EndCursor = &res.cursors[len(rows)-1]
		}
	}
	if spec.backward {
		res.info.HasPreviousPage = more
		res.info.HasNextPage = spec.cursor != nil
	} else {
		res.info.HasNextPage = more
		res.info.HasPreviousPage = spec.cursor != nil
	}
	return res, nil
}

func timeCursor(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// Validate checks the arguments without running a query.
func (a PageArgs) Validate() error {
	_, err := a.spec()
	return err
}
