package store_test

import (
	"context"
	"crypto/md5"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"gorm.io/gorm/logger"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// statementLog records the statements a store sends, with their arguments written in.
type statementLog struct {
	mu   sync.Mutex
	sqls []string
}

func (l *statementLog) LogMode(logger.LogLevel) logger.Interface { return l }
func (*statementLog) Info(context.Context, string, ...any)       {}
func (*statementLog) Warn(context.Context, string, ...any)       {}
func (*statementLog) Error(context.Context, string, ...any)      {}
func (l *statementLog) Trace(_ context.Context, _ time.Time, fc func() (string, int64), _ error) {
	sql, _ := fc()
	l.mu.Lock()
	l.sqls = append(l.sqls, sql)
	l.mu.Unlock()
}

func (l *statementLog) take() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := l.sqls
	l.sqls = nil
	return out
}

// The sizes of the workspaces of TestReadsUseIndexesAtScale.
const (
	scalePlanRows = 100_000
	smallRows     = 500
)

// seedScale fills a workspace with n contacts in SQL, numbered from+1 on: last names "Smith0".."Miller19" (a
// search for "smith" matches a fifth), tags vip (20 %) and partner (1 %), five lists of n/5
// members each (and n/5 - 5 lists without members), a deal for every second contact.
func seedScale(t *testing.T, st *store.Store, ws string, from, n int) {
	t.Helper()
	db := st.DB().WithContext(store.AsSystem(context.Background()))
	for _, q := range []string{
		`INSERT INTO contacts (id, workspace_id, email, first_name, last_name, company, title, tags, created_at, updated_at)
		 SELECT 'ctc_' || lpad((@from + i)::text, 26, '0'), @ws, 'person' || (@from + i) || '@' || (ARRAY['apex','blue','cedar'])[1 + i % 3] || '.example.com',
		        (ARRAY['James','Mary','John','Linda'])[1 + i % 4], (ARRAY['Smith','Jones','Brown','Garcia','Miller'])[1 + (i / 7) % 5] || (i % 20),
		        'Company ' || (i % 500), 'Engineer', '[]', ts, ts + (i % 997) * interval '1 s'
		 FROM generate_series(1, @n) i, LATERAL (SELECT timestamptz '2024-01-01 00:00:00+00' + i * interval '1 minute' AS ts) t`,
		`INSERT INTO contact_tags (workspace_id, tag, contact_id)
		 SELECT @ws, CASE WHEN i % 5 = 0 THEN 'vip' ELSE 'partner' END, 'ctc_' || lpad((@from + i)::text, 26, '0')
		 FROM generate_series(1, @n) i WHERE i % 5 = 0 OR i % 100 = 1`,
		`INSERT INTO lists (id, workspace_id, name, created_at, updated_at)
		 SELECT 'lst_' || right(@ws, 10) || lpad(k::text, 16, '0'), @ws, 'List ' || md5(k::text), now(), now() FROM generate_series(1, @n / 5) k`,
		`INSERT INTO list_memberships (workspace_id, list_id, contact_id, created_at)
		 SELECT @ws, 'lst_' || right(@ws, 10) || lpad((1 + i % 5)::text, 16, '0'), 'ctc_' || lpad((@from + i)::text, 26, '0'), now()
		 FROM generate_series(1, @n) i`,
		`INSERT INTO deals (id, workspace_id, title, amount, currency, stage, contact_id, created_at, updated_at)
		 SELECT 'dea_' || lpad((@from + i)::text, 26, '0'), @ws, 'Deal ' || i, i, 'USD', (ARRAY['LEAD','WON','LOST'])[1 + i % 3],
		        'ctc_' || lpad((@from + i)::text, 26, '0'), now(), now()
		 FROM generate_series(2, @n, 2) i`,
	} {
		if err := db.Exec(q, map[string]any{"ws": ws, "n": n, "from": from}).Error; err != nil {
			t.Fatalf("seed: %v\n%s", err, q)
		}
	}
}

// TestReadsUseIndexesAtScale: on a workspace of 100,000 contacts beside a small one, every
// statement that search, each ordering's cursor, the nested pages and the counts send is
// planned (as PostgreSQL plans it for these arguments) with indexes and without a sequential
// scan of a workspace table.
func TestReadsUseIndexesAtScale(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 100,000 contacts")
	}
	log := &statementLog{}
	st := testdb.Open(t, testdb.Options{SQLLogger: log})
	if st.Dialect() != store.Postgres {
		t.Skip("plans are PostgreSQL's; SQLite scans")
	}
	ctx := context.Background()
	big, err := st.CreateWorkspace(ctx, "Big", models.PlanOrg)
	if err != nil {
		t.Fatal(err)
	}
	small, err := st.CreateWorkspace(ctx, "Small", models.PlanOrg)
	if err != nil {
		t.Fatal(err)
	}
	seedScale(t, st, big.ID, 0, scalePlanRows)
	seedScale(t, st, small.ID, scalePlanRows, smallRows)
	sys := st.DB().WithContext(store.AsSystem(ctx))
	// VACUUM too: rows inserted into a GIN index wait in its pending list until a vacuum, and
	// the planner prices a search by that list, which autovacuum would have emptied by now.
	if err := sys.Exec("VACUUM ANALYZE contacts, contact_tags, lists, list_memberships, deals, row_counts").Error; err != nil {
		t.Fatal(err)
	}
	wctx := store.WithWorkspace(ctx, big.ID)

	var listIDs, contactIDs []string
	if err := sys.Raw("SELECT id FROM lists WHERE workspace_id = ? ORDER BY id LIMIT 5", big.ID).Scan(&listIDs).Error; err != nil {
		t.Fatal(err)
	}
	if err := sys.Raw("SELECT id FROM contacts WHERE workspace_id = ? ORDER BY id DESC LIMIT 50", big.ID).Scan(&contactIDs).Error; err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	n := func(i int) *int { return &i }
	page := func(order *models.ContactOrder, filter *models.ContactFilter, after *string) *models.ContactConnection {
		t.Helper()
		conn, err := st.Contacts(wctx, store.PageArgs{First: n(50), After: after}, filter, order)
		if err != nil {
			t.Fatal(err)
		}
		return conn
	}
	// Each shape runs its statements; each statement is then planned and run under EXPLAIN
	// ANALYZE, and the rows its scans read (rows × loops of every node that reads a table,
	// those its filters dropped included)
	// must stay within maxRows: what the page, the count or the nested pages need, not what
	// the workspace holds.
	type shape struct {
		name    string
		maxRows int
		run     func()
	}
	// A page may read a few hundred rows past its own: the planner may walk the primary key
	// and step over the small workspace's rows, or merge a list's members with the contacts.
	const pageRows = 2 * smallRows
	var shapes []shape
	columns := map[models.ContactOrderField]string{models.ContactOrderFieldCreatedAt: "id", models.ContactOrderFieldUpdatedAt: "updated_at",
		models.ContactOrderFieldEmail: "email", models.ContactOrderFieldLastName: "last_name"}
	for _, field := range models.AllContactOrderField {
		for _, dir := range models.AllOrderDirection {
			order := &models.ContactOrder{Field: field, Direction: dir}
			shapes = append(shapes, shape{fmt.Sprintf("cursor at 90 %% by %s %s", field, dir), pageRows, func() {
				// The row at 90 % of the ordering, and its cursor as a page would have given it.
				var id string
				q := fmt.Sprintf("SELECT id FROM contacts WHERE workspace_id = ? ORDER BY %s %s, id %s OFFSET ? LIMIT 1", columns[field], dir, dir)
				if err := sys.Raw(q, big.ID, scalePlanRows*9/10).Scan(&id).Error; err != nil {
					t.Fatal(err)
				}
				c, err := st.Contact(wctx, id)
				if err != nil {
					t.Fatal(err)
				}
				log.take()
				after := store.ContactCursor(field, c)
				if got := page(order, nil, &after); len(got.Edges) != 50 {
					t.Fatalf("%d contacts after the cursor, want 50", len(got.Edges))
				}
			}})
		}
	}
	count := func(conn *models.ContactConnection) {
		t.Helper()
		if _, err := conn.Count(wctx); err != nil {
			t.Fatal(err)
		}
	}
	pages := 5 * 21 // the nested pages of five parents, first: 20
	shapes = append(shapes,
		shape{"search, many matches, page and count", 2 * store.CountCap, func() { count(page(nil, &models.ContactFilter{Search: str("smith")}, nil)) }},
		shape{"search, one match, page and count", 10, func() { count(page(nil, &models.ContactFilter{Search: str("person77777@")}, nil)) }},
		shape{"search by email order", 2 * store.CountCap, func() {
			page(&models.ContactOrder{Field: models.ContactOrderFieldEmail, Direction: models.OrderDirectionAsc}, &models.ContactFilter{Search: str("smith")}, nil)
		}},
		shape{"totalCount", pageRows, func() { count(page(nil, nil, nil)) }},
		shape{"tag filter and count", 2 * 51 * 100, func() { count(page(nil, &models.ContactFilter{Tag: str("partner")}, nil)) }},
		shape{"list filter and count", pageRows, func() { count(page(nil, &models.ContactFilter{ListID: &listIDs[0]}, nil)) }},
		shape{"company filter and count", 2 * store.CountCap, func() { count(page(nil, &models.ContactFilter{Company: str("Company 7")}, nil)) }},
		shape{"nested list pages and counts", 10 * pages, func() {
			if _, err := st.ContactsOfLists(wctx, listIDs, store.PageArgs{First: n(20)}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.CountChildren(wctx, store.MembersOfList, listIDs); err != nil {
				t.Fatal(err)
			}
		}},
		shape{"nested lists and deals of contacts", 4 * 50 * 6, func() {
			if _, err := st.ListsOfContacts(wctx, contactIDs, store.PageArgs{First: n(5)}); err != nil {
				t.Fatal(err)
			}
			if _, err := st.DealsOfContacts(wctx, contactIDs, store.PageArgs{First: n(5)}); err != nil {
				t.Fatal(err)
			}
		}},
		shape{"deals and their count", pageRows, func() {
			conn, err := st.Deals(wctx, store.PageArgs{First: n(50)}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Count(wctx); err != nil {
				t.Fatal(err)
			}
		}},
		shape{"list search and count", 10, func() {
			rare := fmt.Sprintf("%x", md5.Sum([]byte("1234")))[:8] // in the name of list 1234
			conn, err := st.Lists(wctx, store.PageArgs{First: n(20)}, &models.ListFilter{Search: &rare})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.Count(wctx); err != nil {
				t.Fatal(err)
			}
		}},
	)
	for _, sh := range shapes {
		log.take()
		sh.run()
		sqls := log.take()
		if len(sqls) == 0 {
			t.Errorf("%s: no statement recorded", sh.name)
		}
		for _, sql := range sqls {
			var plan string
			if err := sys.Raw("EXPLAIN (ANALYZE, FORMAT JSON) " + sql).Scan(&plan).Error; err != nil {
				t.Fatalf("%s: EXPLAIN %s: %v", sh.name, sql, err)
			}
			seq, read, indexed := scans(t, plan)
			// A table of one page (a few counters, a workspace's few lists) is read as cheaply
			// whole: neither a sequential scan of it, nor the lack of an index, nor its rows
			// count.
			pages := func(rel string) int {
				var n int
				if err := sys.Raw("SELECT relpages FROM pg_class WHERE oid = to_regclass(?)", rel).Scan(&n).Error; err != nil {
					t.Fatal(err)
				}
				return n
			}
			var seqBig []string
			for _, rel := range seq {
				if pages(rel) > 1 {
					seqBig = append(seqBig, rel)
				}
			}
			readsBig, rows := false, 0
			for rel, n := range read {
				if pages(rel) > 1 {
					readsBig, rows = true, rows+n
				}
			}
			if rows > sh.maxRows {
				t.Errorf("%s: the scans read %d rows, more than %d\n%s\n%s", sh.name, rows, sh.maxRows, sql, plan)
			}
			if len(seqBig) > 0 || (readsBig && !indexed) {
				t.Errorf("%s: sequential scan of %v (index used: %v)\n%s\n%s", sh.name, seqBig, indexed, sql, plan)
			}
		}
	}
}

// scans walks a JSON plan: the relations read by a sequential scan, the rows read from each
// relation, and whether any node reads an index.
func scans(t *testing.T, plan string) (seq []string, read map[string]int, indexed bool) {
	t.Helper()
	var doc []struct {
		Plan map[string]any `json:"Plan"`
	}
	if err := json.Unmarshal([]byte(plan), &doc); err != nil || len(doc) == 0 {
		t.Fatalf("plan %q: %v", plan, err)
	}
	read = map[string]int{}
	var walk func(node map[string]any)
	walk = func(node map[string]any) {
		typ, _ := node["Node Type"].(string)
		if rel, ok := node["Relation Name"].(string); ok {
			if typ == "Seq Scan" {
				seq = append(seq, rel)
			}
			// Rows a filter or a recheck dropped were read all the same.
			var r float64
			for _, k := range []string{"Actual Rows", "Rows Removed by Filter", "Rows Removed by Index Recheck"} {
				v, _ := node[k].(float64)
				r += v
			}
			loops, _ := node["Actual Loops"].(float64)
			read[rel] += int(r * loops)
		}
		if strings.Contains(typ, "Index") { // Index Scan, Index Only Scan, Bitmap Index Scan
			indexed = true
		}
		children, _ := node["Plans"].([]any)
		for _, c := range children {
			if m, ok := c.(map[string]any); ok {
				walk(m)
			}
		}
	}
	walk(doc[0].Plan)
	return seq, read, indexed
}
