package store

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
	"unsafe"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"

	"github.com/wbk/crm/models"
)

// The hot reads (scanAll: a page of contacts, the nested lists and deals, the key lookup) read
// their rows on PostgreSQL through pgx itself instead of database/sql. database/sql makes the
// driver turn every column into a driver.Value first: a string column costs two allocations
// (the string and its interface box) and a timestamp one, before the value is copied into its
// destination; pgx scans straight into the destination, with one allocation per string and
// none for times and numbers. That is most of the store's allocations on the dashboard read.
//
// GORM still builds the statement (a dry run of its query callbacks, so the tenant scope in
// tenant.go applies exactly as to every other statement), the SQL logger still sees it, and a
// read that failed on a broken pooled connection is retried once as registerReadRetry does.
// Reads inside a transaction keep database/sql: its connection belongs to the transaction.

// rowSource is what scanAll reads rows from: *sql.Rows or pgx.Rows.
type rowSource interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// readRows reads a statement's rows from src. destFor, when set, may replace a row's
// destinations (dest, in the statement's column order) before they are scanned.
type readRows func(src rowSource, destFor func(dest []any)) error

const nativeReadsName = "store:native_reads"

// nativeReads is registered as a GORM plugin on PostgreSQL stores, so that a statement can
// find the pool it may read from natively.
type nativeReads struct {
	pool     *sql.DB
	dropIdle func()
}

func (*nativeReads) Name() string              { return nativeReadsName }
func (*nativeReads) Initialize(*gorm.DB) error { return nil }

// nativeReadsFor returns the native reader q may use, or nil: on SQLite, and in a
// transaction (a write's or a request's), whose connection database/sql holds.
func nativeReadsFor(q *gorm.DB) *nativeReads {
	nr, ok := q.Config.Plugins[nativeReadsName].(*nativeReads)
	if !ok {
		return nil
	}
	if _, inTx := q.Statement.ConnPool.(gorm.TxCommitter); inTx || requestTxFrom(q.Statement.Context) != nil {
		return nil
	}
	return nr
}

// query builds q's SELECT through GORM's callbacks without running it, runs it with pgx and
// hands its rows to read. model is a destination of q's row type for GORM's dry run; no row
// is read into it.
func (nr *nativeReads) query(q *gorm.DB, model any, read readRows) error {
	built := q.Session(&gorm.Session{DryRun: true, Logger: logger.Discard}).Find(model)
	if built.Error != nil {
		return built.Error
	}
	ctx := built.Statement.Context
	text, vars := built.Statement.SQL.String(), built.Statement.Vars
	args := vars
	for i, v := range vars {
		if a, ok := v.(textArray); ok {
			if &args[0] == &vars[0] {
				args = slices.Clone(vars) // the logger below writes vars, as database/sql sends them
			}
			args[i] = []string(a) // pgx writes it as a binary text[] without a detour through text
		}
	}
	begin := time.Now()
	n, err := nr.run(ctx, text, args, read)
	if err != nil && n == 0 && isBrokenConnection(err) {
		// As registerReadRetry: nothing was read, the idle connections are most likely as dead
		// as this one, and a fresh connection answers if the database does.
		nr.dropIdle()
		n, err = nr.run(ctx, text, args, read)
	}
	q.Logger.Trace(ctx, begin, func() (string, int64) { return q.Dialector.Explain(text, vars...), n }, err)
	return err
}

// run runs one statement on a pooled connection and returns the number of rows read.
func (nr *nativeReads) run(ctx context.Context, text string, vars []any, read readRows) (int64, error) {
	conn, err := nr.pool.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	counted := &countedRows{}
	err = conn.Raw(func(driverConn any) error {
		rows, err := driverConn.(*stdlib.Conn).Conn().Query(ctx, text, vars...)
		if err != nil {
			return err
		}
		defer rows.Close()
		counted.rowSource = rows
		if err := read(counted, textColumns(rows.FieldDescriptions())); err != nil {
			return err
		}
		rows.Close()
		return rows.Err()
	})
	return counted.n, err
}

// countedRows counts the rows read, so that a failed statement is retried only when none were.
type countedRows struct {
	rowSource
	n int64
}

func (c *countedRows) Next() bool {
	if !c.rowSource.Next() {
		return false
	}
	c.n++
	return true
}

// textColumns returns the destFor that reads a statement's text columns into one arena: a
// *string or **string destination of a text column receives a string of the arena instead of
// a string allocated for it, so a page's text costs a few allocations instead of one per
// column and row. Consecutive equal values of a column (the workspace id, a nested page's
// parent id) share one string.
func textColumns(fields []pgconn.FieldDescription) func(dest []any) {
	var cols []arenaText
	arena := &textArena{}
	for i, f := range fields {
		if f.DataTypeOID == pgtype.TextOID || f.DataTypeOID == pgtype.VarcharOID {
			if cols == nil {
				cols = make([]arenaText, len(fields))
			}
			cols[i].arena = arena
		}
	}
	if cols == nil {
		return nil
	}
	return func(dest []any) {
		for i := range dest {
			col := &cols[i]
			if col.arena == nil {
				continue
			}
			switch d := dest[i].(type) {
			case *string:
				col.str, col.ptr, col.list = d, nil, nil
				dest[i] = col
			case **string:
				col.str, col.ptr, col.list = nil, d, nil
				dest[i] = col
			case *models.StringList:
				col.str, col.ptr, col.list = nil, nil, d
				dest[i] = col
			}
		}
	}
}

// arenaText is the destination of one text column: the current row's *string, **string or
// *models.StringList (a JSON array in a text column: a contact's tags).
type arenaText struct {
	arena *textArena
	str   *string
	ptr   **string
	list  *models.StringList
	last  string // the column's previous value
}

var errNullText = errors.New("store: NULL in a column read into a string")

// ScanBytes is pgtype.BytesScanner: pgx hands the column's bytes over without copying them;
// they are valid until the next row.
func (t *arenaText) ScanBytes(b []byte) error {
	if t.list != nil {
		return t.scanList(b)
	}
	if b == nil { // NULL
		if t.ptr == nil {
			return errNullText
		}
		*t.ptr = nil
		return nil
	}
	if string(b) != t.last {
		t.last = t.arena.text(b)
	}
	if t.ptr != nil {
		*t.ptr = t.arena.pointer(t.last)
	} else {
		*t.str = t.last
	}
	return nil
}

// scanList reads a JSON array of strings. Arrays as the store writes them (json.Marshal of
// strings that need no escaping) become substrings of one arena string, with one allocation
// for the slice; anything else is left to models.StringList.Scan.
func (t *arenaText) scanList(b []byte) error {
	if b == nil { // NULL
		return t.list.Scan(nil)
	}
	n, plain := plainStringArray(b)
	if !plain {
		return t.list.Scan(b)
	}
	text := t.arena.text(b)
	list := make(models.StringList, 0, n)
	for i := 1; len(list) < n; {
		end := i + 1 + strings.IndexByte(text[i+1:], '"')
		list = append(list, text[i+1:end])
		i = end + 2 // past the closing quote and the comma
	}
	*t.list = list
	return nil
}

// plainStringArray reports whether b is a JSON array of strings without escapes or control
// characters, written without spaces, and how many strings it holds.
func plainStringArray(b []byte) (n int, ok bool) {
	if len(b) < 2 || b[0] != '[' || b[len(b)-1] != ']' || !utf8.Valid(b) {
		return 0, false
	}
	body := b[1 : len(b)-1]
	for i := 0; i < len(body); {
		if body[i] != '"' {
			return 0, false
		}
		j := i + 1
		for ; j < len(body) && body[j] != '"'; j++ {
			if body[j] == '\\' || body[j] < 0x20 {
				return 0, false
			}
		}
		if j == len(body) {
			return 0, false
		}
		n++
		i = j + 1
		if i < len(body) {
			if body[i] != ',' || i == len(body)-1 {
				return 0, false
			}
			i++
		}
	}
	return n, true
}

// textArena holds the text of one statement's rows in a few large chunks. Its strings point
// into the chunks (unsafe.String): that is safe because a chunk's bytes are never written
// again once a string points at them; a value that does not fit starts a new chunk instead of
// growing the old one. A chunk lives as long as any string of it, which for a page's rows is
// as long as the request that reads them.
type textArena struct {
	chunk   []byte
	strings []string // the targets of **string destinations, also in chunks
}

const (
	minTextChunk = 256
	maxTextChunk = 32 << 10
)

func (a *textArena) text(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if cap(a.chunk)-len(a.chunk) < len(b) {
		size := min(max(2*cap(a.chunk), minTextChunk), maxTextChunk)
		a.chunk = make([]byte, 0, max(size, len(b)))
	}
	start := len(a.chunk)
	a.chunk = append(a.chunk, b...)
	return unsafe.String(&a.chunk[start], len(b))
}

// pointer returns a new *string holding s; the strings are allocated in chunks too.
func (a *textArena) pointer(s string) *string {
	if len(a.strings) == cap(a.strings) {
		a.strings = make([]string, 0, min(max(2*cap(a.strings), 16), 256))
	}
	a.strings = append(a.strings, s)
	return &a.strings[len(a.strings)-1]
}
