package httpapi_test

// The direct path (resolvers.Direct) answers Query.contacts and its subtree by writing JSON
// itself instead of through gqlgen's per-field execution. Nothing may tell the two apart: the
// tests below send every request to two handlers on one database and one rate-limit store, one
// built with the direct path and one without it (testenv.Options.GenericExecution), and
// compare status, Content-Type and body byte for byte. Two things legitimately differ and are
// normalized, nothing else: the rate-limit counters each call changes (diffNormalize), and the
// order of errors, which gqlgen itself does not keep from one call to the next
// (diffErrorOrder). Both requests of a pair carry one X-Request-Id, so errors' requestId match.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the time zone of TestDirectPathAnswersAsGqlgenInAnotherTimeZone, on any machine

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/graph"
	"github.com/wbk/crm/internal/httpapi"
	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// diffFixture is one database seen through both handlers, a workspace with awkward data and a
// second workspace whose data must never show up.
type diffFixture struct {
	generic, direct *testenv.Env
	key             string
	// writeOnlyKey lacks READ: the permission gate refuses contacts before any executor runs.
	writeOnlyKey string
	// foreignKey reads the second workspace, for the concurrency test only.
	foreignKey string
	// foreign holds the ids of the second workspace's records and the marker in its strings:
	// none may appear in any answer.
	foreign []string
	// Ids and cursors of the main workspace, for arguments.
	contactIDs, listIDs, dealIDs []string
	contactCursors               []string // the contacts, newest first (the default order)
	listCursors, dealCursors     []string // nested edges' cursors, from several contacts
	memberCursors                []string // List.contacts edges' cursors
	emptyListID                  string
}

// foreignMarker is in every string of the second workspace.
const foreignMarker = "intruder"

func newDiffFixture(t testing.TB) *diffFixture {
	t.Helper()
	if _, offset := time.Now().Zone(); os.Getenv("DIFF_TIME_ZONE_CHILD") != "" && offset == 0 {
		t.Fatalf("TZ=%s did not take: the local time zone is UTC", os.Getenv("TZ"))
	}
	st := testenv.OpenStore(t)
	// In-process limits even when TEST_REDIS_URL is set: the executors are under test, not the
	// limit store, and Redis reports a window's end as the real time plus its remaining TTL in
	// milliseconds, which for two calls a moment apart can fall on either side of a second.
	limits := ratelimit.NewMemory()
	// One clock for both rate limiters: the windows' resetAt in extensions.rateLimit then
	// cannot differ between the two calls of a pair because a minute ended between them.
	now := time.Now().UTC()
	clock := func() time.Time { return now }
	f := &diffFixture{
		generic: testenv.NewOn(t, st, limits, testenv.Options{Now: clock, GenericExecution: true}),
		direct:  testenv.NewOn(t, st, limits, testenv.Options{Now: clock}),
	}
	var ws *models.Workspace
	ws, f.key = f.generic.Tenant(t, "Diff \"Ünïcødé\" 😀")
	f.writeOnlyKey = f.generic.Key(t, ws, "write")
	f.seed(t, st, ws)
	var other *models.Workspace
	other, f.foreignKey = f.generic.Tenant(t, "Intruder Inc")
	f.foreign = append(seedForeign(t, st, other), foreignMarker)
	f.collectCursors(t)
	return f
}

func diffPtr(s string) *string { return &s }

// seed gives ws 40 contacts: the first ones with nulls, unicode, quotes, backslashes, control
// characters and emoji in their strings, several lists and deals each (some over a nested page
// of 5), deals with and without closeDate; the rest plain, so that pages have neighbours.
func (f *diffFixture) seed(t testing.TB, st *store.Store, ws *models.Workspace) {
	t.Helper()
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	special := []models.CreateContactInput{
		{Email: "ada@example.com", FirstName: diffPtr("Ada"), LastName: diffPtr("Lovelace"), Company: diffPtr("Acme"),
			Title: diffPtr("CTO"), Phone: diffPtr("+44 20 7946 0000"), Tags: []string{"vip", "tech"}},
		{Email: "nulls@example.com"}, // every optional field null, no tags: fullName is the email
		{Email: "first.only@example.com", FirstName: diffPtr("Zoë")},
		{Email: "last.only@example.com", LastName: diffPtr("Ångström 😀"), Company: diffPtr("ACME"), Tags: []string{"vip"}},
		{Email: "quotes@example.com", FirstName: diffPtr(`O"Brien`), LastName: diffPtr(`back\slash \\ "both"`),
			Company: diffPtr(`"Quoted" & <b>Tagged</b>`), Title: diffPtr(`C:\path\to "x"`), Tags: []string{`quote"tag`, `back\slash`}},
		{Email: "controls@example.com", FirstName: diffPtr("Tab\tbed"), LastName: diffPtr("New\nline\r\nCRLF"),
			Title: diffPtr("a\tb\tc"), Company: diffPtr("Line\u2028Sep\u2029Para"), Tags: []string{"tab\tin tag"}},
		{Email: "emoji@example.com", FirstName: diffPtr("👩‍💻 Dev"), LastName: diffPtr("🏳️‍🌈 e\u0301"),
			Company: diffPtr("日本語の会社"), Title: diffPtr("Ελληνικά"), Phone: diffPtr("☎ 555"), Tags: []string{"emoji😀", "日本"}},
		{Email: "html@example.com", FirstName: diffPtr("<script>alert('x')</script>"), LastName: diffPtr("&amp; &lt;"),
			Company: diffPtr("acme"), Tags: []string{"vip", "html", "a", "b", "c", "d"}},
		{Email: "same.last.a@example.com", FirstName: diffPtr("Same"), LastName: diffPtr("Twin"), Company: diffPtr("Globex")},
		{Email: "same.last.b@example.com", FirstName: diffPtr("Same"), LastName: diffPtr("Twin"), Company: diffPtr("Globex")},
		{Email: "max.len@example.com", FirstName: diffPtr(strings.Repeat("ß", 255)), Title: diffPtr(strings.Repeat("x", 255))},
	}
	for i := len(special); i < 40; i++ {
		special = append(special, models.CreateContactInput{Email: fmt.Sprintf("plain%02d@example.com", i),
			FirstName: diffPtr(fmt.Sprintf("Plain%02d", i)), LastName: diffPtr(fmt.Sprintf("Person%02d", 40-i)),
			Company: diffPtr([]string{"Acme", "Initech", "Globex"}[i%3])})
	}
	for _, in := range special {
		c, err := st.CreateContact(ctx, in)
		if err != nil {
			t.Fatalf("contact %s: %v", in.Email, err)
		}
		f.contactIDs = append(f.contactIDs, c.ID)
	}
	// A few updates, so that updatedAt differs from createdAt and ordering by it differs
	// from ordering by creation.
	for _, i := range []int{3, 0, 17} {
		if _, err := st.UpdateContact(ctx, f.contactIDs[i], models.UpdateContactInput{Phone: diffPtr(fmt.Sprintf("+1 555 01%02d", i))}); err != nil {
			t.Fatal(err)
		}
	}

	lists := []models.CreateListInput{
		{Name: "Customers", Description: diffPtr("Paying \"customers\" ✓")},
		{Name: "Leads"},
		{Name: "Newsletter\tweekly", Description: diffPtr("back\\slash\nnewline")},
		{Name: "VIP 😀"},
		{Name: "Partners", Description: diffPtr("<b>bold</b>")},
		{Name: "Old"},
		{Name: "Empty"}, // no members: contactCount 0, an empty nested page
	}
	for _, in := range lists {
		l, err := st.CreateList(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		f.listIDs = append(f.listIDs, l.ID)
	}
	f.emptyListID = f.listIDs[len(f.listIDs)-1]
	// Contact i is in the lists whose bit is set in i*37 % 64 (over the first six lists):
	// from none to all six, so nested pages of 5 are sometimes full and have a next page.
	members := make([][]string, len(lists))
	for i, id := range f.contactIDs {
		bits := i * 37 % 64
		if i == 0 || i == 4 || i == 5 {
			bits = 63 // the awkward contacts are in every list
		}
		for l := 0; l < 6; l++ {
			if bits&(1<<l) != 0 {
				members[l] = append(members[l], id)
			}
		}
	}
	for l, ids := range members {
		if len(ids) == 0 {
			continue
		}
		if _, err := st.AddContactsToList(ctx, f.listIDs[l], ids); err != nil {
			t.Fatal(err)
		}
	}

	stages := []models.DealStage{models.DealStageLead, models.DealStageQualified, models.DealStageProposal,
		models.DealStageNegotiation, models.DealStageWon, models.DealStageLost}
	for i, id := range f.contactIDs {
		n := []int{7, 0, 1, 3, 6, 2, 0, 1}[i%8] // 7 and 6: more than a nested page of 5
		for d := 0; d < n; d++ {
			in := models.CreateDealInput{Title: fmt.Sprintf("Deal %d.%d \"q\" \\ 😀", i, d), ContactID: &id,
				Amount: diffIntPtr([]int{0, 1, 999_999, 1<<53 - 1}[d%4]), Stage: &stages[(i+d)%len(stages)]}
			if d%2 == 0 {
				date := models.Date(fmt.Sprintf("2027-%02d-%02d", d%12+1, i%28+1))
				in.CloseDate = &date
			}
			if d%3 == 1 {
				in.Currency = diffPtr("EUR")
			}
			deal, err := st.CreateDeal(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			f.dealIDs = append(f.dealIDs, deal.ID)
		}
	}
	f.seedRaw(t, st, ctx)
	// A deal of nobody: reachable only from Query.deals, where its contact is null.
	if _, err := st.CreateDeal(ctx, models.CreateDealInput{Title: "Orphan"}); err != nil {
		t.Fatal(err)
	}
}

func diffIntPtr(n int) *int { return &n }

// seedRaw writes, past the store's validation, what the API refuses today but older rows or
// imports may hold: control characters that escape as \u00XX, DEL, an empty (not null)
// first name, and on SQLite bytes that are not UTF-8 (PostgreSQL refuses them). Both
// executors must write them the same way.
func (f *diffFixture) seedRaw(t testing.TB, st *store.Store, workspace context.Context) {
	t.Helper()
	db := st.DB().WithContext(workspace)
	contact, list, deal := &models.Contact{}, &models.List{}, &models.Deal{}
	updates := []struct {
		model      any
		column, id string
		value      string
	}{
		{contact, "first_name", f.contactIDs[10], "\x01start\x1fmid\x1b[31m"},
		{contact, "company", f.contactIDs[10], "del\x7f and \u2028"},
		{contact, "title", f.contactIDs[10], ""},
		{contact, "first_name", f.contactIDs[11], ""},
		{list, "description", f.listIDs[1], "bell\x07 ring"},
		{deal, "title", f.dealIDs[0], "form\x0cfeed\x08back"},
	}
	if st.Dialect() == store.SQLite {
		updates = append(updates, struct {
			model      any
			column, id string
			value      string
		}{contact, "phone", f.contactIDs[10], "bad \xff\xfe utf-8 \xe2\x82"})
	}
	for _, u := range updates {
		// Through GORM's model update, so the tenant scope applies as to any write.
		if err := db.Model(u.model).Where("id = ?", u.id).Update(u.column, u.value).Error; err != nil {
			t.Fatalf("raw %s: %v", u.column, err)
		}
	}
}

// seedForeign gives another workspace look-alike data: the same emails and list names, in
// lists, with deals. It returns its ids.
func seedForeign(t testing.TB, st *store.Store, ws *models.Workspace) []string {
	t.Helper()
	ctx := store.WithWorkspace(context.Background(), ws.ID)
	var ids []string
	for i, email := range []string{"ada@example.com", "nulls@example.com", "quotes@example.com", "plain20@example.com"} {
		c, err := st.CreateContact(ctx, models.CreateContactInput{Email: email, FirstName: diffPtr(foreignMarker),
			LastName: diffPtr(fmt.Sprintf("Intruder %d", i)), Company: diffPtr("Acme"), Tags: []string{"vip", foreignMarker}})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
		d, err := st.CreateDeal(ctx, models.CreateDealInput{Title: foreignMarker, ContactID: &c.ID})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, d.ID)
	}
	for _, name := range []string{"Customers", "VIP 😀"} {
		l, err := st.CreateList(ctx, models.CreateListInput{Name: name, Description: diffPtr(foreignMarker)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.AddContactsToList(ctx, l.ID, ids[0:1]); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, l.ID)
	}
	return ids
}

// collectCursors reads cursors through the generic handler: the contacts' in the default
// order, and nested list and deal cursors.
func (f *diffFixture) collectCursors(t testing.TB) {
	t.Helper()
	type edges struct {
		Edges []struct{ Cursor string }
	}
	page := testenv.Decode[struct {
		Contacts struct {
			Edges []struct {
				Cursor string
				Node   struct{ Lists, Deals edges }
			}
		}
	}](t, f.generic.Query(t, f.key, `{ contacts(first: 100) { edges { cursor node {
	  lists(first: 100) { edges { cursor } } deals(first: 100) { edges { cursor } } } } } }`, nil))
	for _, e := range page.Contacts.Edges {
		f.contactCursors = append(f.contactCursors, e.Cursor)
		for _, l := range e.Node.Lists.Edges {
			f.listCursors = append(f.listCursors, l.Cursor)
		}
		for _, d := range e.Node.Deals.Edges {
			f.dealCursors = append(f.dealCursors, d.Cursor)
		}
	}
	members := testenv.Decode[struct {
		Lists struct {
			Nodes []struct{ Contacts edges }
		}
	}](t, f.generic.Query(t, f.key, `{ lists(first: 100) { nodes { contacts(first: 100) { edges { cursor } } } } }`, nil))
	for _, l := range members.Lists.Nodes {
		for _, e := range l.Contacts.Edges {
			f.memberCursors = append(f.memberCursors, e.Cursor)
		}
	}
	if len(f.contactCursors) != 40 || len(f.listCursors) < 10 || len(f.dealCursors) < 10 || len(f.memberCursors) < 10 {
		t.Fatalf("seeded data not as expected: %d contacts, %d list cursors, %d deal cursors, %d member cursors",
			len(f.contactCursors), len(f.listCursors), len(f.dealCursors), len(f.memberCursors))
	}
}

// diffRequest is one HTTP request, sent alike to both handlers.
type diffRequest struct {
	method        string // "" is POST
	query         string
	vars          map[string]any
	operationName string
	accept        string // "" sends no Accept header
	body          string // when set, the POST body as is (query, vars and operationName unused)
	key           string // "" is the fixture's key with every permission
}

func (r diffRequest) build(key string) *http.Request {
	var req *http.Request
	if r.method == http.MethodGet {
		q := url.Values{"query": {r.query}}
		if r.vars != nil {
			v, _ := json.Marshal(r.vars)
			q.Set("variables", string(v))
		}
		if r.operationName != "" {
			q.Set("operationName", r.operationName)
		}
		req = httptest.NewRequest(http.MethodGet, "/graphql?"+q.Encode(), nil)
	} else {
		body := r.body
		if body == "" {
			doc := map[string]any{"query": r.query}
			if r.vars != nil {
				doc["variables"] = r.vars
			}
			if r.operationName != "" {
				doc["operationName"] = r.operationName
			}
			b, _ := json.Marshal(doc)
			body = string(b)
		}
		req = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
	}
	if r.accept != "" {
		req.Header.Set("Accept", r.accept)
	}
	req.Header.Set("Authorization", "Bearer "+key)
	// The same id on both requests of a pair: errors carry it in extensions.requestId, and a
	// fresh random one per request would be a difference of the test's making.
	req.Header.Set(httpapi.RequestIDHeader, "diff-request")
	return req
}

// diffAnswer is what the comparison looks at.
type diffAnswer struct {
	status      int
	contentType string
	body        []byte
}

func diffServe(h http.Handler, req *http.Request) diffAnswer {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return diffAnswer{status: rec.Code, contentType: rec.Header().Get("Content-Type"), body: rec.Body.Bytes()}
}

// ask sends r to the generic handler, then to the direct one, and fails the test unless both
// answers are identical and free of the other workspace's data. It returns the direct answer.
func (f *diffFixture) ask(t testing.TB, r diffRequest) diffAnswer {
	t.Helper()
	key := f.key
	if r.key != "" {
		key = r.key
	}
	generic := diffServe(f.generic.Handler, r.build(key))
	direct := diffServe(f.direct.Handler, r.build(key))
	// A dry run charges nothing: the second call then sees the same counters as the first.
	charged := !strings.Contains(r.query, "dryRun: true")
	if msg := diffMismatch(generic, direct, charged); msg != "" {
		t.Errorf("the direct path answers differently from gqlgen: %s\nquery: %s\nvariables: %s", msg, r.query, diffJSON(r.vars))
	}
	for _, id := range f.foreign {
		if bytes.Contains(bytes.ToLower(direct.body), []byte(strings.ToLower(id))) {
			t.Errorf("the answer holds %q of another workspace:\n%s", id, direct.body)
		}
	}
	return direct
}

func diffJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// diffMismatch describes how direct differs from generic (sent first, on the same key), or
// returns "".
func diffMismatch(generic, direct diffAnswer, charged bool) string {
	var msg []string
	if generic.status != direct.status {
		msg = append(msg, fmt.Sprintf("status %d (gqlgen) vs %d (direct)", generic.status, direct.status))
	}
	if generic.contentType != direct.contentType {
		msg = append(msg, fmt.Sprintf("Content-Type %q (gqlgen) vs %q (direct)", generic.contentType, direct.contentType))
	}
	g, d, err := diffNormalize(generic.body, direct.body, charged)
	if err != "" {
		msg = append(msg, err)
	}
	if !bytes.Equal(g, d) {
		msg = append(msg, "bodies differ:\n"+diffBodies(g, d))
	}
	return strings.Join(msg, "\n")
}

// diffNormalize returns both bodies with the only numbers that legitimately differ replaced.
//
// Both calls of a pair use the same key on the same rate-limit store, and the second (direct)
// is charged after the first: in the top-level extensions.rateLimit (and the X-RateLimit
// headers, which are not compared) "used" is higher by the first call's cost and "remaining"
// lower by it, in both windows. That exact relation is checked, then the four numbers are
// replaced by the first call's in the direct body. Everything else, resetAt included (both
// limiters share one fixed clock), stays byte for byte. Queries that select
// rateLimit { used remaining } in data select it with dryRun: true, which charges nothing,
// or leave those fields out.
func diffNormalize(generic, direct []byte, charged bool) ([]byte, []byte, string) {
	direct = diffErrorOrder(generic, direct)
	_, _, gExt := diffMember(generic, "extensions")
	ds, de, dExt := diffMember(direct, "extensions")
	if gExt == nil || dExt == nil {
		return generic, direct, "" // no extensions (an unauthenticated or unparsable request): compare as is
	}
	type window struct {
		Limit, Remaining, Used int64
		ResetAt                string
	}
	type rate struct {
		Cost int64
		window
		Minute window
	}
	var gr, dr struct{ RateLimit *rate }
	if json.Unmarshal(gExt, &gr) != nil || json.Unmarshal(dExt, &dr) != nil || gr.RateLimit == nil || dr.RateLimit == nil {
		return generic, direct, ""
	}
	var problems []string
	cost := gr.RateLimit.Cost
	if !charged {
		cost = 0
	}
	for _, w := range []struct {
		name string
		g, d window
	}{{"day", gr.RateLimit.window, dr.RateLimit.window}, {"minute", gr.RateLimit.Minute, dr.RateLimit.Minute}} {
		if w.d.Used != w.g.Used+cost || w.d.Remaining != w.g.Remaining-cost {
			problems = append(problems, fmt.Sprintf("extensions.rateLimit %s window: gqlgen used %d remaining %d charged %d, then direct used %d remaining %d",
				w.name, w.g.Used, w.g.Remaining, cost, w.d.Used, w.d.Remaining))
		}
	}
	// One pass over the direct extensions, so that a replaced number is never replaced again.
	want := map[string]int64{}
	for _, w := range []struct{ d, g window }{{dr.RateLimit.window, gr.RateLimit.window}, {dr.RateLimit.Minute, gr.RateLimit.Minute}} {
		want[fmt.Sprintf(`"used":%d`, w.d.Used)] = w.g.Used
		want[fmt.Sprintf(`"remaining":%d`, w.d.Remaining)] = w.g.Remaining
	}
	fixed := diffRateNumber.ReplaceAllFunc(dExt, func(m []byte) []byte {
		if n, ok := want[string(m)]; ok {
			return fmt.Appendf(nil, `%s:%d`, m[:bytes.IndexByte(m, ':')], n)
		}
		return m
	})
	out := append(append(append([]byte{}, direct[:ds]...), fixed...), direct[de:]...)
	return generic, out, strings.Join(problems, "\n")
}

var diffRateNumber = regexp.MustCompile(`"(used|remaining)":\d+`)

// diffErrorOrder returns direct with its top-level errors in generic's order when the two
// lists hold the same errors, byte for byte, in another order. gqlgen runs the resolvers of
// resolver-bound fields (Contact.lists, …) concurrently and lists their errors as they come:
// its own order differs from one call to the next (nested lists(first: -1) over three
// contacts gives paths 2, 0, 1 one time and 0, 1, 2 the next), so only the set is an answer.
func diffErrorOrder(generic, direct []byte) []byte {
	_, _, g := diffMember(generic, "errors")
	ds, de, d := diffMember(direct, "errors")
	if g == nil || d == nil || bytes.Equal(g, d) {
		return direct
	}
	var ge, de2 []json.RawMessage
	if json.Unmarshal(g, &ge) != nil || json.Unmarshal(d, &de2) != nil || len(ge) != len(de2) {
		return direct
	}
	sorted := func(list []json.RawMessage) []string {
		out := make([]string, len(list))
		for i, e := range list {
			out[i] = string(e)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(sorted(ge), sorted(de2)) {
		return direct
	}
	return append(append(append([]byte{}, direct[:ds]...), g...), direct[de:]...)
}

// diffMember finds the top-level member name of a response body: its value's start and end
// offsets and bytes, or nil.
func diffMember(body []byte, name string) (int, int, []byte) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return 0, 0, nil
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return 0, 0, nil
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return 0, 0, nil
		}
		if tok == name {
			end := int(dec.InputOffset())
			return end - len(raw), end, raw
		}
	}
	return 0, 0, nil
}

// diffBodies shows where two bodies differ: the byte offset with the bytes around it, then
// both indented around the first differing line (indenting keeps every token as written).
func diffBodies(generic, direct []byte) string {
	i := 0
	for i < len(generic) && i < len(direct) && generic[i] == direct[i] {
		i++
	}
	from := max(0, i-60)
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at byte %d of %d (gqlgen) / %d (direct)\n  gqlgen: …%s…\n  direct: …%s…\n",
		i, len(generic), len(direct), generic[from:min(len(generic), i+60)], direct[from:min(len(direct), i+60)])
	var gi, di bytes.Buffer
	if json.Indent(&gi, generic, "", "  ") != nil || json.Indent(&di, direct, "", "  ") != nil {
		fmt.Fprintf(&b, "gqlgen: %s\ndirect: %s", generic, direct)
		return b.String()
	}
	gl, dl := strings.Split(gi.String(), "\n"), strings.Split(di.String(), "\n")
	line := 0
	for line < len(gl) && line < len(dl) && gl[line] == dl[line] {
		line++
	}
	show := func(name string, lines []string) {
		fmt.Fprintf(&b, "--- %s, lines %d-:\n", name, max(0, line-6)+1)
		for j := max(0, line-6); j < min(len(lines), line+6); j++ {
			mark := "  "
			if j == line {
				mark = "> "
			}
			b.WriteString(mark + lines[j] + "\n")
		}
	}
	show("gqlgen", gl)
	show("direct", dl)
	return b.String()
}

// Selections reused by the corpus below.
const (
	diffAllScalars = `id email firstName lastName fullName company title phone tags createdAt updatedAt __typename`
	diffPageInfo   = `pageInfo { hasNextPage hasPreviousPage startCursor endCursor __typename }`
	diffListFields = `id name description contactCount createdAt updatedAt __typename`
	diffDealFields = `id title amount currency stage closeDate createdAt updatedAt __typename`
	// diffEveryField selects every Contact field, its nested connections whole.
	diffEveryField = diffAllScalars + `
	  lists(first: 3) { __typename totalCount ` + diffPageInfo + ` edges { __typename cursor node { ` + diffListFields + ` } } nodes { id name } }
	  deals(first: 3) { __typename totalCount ` + diffPageInfo + ` edges { __typename cursor node { ` + diffDealFields + ` } } nodes { id amount } }`
	diffDashboard = `{ contacts(first: 50) { nodes { id email fullName company
	  lists(first: 5) { nodes { id name } } deals(first: 5) { nodes { id title amount stage } } } } }`
)

// diffCase is one request of the corpus; vars, when set, builds its variables from the
// fixture's ids and cursors.
type diffCase struct {
	name    string
	query   string
	vars    func(f *diffFixture) map[string]any
	request func(r *diffRequest) // adjusts the request: method, Accept, operationName, body
}

func diffCorpus() []diffCase {
	return []diffCase{
		// Every field, in every place a Contact or a connection can be.
		{name: "every Contact field under edges and nodes", query: `{ contacts(first: 40) { __typename totalCount ` + diffPageInfo +
			` edges { __typename cursor node { ` + diffEveryField + ` } } nodes { ` + diffEveryField + ` } } }`},
		{name: "dashboard", query: diffDashboard},
		{name: "default page size", query: `{ contacts { totalCount nodes { id fullName } pageInfo { hasNextPage endCursor } } }`},
		{name: "only totalCount", query: `{ contacts { totalCount } }`},
		{name: "only pageInfo", query: `{ contacts(first: 3) { ` + diffPageInfo + ` } }`},
		{name: "only cursors", query: `{ contacts(first: 3) { edges { cursor } } }`},
		{name: "only __typename", query: `{ contacts(first: 2) { __typename nodes { __typename } edges { __typename node { __typename } } } }`},
		{name: "root __typename and introspection beside contacts", query: `{ __typename contacts(first: 2) { nodes { id } } __type(name: "Contact") { name fields { name } } }`},
		{name: "empty page", query: `{ contacts(first: 0) { totalCount edges { cursor } nodes { id } ` + diffPageInfo + ` } }`},
		{name: "page of 100", query: `{ contacts(first: 100) { totalCount nodes { ` + diffAllScalars + ` } } }`},

		// Nested connections.
		{name: "nested default page size", query: `{ contacts(first: 10) { nodes { id lists { totalCount nodes { id } } deals { totalCount nodes { id } } } } }`},
		{name: "nested first 0", query: `{ contacts(first: 10) { nodes { lists(first: 0) { totalCount ` + diffPageInfo + ` edges { cursor } } deals(first: 0) { nodes { id } ` + diffPageInfo + ` } } } }`},
		{name: "nested first 1 with cursors and pageInfo", query: `{ contacts(first: 40) { edges { node { id
		  lists(first: 1) { totalCount edges { cursor node { id } } ` + diffPageInfo + ` }
		  deals(first: 1) { totalCount edges { cursor node { id } } ` + diffPageInfo + ` } } } } }`},
		{name: "nested first 100", query: `{ contacts(first: 40) { nodes { lists(first: 100) { nodes { name } } deals(first: 100) { nodes { title closeDate } } } } }`},
		{name: "nested after a list cursor", query: `query($after: String) { contacts(first: 40) { nodes { id
		  lists(first: 2, after: $after) { totalCount edges { cursor node { name } } ` + diffPageInfo + ` } } } }`,
			vars: func(f *diffFixture) map[string]any { return map[string]any{"after": f.listCursors[1]} }},
		{name: "nested after a deal cursor, literal", query: `{ contacts(first: 40) { nodes { id deals(first: 2, after: "DEALCURSOR") { totalCount edges { cursor node { title } } ` + diffPageInfo + ` } } } }`},
		{name: "List fields, contactCount and List.contacts", query: `{ contacts(first: 8) { nodes { id lists(first: 5) { nodes { ` + diffListFields + `
		  contacts(first: 2) { totalCount ` + diffPageInfo + ` edges { cursor node { id email } } nodes { fullName tags } } } } } } }`},
		{name: "List.contacts default page and nested again", query: `{ contacts(first: 3) { nodes { lists(first: 2) { nodes { contacts { totalCount nodes { id lists(first: 1) { nodes { name } } deals(first: 1) { nodes { title } } } } } } } } }`},
		{name: "Deal fields and Deal.contact", query: `{ contacts(first: 10) { nodes { id deals(first: 7) { edges { cursor node { ` + diffDealFields + `
		  contact { ` + diffAllScalars + ` deals(first: 1) { totalCount nodes { id } } } } } } } } }`},
		{name: "deep: contact, lists, contacts, deals, contact, lists", query: `{ contacts(first: 3) { nodes { lists(first: 2) { nodes { contacts(first: 2) { nodes { deals(first: 2) { nodes { contact { lists(first: 2) { nodes { name } } } } } } } } } } } }`},

		// Aliases, repeated fields, fragments.
		{name: "the same field under two aliases with different arguments", query: `{ contacts(first: 10) { nodes { ident: id id mail: email
		  one: lists(first: 1) { nodes { id } } three: lists(first: 3) { nodes { id name } totalCount }
		  d0: deals(first: 0) { totalCount } d5: deals(first: 5) { ` + diffPageInfo + ` } lists(first: 2) { nodes { id } } } } }`},
		// One nested relation selected under several aliases: reads that may be shared must
		// still give each selection its own page, count and cursors.
		{name: "same page size, different after", query: `query($after: String) { contacts(first: 40) { nodes { id
		  a: lists(first: 2) { nodes { id } } b: lists(first: 2, after: $after) { nodes { id } pageInfo { hasPreviousPage } }
		  c: deals(first: 2) { nodes { id } } d: deals(first: 2, after: "DEALCURSOR") { nodes { id } } } } }`,
			vars: func(f *diffFixture) map[string]any { return map[string]any{"after": f.listCursors[1]} }},
		{name: "totalCount under one alias only", query: `{ contacts(first: 40) { nodes { id
		  a: lists(first: 2) { totalCount } b: lists(first: 2) { nodes { id } } c: deals(first: 3) { nodes { id } } d: deals(first: 3) { totalCount } } } }`},
		{name: "cursors under one alias only", query: `{ contacts(first: 40) { nodes { id
		  a: lists(first: 2) { edges { cursor } } b: lists(first: 2) { nodes { id } } c: deals(first: 3) { nodes { id } } d: deals(first: 3) { pageInfo { endCursor } }
		  e: deals(first: 3) { edges { node { id } } } } } }`},
		{name: "the same relation under nodes and edges.node with other arguments", query: `{ contacts(first: 20) { nodes { lists(first: 1) { totalCount nodes { id } } }
		  edges { node { lists(first: 1) { edges { cursor } } l3: lists(first: 3) { totalCount } } } } }`},
		{name: "aliases on connection parts", query: `{ contacts(first: 4) { total: totalCount count: totalCount e: edges { c: cursor n: node { i: id t: __typename } } p: pageInfo { more: hasNextPage end: endCursor } } }`},
		{name: "fields repeated and merged", query: `{ contacts(first: 5) { nodes { id id email
		  lists(first: 2) { nodes { id } } lists(first: 2) { nodes { name } totalCount } lists(first: 2) { nodes { id createdAt } } }
		  nodes { fullName deals(first: 3) { nodes { id } } } totalCount totalCount } }`},
		{name: "named fragments", query: `{ contacts(first: 6) { ...Conn } }
		  fragment Conn on ContactConnection { totalCount pageInfo { ...Page } edges { cursor node { ...Person } } nodes { ...Person } }
		  fragment Page on PageInfo { hasNextPage endCursor }
		  fragment Person on Contact { id fullName tags lists(first: 2) { ...Lists } deals(first: 2) { ...Deals } }
		  fragment Lists on ListConnection { totalCount edges { ...ListEdge } pageInfo { ...Page } }
		  fragment ListEdge on ListEdge { cursor node { ...ListNode } }
		  fragment ListNode on List { id name contactCount }
		  fragment Deals on DealConnection { nodes { ...on Deal { id amount } } totalCount }`},
		{name: "inline fragments on Contact, on Node and without type", query: `{ contacts(first: 6) { nodes {
		  ... on Node { id __typename } ... on Contact { email lists(first: 1) { nodes { ... on Node { id } } } } ... { fullName id }
		  ... on Contact { ... on Node { ... on Contact { company } } } } } }`},
		{name: "fragments merged with fields and other fragments", query: `{ contacts(first: 5) { nodes { id ...A ...B lists(first: 2) { nodes { name } } } ...C } }
		  fragment A on Contact { email lists(first: 2) { nodes { id } } }
		  fragment B on Contact { email id lists(first: 2) { totalCount } deals(first: 1) { nodes { id } } }
		  fragment C on ContactConnection { nodes { deals(first: 1) { nodes { title } } } totalCount }`},

		// Directives.
		{name: "@skip and @include with literals", query: `{ contacts(first: 5) { nodes { id email @skip(if: true) company @include(if: false) phone @include(if: true) title @skip(if: false)
		  lists(first: 1) @skip(if: false) { nodes { id } } deals(first: 1) @include(if: false) { nodes { id } }
		  ... on Contact @include(if: false) { title tags } ... @skip(if: true) { createdAt } ...F @include(if: true) } totalCount @skip(if: true) } }
		  fragment F on Contact { updatedAt }`},
		{name: "@skip and @include with variables", query: `query($on: Boolean!, $off: Boolean!) { contacts(first: 5) @include(if: $on) { nodes { id email @skip(if: $on)
		  lists(first: 2) @include(if: $on) { nodes { id name @skip(if: $off) } } deals(first: 2) @include(if: $off) { nodes { id } }
		  ...F @skip(if: $off) } } other: contacts(first: 1) @skip(if: $on) { totalCount } }
		  fragment F on Contact { tags }`,
			vars: func(*diffFixture) map[string]any { return map[string]any{"on": true, "off": false} }},
		{name: "@skip and @include with variables, reversed", query: `query($on: Boolean!, $off: Boolean!) { contacts(first: 5) { nodes { id @include(if: $off) email @skip(if: $on)
		  lists(first: 2) @include(if: $on) { nodes { id name @skip(if: $off) } } ... on Contact @include(if: $on) { phone } } } }`,
			vars: func(*diffFixture) map[string]any { return map[string]any{"on": false, "off": true} }},
		{name: "a field skipped in one place, included in another", query: `{ contacts(first: 3) { nodes { email @skip(if: true) ... on Contact { email } lists(first: 1) @skip(if: true) { nodes { id } } ... { lists(first: 1) { totalCount } } } } }`},

		{name: "contacts in a fragment on Query", query: `query { ...Root ... on Query { contacts(first: 2) { totalCount } } } fragment Root on Query { contacts(first: 2) { nodes { id email } } }`},
		{name: "@defer in the contacts subtree", query: `{ contacts(first: 2) { nodes { id ... @defer { email } } } }`},
		{name: "a key without READ", query: diffDashboard, request: func(r *diffRequest) { r.key = "WRITEONLY" }},

		// Root arguments, as literals.
		{name: "first 3", query: `{ contacts(first: 3) { edges { cursor node { id } } ` + diffPageInfo + ` } }`},
		{name: "last 3", query: `{ contacts(last: 3) { totalCount edges { cursor node { id } } ` + diffPageInfo + ` } }`},
		{name: "first after a cursor", query: `{ contacts(first: 4, after: "CONTACTCURSOR") { totalCount edges { cursor node { id email } } ` + diffPageInfo + ` } }`},
		{name: "last before a cursor", query: `{ contacts(last: 4, before: "CONTACTCURSOR") { totalCount edges { cursor node { id email } } ` + diffPageInfo + ` } }`},
		{name: "filter search", query: `{ contacts(first: 50, filter: { search: "acme" }) { totalCount nodes { id company } } }`},
		{name: "filter search unicode", query: `{ contacts(first: 50, filter: { search: "zoë" }) { totalCount nodes { id firstName } } }`},
		{name: "filter search with LIKE characters", query: `{ contacts(first: 50, filter: { search: "%_\\" }) { totalCount nodes { id } } }`},
		{name: "filter company case-insensitive", query: `{ contacts(first: 50, filter: { company: "ACME" }) { totalCount nodes { id company } ` + diffPageInfo + ` } }`},
		{name: "filter tag", query: `{ contacts(first: 50, filter: { tag: "vip" }) { totalCount nodes { id tags } } }`},
		{name: "filter tag with a quote", query: `{ contacts(first: 50, filter: { tag: "quote\"tag" }) { totalCount nodes { id tags } } }`},
		{name: "filter listId", query: `{ contacts(first: 50, filter: { listId: "LISTID" }) { totalCount nodes { id lists(first: 6) { nodes { id } } } } }`},
		{name: "filter listId of the empty list", query: `{ contacts(first: 50, filter: { listId: "EMPTYLISTID" }) { totalCount nodes { id } ` + diffPageInfo + ` } }`},
		{name: "filter everything at once", query: `{ contacts(first: 50, filter: { search: "a", company: "acme", tag: "vip", listId: "LISTID" }) { totalCount nodes { id } } }`},
		{name: "filter matching nothing", query: `{ contacts(first: 5, filter: { search: "no such contact" }) { totalCount edges { cursor } nodes { id } ` + diffPageInfo + ` } }`},
		{name: "orderBy EMAIL ASC", query: `{ contacts(first: 12, orderBy: { field: EMAIL, direction: ASC }) { edges { cursor node { email } } ` + diffPageInfo + ` } }`},
		{name: "orderBy LAST_NAME DESC with ties", query: `{ contacts(first: 40, orderBy: { field: LAST_NAME, direction: DESC }) { edges { cursor node { id lastName } } } }`},
		{name: "orderBy LAST_NAME ASC, last 5", query: `{ contacts(last: 5, orderBy: { field: LAST_NAME, direction: ASC }) { edges { cursor node { id lastName } } ` + diffPageInfo + ` } }`},
		{name: "orderBy UPDATED_AT DESC", query: `{ contacts(first: 6, orderBy: { field: UPDATED_AT, direction: DESC }) { edges { cursor node { id updatedAt } } } }`},
		{name: "orderBy CREATED_AT ASC with filter", query: `{ contacts(first: 6, orderBy: { field: CREATED_AT, direction: ASC }, filter: { tag: "vip" }) { edges { cursor node { id createdAt } } ` + diffPageInfo + ` } }`},

		// Root and nested arguments as variables.
		{name: "every argument as a variable", query: `query($first: Int, $after: String, $filter: ContactFilter, $orderBy: ContactOrder, $lf: Int, $la: String, $df: Int, $da: String) {
		  contacts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { totalCount edges { cursor node { id
		    lists(first: $lf, after: $la) { totalCount edges { cursor node { id } } ` + diffPageInfo + ` }
		    deals(first: $df, after: $da) { totalCount edges { cursor node { id } } ` + diffPageInfo + ` } } } ` + diffPageInfo + ` } }`,
			vars: func(f *diffFixture) map[string]any {
				return map[string]any{"first": 5, "after": f.contactCursors[2], "filter": map[string]any{"company": "acme", "tag": "vip"},
					"orderBy": map[string]any{"field": "CREATED_AT", "direction": "DESC"}, "lf": 2, "la": f.listCursors[0], "df": 1, "da": f.dealCursors[0]}
			}},
		{name: "last and before as variables", query: `query($last: Int, $before: String, $filter: ContactFilter) { contacts(last: $last, before: $before, filter: $filter) { totalCount nodes { id } ` + diffPageInfo + ` } }`,
			vars: func(f *diffFixture) map[string]any {
				return map[string]any{"last": 3, "before": f.contactCursors[20], "filter": map[string]any{"search": "plain"}}
			}},
		{name: "variables given as null", query: `query($first: Int, $after: String, $filter: ContactFilter, $orderBy: ContactOrder, $n: Int) { contacts(first: $first, after: $after, filter: $filter, orderBy: $orderBy) { totalCount nodes { id lists(first: $n) { totalCount } } } }`,
			vars: func(*diffFixture) map[string]any {
				return map[string]any{"first": nil, "after": nil, "filter": nil, "orderBy": nil, "n": nil}
			}},
		{name: "variables omitted", query: `query($first: Int, $filter: ContactFilter, $n: Int = 2) { contacts(first: $first, filter: $filter) { totalCount nodes { id lists(first: $n) { totalCount nodes { id } } } } }`},
		{name: "filter fields as variables", query: `query($search: String, $company: String, $tag: String, $list: ID) { contacts(first: 50, filter: { search: $search, company: $company, tag: $tag, listId: $list }) { totalCount nodes { id } } }`,
			vars: func(f *diffFixture) map[string]any {
				return map[string]any{"search": "e", "company": "Acme", "tag": "vip", "list": f.listIDs[0]}
			}},
		{name: "orderBy fields as variables", query: `query($field: ContactOrderField!, $dir: OrderDirection!) { contacts(first: 7, orderBy: { field: $field, direction: $dir }) { edges { cursor node { id email } } } }`,
			vars: func(*diffFixture) map[string]any { return map[string]any{"field": "EMAIL", "dir": "DESC"} }},

		// Invalid arguments: the same errors, with the same paths and codes.
		{name: "first -1", query: `{ contacts(first: -1) { nodes { id } } }`},
		{name: "first 10000", query: `{ contacts(first: 10000) { nodes { id } } }`},
		{name: "first 101", query: `{ contacts(first: 101) { totalCount } }`},
		{name: "first and last", query: `{ contacts(first: 2, last: 2) { nodes { id } } }`},
		{name: "after with last", query: `{ contacts(last: 2, after: "CONTACTCURSOR") { nodes { id } } }`},
		{name: "bad after cursor", query: `{ contacts(first: 2, after: "not a cursor") { nodes { id } } }`},
		{name: "bad before cursor", query: `{ contacts(last: 2, before: "bm90IGEgY3Vyc29y") { nodes { id } } }`},
		{name: "a list cursor where a contact cursor goes", query: `{ contacts(first: 2, after: "LISTCURSOR") { nodes { id } } }`},
		{name: "a cursor of another order", query: `{ contacts(first: 2, after: "CONTACTCURSOR", orderBy: { field: EMAIL, direction: ASC }) { nodes { id } } }`},
		{name: "unknown listId", query: `{ contacts(first: 5, filter: { listId: "lst_doesnotexist" }) { totalCount nodes { id } } }`},
		{name: "listId of another workspace", query: `{ contacts(first: 5, filter: { listId: "FOREIGNLISTID" }) { totalCount nodes { id } } }`},
		{name: "listId that is a contact id", query: `{ contacts(first: 5, filter: { listId: "CONTACTID" }) { totalCount nodes { id } } }`},
		{name: "nested first -1", query: `{ contacts(first: 3) { nodes { id lists(first: -1) { nodes { id } } } } }`},
		{name: "nested first 101", query: `{ contacts(first: 3) { totalCount nodes { id deals(first: 101) { nodes { id } } } } }`},
		{name: "nested bad after", query: `{ contacts(first: 3) { nodes { id deals(first: 1, after: "garbage") { nodes { id } } } } }`},
		{name: "nested bad after in one alias only", query: `{ contacts(first: 2) { nodes { id good: lists(first: 1) { nodes { id } } bad: lists(first: 1, after: "garbage") { nodes { id } } } } }`},
		{name: "nested bad List.contacts after", query: `{ contacts(first: 2) { nodes { lists(first: 1) { nodes { contacts(first: 1, after: "garbage") { nodes { id } } } } } } }`},
		{name: "variable of the wrong type", query: `query($first: Int) { contacts(first: $first) { nodes { id } } }`,
			vars: func(*diffFixture) map[string]any { return map[string]any{"first": "three"} }},
		{name: "unknown orderBy field in a variable", query: `query($o: ContactOrder) { contacts(first: 2, orderBy: $o) { nodes { id } } }`,
			vars: func(*diffFixture) map[string]any {
				return map[string]any{"o": map[string]any{"field": "NAME", "direction": "ASC"}}
			}},
		{name: "unknown field", query: `{ contacts(first: 2) { nodes { id nickname } } }`},
		{name: "conflicting aliases", query: `{ contacts(first: 2) { nodes { x: lists(first: 1) { totalCount } x: lists(first: 2) { totalCount } } } }`},
		{name: "too expensive", query: `{ contacts(first: 100) { nodes { lists(first: 100) { nodes { contacts(first: 100) { nodes { id } } } } } } }`},

		// Several root fields in one operation.
		{name: "contacts twice under aliases", query: `{ newest: contacts(first: 3) { nodes { id email } } byEmail: contacts(first: 3, orderBy: { field: EMAIL, direction: ASC }) { nodes { id email lists(first: 1) { nodes { name } } } } }`},
		{name: "contacts twice, one failing", query: `{ good: contacts(first: 2) { nodes { id } } bad: contacts(first: -1) { nodes { id } } }`},
		// rateLimit without dryRun charges the call: used and remaining differ between the
		// two calls of a pair, so they are left out here (dry runs below select them).
		{name: "contacts beside viewer, rateLimit and other root fields", query: `{ viewer { workspace { id name plan } apiKey { id name prefix permissions createdAt expiresAt } }
		  contacts(first: 3) { nodes { id } } rateLimit { plan cost limit resetAt minute { limit resetAt } }
		  lists(first: 2) { nodes { id name } } deals(first: 2) { nodes { id contact { id } } } contact(id: "CONTACTID") { id email lists(first: 1) { nodes { id } } }
		  node(id: "CONTACTID") { id ... on Contact { fullName } } }`},
		{name: "contacts with rateLimit dry run", query: `{ contacts(first: 3) { nodes { id } } rateLimit(dryRun: true) { plan cost limit remaining used resetAt minute { limit remaining used resetAt } } }`},

		// Transport: GET, operation selection, media types.
		{name: "GET", query: `query($n: Int) { contacts(first: $n) { nodes { ` + diffAllScalars + ` } } }`,
			vars:    func(*diffFixture) map[string]any { return map[string]any{"n": 3} },
			request: func(r *diffRequest) { r.method = http.MethodGet }},
		{name: "GET with operationName", query: `query A { contacts(first: 1) { nodes { id } } } query B { contacts(first: 2) { nodes { email } } }`,
			request: func(r *diffRequest) { r.method, r.operationName = http.MethodGet, "B" }},
		{name: "GET of a mutation", query: `mutation { deleteContact(id: "CONTACTID") }`,
			request: func(r *diffRequest) { r.method = http.MethodGet }},
		{name: "operationName picks the second query", query: diffOperations, request: func(r *diffRequest) { r.operationName = "Second" }},
		{name: "operationName picks the first query", query: diffOperations, request: func(r *diffRequest) { r.operationName = "First" }},
		{name: "operationName picks the third query", query: diffOperations,
			vars: func(*diffFixture) map[string]any { return map[string]any{"n": 2} }, request: func(r *diffRequest) { r.operationName = "Third" }},
		{name: "operationName missing with several operations", query: diffOperations},
		{name: "operationName unknown", query: diffOperations, request: func(r *diffRequest) { r.operationName = "Fourth" }},
		{name: "Accept graphql-response+json", query: diffDashboard, request: func(r *diffRequest) { r.accept = "application/graphql-response+json" }},
		{name: "Accept application/json", query: diffDashboard, request: func(r *diffRequest) { r.accept = "application/json" }},
		{name: "Accept graphql-response+json with an error in contacts", query: `{ contacts(first: -1) { nodes { id } } }`,
			request: func(r *diffRequest) { r.accept = "application/graphql-response+json" }},
		{name: "Accept graphql-response+json with a validation error", query: `{ contacts(first: 1) { nodes { nope } } }`,
			request: func(r *diffRequest) { r.accept = "application/graphql-response+json" }},
		{name: "Accept with parameters and preferences", query: `{ contacts(first: 2) { nodes { id } } }`,
			request: func(r *diffRequest) {
				r.accept = "application/json;q=0.5, application/graphql-response+json;charset=utf-8;q=0.9"
			}},
	}
}

// diffOperations is a document with several operations (and a mutation that never runs).
const diffOperations = `query First { contacts(first: 1) { nodes { id email } } }
  query Second { contacts(last: 2) { edges { cursor node { fullName } } } }
  query Third($n: Int) { a: contacts(first: $n) { totalCount } b: contacts(first: 1) { nodes { tags } } }
  mutation Wipe { deleteContact(id: "nope") }`

// diffPlaceholders are replaced in the corpus's literal queries by the fixture's values.
func (f *diffFixture) placeholders() *strings.Replacer {
	return strings.NewReplacer(
		"EMPTYLISTID", f.emptyListID, "FOREIGNLISTID", f.foreign[len(f.foreign)-2],
		"LISTID", f.listIDs[0], "CONTACTID", f.contactIDs[4],
		"CONTACTCURSOR", f.contactCursors[5], "LISTCURSOR", f.listCursors[2], "DEALCURSOR", f.dealCursors[3])
}

// TestDirectPathAnswersAsGqlgen sends the corpus to both handlers.
func TestDirectPathAnswersAsGqlgen(t *testing.T) {
	f := newDiffFixture(t)
	replace := f.placeholders()
	for _, c := range diffCorpus() {
		t.Run(c.name, func(t *testing.T) {
			r := diffRequest{query: replace.Replace(c.query)}
			if c.vars != nil {
				r.vars = c.vars(f)
			}
			if c.request != nil {
				c.request(&r)
			}
			if r.key == "WRITEONLY" {
				r.key = f.writeOnlyKey
			}
			f.ask(t, r)
		})
	}
}

// TestDirectPathPagesLikeGqlgen walks the contacts forwards and backwards, in every order,
// each page asked with the cursors of the previous answer (the direct one): the root's
// endCursor/startCursor and a nested deals endCursor, passed on to every contact of the next
// page.
func TestDirectPathPagesLikeGqlgen(t *testing.T) {
	f := newDiffFixture(t)
	const query = `query($first: Int, $after: String, $last: Int, $before: String, $order: ContactOrder, $dealsAfter: String) {
	  contacts(first: $first, after: $after, last: $last, before: $before, orderBy: $order) { totalCount ` + diffPageInfo + `
	    edges { cursor node { id email lastName updatedAt
	      deals(first: 2, after: $dealsAfter) { totalCount ` + diffPageInfo + ` edges { cursor node { id title } } }
	      lists(first: 2) { ` + diffPageInfo + ` nodes { id } } } } } }`
	type pageInfo struct {
		HasNextPage, HasPreviousPage bool
		StartCursor, EndCursor       *string
	}
	type answer struct {
		Data struct {
			Contacts struct {
				PageInfo pageInfo
				Edges    []struct {
					Node struct {
						Deals struct{ PageInfo pageInfo }
					}
				}
			}
		}
	}
	orders := []map[string]any{nil}
	for _, field := range []string{"CREATED_AT", "UPDATED_AT", "EMAIL", "LAST_NAME"} {
		for _, dir := range []string{"ASC", "DESC"} {
			orders = append(orders, map[string]any{"field": field, "direction": dir})
		}
	}
	for _, order := range orders {
		for _, forwards := range []bool{true, false} {
			t.Run(fmt.Sprintf("%v forwards=%v", order, forwards), func(t *testing.T) {
				vars := map[string]any{"order": order}
				seen := 0
				for page := 0; ; page++ {
					if page > 10 {
						t.Fatalf("more than 10 pages of 7 for 40 contacts")
					}
					if forwards {
						vars["first"] = 7
					} else {
						vars["last"] = 7
					}
					got := f.ask(t, diffRequest{query: query, vars: vars})
					if t.Failed() {
						t.FailNow() // the next page would start from a cursor already wrong
					}
					var a answer
					if err := json.Unmarshal(got.body, &a); err != nil {
						t.Fatal(err)
					}
					conn := a.Data.Contacts
					seen += len(conn.Edges)
					vars["dealsAfter"] = nil
					for _, e := range conn.Edges {
						if c := e.Node.Deals.PageInfo.EndCursor; c != nil && e.Node.Deals.PageInfo.HasNextPage {
							vars["dealsAfter"] = *c
							break
						}
					}
					if forwards {
						if !conn.PageInfo.HasNextPage {
							break
						}
						if conn.PageInfo.EndCursor == nil {
							t.Fatalf("hasNextPage without an endCursor: %s", got.body)
						}
						vars["after"] = *conn.PageInfo.EndCursor
					} else {
						if !conn.PageInfo.HasPreviousPage {
							break
						}
						if conn.PageInfo.StartCursor == nil {
							t.Fatalf("hasPreviousPage without a startCursor: %s", got.body)
						}
						vars["before"] = *conn.PageInfo.StartCursor
					}
				}
				if seen != 40 {
					t.Errorf("the walk saw %d contacts, want 40", seen)
				}
			})
		}
	}
}

// TestDirectPathAnswersRandomQueriesAsGqlgen sends both handlers ~300 operations built by a
// seeded pseudo-random walk over the schema below Query.contacts: any subset of fields, in any
// order, with aliases, repeated fields, inline and named fragments, @skip/@include, nested
// page arguments as literals or variables, valid and (rarely) invalid. A mismatch names the
// operation's number; the seed makes it reproducible.
func TestDirectPathAnswersRandomQueriesAsGqlgen(t *testing.T) {
	const seed, operations = 20261130, 300
	f := newDiffFixture(t)
	rnd := rand.New(rand.NewPCG(seed, seed))
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	var answered, failed int
	for i := 0; i < operations; i++ {
		g := newDiffGen(rnd, schema, f)
		r := g.request()
		got := f.ask(t, r)
		if t.Failed() {
			t.Fatalf("operation %d of seed %d differs (above); stopping", i, seed)
		}
		var doc struct {
			Data   json.RawMessage
			Errors []struct{ Extensions struct{ Code string } }
		}
		if err := json.Unmarshal(got.body, &doc); err != nil {
			t.Fatalf("operation %d: answer is not JSON: %s", i, got.body)
		}
		for _, e := range doc.Errors {
			// The generator asks for bad arguments on purpose, never for an invalid document
			// or one over the limits: that would test the validator instead of the direct path.
			if e.Extensions.Code != "BAD_USER_INPUT" {
				t.Fatalf("operation %d is refused with %s; the generator must build valid operations:\n%s\nvariables: %s\n%s",
					i, e.Extensions.Code, r.query, diffJSON(r.vars), got.body)
			}
		}
		if len(doc.Errors) == 0 && len(doc.Data) > 0 && string(doc.Data) != "null" {
			answered++
		} else {
			failed++
		}
	}
	// Most operations must be answered with data, or the comparison says little.
	if answered < operations*3/4 {
		t.Errorf("only %d of %d operations were answered without errors (%d with)", answered, operations, failed)
	}
	t.Logf("%d operations answered with data, %d with errors", answered, failed)
}

// diffGen builds one random operation over Query.contacts.
type diffGen struct {
	rnd    *rand.Rand
	schema *ast.Schema
	f      *diffFixture
	names  int // aliases, variables and fragments are numbered: unique, never a field's name
	// varDefs and vars are the operation's variables.
	varDefs []string
	vars    map[string]any
	// args are the arguments of every unaliased field with arguments, per Type.field, chosen
	// once per operation: two unaliased selections of one field then always merge.
	args      map[string]string
	fragments []diffFragment
}

// diffFragment is a named fragment of the operation; budget is the number of nested
// connection levels its body may use, so that it is only spread where they fit.
type diffFragment struct {
	name, on, body string
	budget         int
}

func newDiffGen(rnd *rand.Rand, schema *ast.Schema, f *diffFixture) *diffGen {
	return &diffGen{rnd: rnd, schema: schema, f: f, vars: map[string]any{}, args: map[string]string{}}
}

func (g *diffGen) chance(p float64) bool { return g.rnd.Float64() < p }

func (g *diffGen) name(prefix string) string {
	g.names++
	return fmt.Sprintf("%s%d", prefix, g.names)
}

// value is an argument value: its GraphQL literal and its JSON, and the type a variable for
// it is declared with. Variables stand in for it now and then.
func (g *diffGen) value(literal string, jsonValue any, typ string) string {
	if !g.chance(0.3) {
		return literal
	}
	v := g.name("v")
	g.varDefs = append(g.varDefs, "$"+v+": "+typ)
	g.vars[v] = jsonValue
	return "$" + v
}

func diffStringLiteral(s string) string {
	b, _ := json.Marshal(s) // JSON's string escapes are GraphQL's
	return string(b)
}

// pageSize is a first or last: mostly small, sometimes none (the default 20), rarely out of
// range.
func (g *diffGen) pageSize(name string, nested bool) string {
	var n int
	switch x := g.rnd.IntN(100); {
	case x < 2:
		n = -1
	case x < 4:
		n = 101
	case x < 15 && !nested || x < 8:
		return ""
	case nested:
		n = g.rnd.IntN(6)
	default:
		n = g.rnd.IntN(12)
	}
	return name + ": " + g.value(fmt.Sprint(n), n, "Int")
}

// cursor is an after or before: a cursor of the connection's own kind, rarely of another kind
// or none at all.
func (g *diffGen) cursor(name string, own []string) string {
	var c string
	switch x := g.rnd.IntN(100); {
	case x < 2:
		c = "bm90IGEgY3Vyc29y"
	case x < 4:
		all := [][]string{g.f.contactCursors, g.f.listCursors, g.f.dealCursors, g.f.memberCursors}
		pool := all[g.rnd.IntN(len(all))]
		c = pool[g.rnd.IntN(len(pool))]
	default:
		c = own[g.rnd.IntN(len(own))]
	}
	return name + ": " + g.value(diffStringLiteral(c), c, "String")
}

// arguments builds the arguments of a connection field.
func (g *diffGen) arguments(parent string, field *ast.FieldDefinition) string {
	var args []string
	add := func(a string) {
		if a != "" {
			args = append(args, a)
		}
	}
	if parent == "Query" {
		if g.chance(0.2) {
			add(g.pageSize("last", false))
			if g.chance(0.3) {
				add(g.cursor("before", g.f.contactCursors))
			}
		} else {
			add(g.pageSize("first", false))
			if g.chance(0.3) {
				add(g.cursor("after", g.f.contactCursors))
			}
		}
		if g.chance(0.3) {
			add(g.filter())
		}
		if g.chance(0.3) {
			add(g.order())
		}
	} else {
		add(g.pageSize("first", true))
		if g.chance(0.25) {
			own := map[string][]string{"lists": g.f.listCursors, "deals": g.f.dealCursors, "contacts": g.f.memberCursors}[field.Name]
			add(g.cursor("after", own))
		}
	}
	g.rnd.Shuffle(len(args), func(i, j int) { args[i], args[j] = args[j], args[i] })
	if len(args) == 0 {
		return ""
	}
	return "(" + strings.Join(args, ", ") + ")"
}

func (g *diffGen) filter() string {
	def := g.schema.Types["ContactFilter"]
	pools := map[string][]string{
		"search":  {"acme", "a", "zoë", "PLAIN", "\"", "\\", "%", "😀", "nobody"},
		"company": {"acme", "Globex", "initech", "日本語の会社", "nobody"},
		"tag":     {"vip", "tech", "emoji😀", "quote\"tag", "nobody"},
		"listId":  append(append([]string{}, g.f.listIDs...), "lst_unknown"),
	}
	var literal []string
	values := map[string]any{}
	for _, field := range def.Fields {
		if !g.chance(0.4) {
			continue
		}
		pool := pools[field.Name]
		v := pool[g.rnd.IntN(len(pool))]
		literal = append(literal, field.Name+": "+g.value(diffStringLiteral(v), v, field.Type.String()))
		values[field.Name] = v
	}
	if len(literal) == 0 {
		return ""
	}
	// Either the whole filter is one variable, or its fields are literals and variables.
	if g.chance(0.3) && !strings.Contains(strings.Join(literal, ""), "$") {
		v := g.name("v")
		g.varDefs = append(g.varDefs, "$"+v+": ContactFilter")
		g.vars[v] = values
		return "filter: $" + v
	}
	return "filter: { " + strings.Join(literal, ", ") + " }"
}

func (g *diffGen) order() string {
	fields := g.schema.Types["ContactOrderField"].EnumValues
	dirs := g.schema.Types["OrderDirection"].EnumValues
	field, dir := fields[g.rnd.IntN(len(fields))].Name, dirs[g.rnd.IntN(len(dirs))].Name
	literal := "{ field: " + field + ", direction: " + dir + " }"
	return "orderBy: " + g.value(literal, map[string]any{"field": field, "direction": dir}, "ContactOrder")
}

// directive is now and then an @skip or @include, on a literal or a variable.
func (g *diffGen) directive() string {
	if !g.chance(0.08) {
		return ""
	}
	name := []string{"skip", "include"}[g.rnd.IntN(2)]
	on := g.chance(0.5)
	cond := fmt.Sprint(on)
	if g.chance(0.5) {
		v := g.name("b")
		g.varDefs = append(g.varDefs, "$"+v+": Boolean!")
		g.vars[v] = on
		cond = "$" + v
	}
	return " @" + name + "(if: " + cond + ")"
}

// selection builds a selection set on the object type typ; budget is how many more
// connection levels may nest below it.
func (g *diffGen) selection(typ string, budget int) string {
	def := g.schema.Types[typ]
	var parts []string
	for len(parts) == 0 {
		for _, field := range def.Fields {
			if strings.HasPrefix(field.Name, "__") || !g.chance(diffFieldChance(typ, field.Name)) {
				continue
			}
			if part := g.field(typ, field, budget); part != "" {
				parts = append(parts, part)
			}
		}
		if g.chance(0.1) {
			parts = append(parts, "__typename")
		}
		if g.chance(0.12) {
			parts = append(parts, g.inlineFragment(typ, budget))
		}
		if g.chance(0.08) {
			parts = append(parts, g.spread(typ, budget))
		}
	}
	// A nested connection already selected, again under an alias with the same arguments
	// and a selection of its own: the direct path reads such twins once, and each must still
	// get its own totalCount, cursors and fields.
	if budget > 0 && g.chance(0.35) {
		for _, field := range def.Fields {
			prior, ok := g.args[typ+"."+field.Name]
			if !ok || !strings.HasSuffix(field.Type.Name(), "Connection") {
				continue
			}
			// Sometimes the same page size from another cursor: a different read.
			if !strings.Contains(prior, "after:") && g.chance(0.4) {
				own := map[string][]string{"lists": g.f.listCursors, "deals": g.f.dealCursors, "contacts": g.f.memberCursors}[field.Name]
				after := g.cursor("after", own)
				if prior == "" {
					prior = "(" + after + ")"
				} else {
					prior = strings.TrimSuffix(prior, ")") + ", " + after + ")"
				}
			}
			parts = append(parts, g.name("a")+": "+field.Name+prior+" "+g.selection(field.Type.Name(), budget-1))
		}
	}
	g.rnd.Shuffle(len(parts), func(i, j int) { parts[i], parts[j] = parts[j], parts[i] })
	// A field asked twice: gqlgen merges it into the first's place.
	if g.chance(0.1) {
		parts = append(parts, parts[g.rnd.IntN(len(parts))])
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

// diffFieldChance is how likely a selection set selects a field. List.contacts,
// List.contactCount and Deal.contact are rarer than the rest: the direct path hands a root
// field that selects them back to gqlgen, and most operations should test the direct path.
func diffFieldChance(typ, field string) float64 {
	switch typ + "." + field {
	case "List.contacts", "List.contactCount", "Deal.contact":
		return 0.08
	}
	return 0.35
}

// field selects one field of typ, or nothing when it is a connection beyond the budget.
func (g *diffGen) field(typ string, field *ast.FieldDefinition, budget int) string {
	target := field.Type.Name()
	connection := strings.HasSuffix(target, "Connection")
	if connection && budget == 0 {
		return ""
	}
	var b strings.Builder
	aliased := g.chance(0.2) || len(field.Arguments) > 0 && g.chance(0.3)
	if aliased {
		b.WriteString(g.name("a") + ": ")
	}
	b.WriteString(field.Name)
	if len(field.Arguments) > 0 {
		if prior, ok := g.args[typ+"."+field.Name]; aliased && ok && g.chance(0.5) {
			// The same arguments under an alias, with its own selection: the direct path
			// shares one read between such fields, and each must still get what it selects.
			b.WriteString(prior)
		} else if aliased {
			b.WriteString(g.arguments(typ, field))
		} else {
			key := typ + "." + field.Name
			if _, ok := g.args[key]; !ok {
				g.args[key] = g.arguments(typ, field)
			}
			b.WriteString(g.args[key])
		}
	}
	b.WriteString(g.directive())
	if kind := g.schema.Types[target].Kind; kind == ast.Object || kind == ast.Interface {
		next := budget
		if connection {
			next--
		}
		if target == "Contact" && typ == "Deal" {
			next = 0 // Deal.contact: the way back up, kept shallow
		}
		b.WriteString(" " + g.selection(target, next))
	}
	return b.String()
}

// inlineFragment is "... on typ", "... on Node" or a fragment without a type condition.
func (g *diffGen) inlineFragment(typ string, budget int) string {
	implementsNode := slices.Contains(g.schema.Types[typ].Interfaces, "Node")
	switch x := g.rnd.IntN(3); {
	case x == 0 && implementsNode:
		return "... on Node" + g.directive() + " { " + []string{"id", "__typename", "id __typename"}[g.rnd.IntN(3)] + " }"
	case x == 1:
		return "..." + g.directive() + " " + g.selection(typ, budget)
	default:
		return "... on " + typ + g.directive() + " " + g.selection(typ, budget)
	}
}

// spread spreads a named fragment on typ: one defined already, if one fits, or a new one.
func (g *diffGen) spread(typ string, budget int) string {
	for _, fr := range g.fragments {
		if fr.on == typ && fr.budget <= budget && g.chance(0.6) {
			return "..." + fr.name + g.directive()
		}
	}
	name := g.name("F")
	body := g.selection(typ, budget)
	g.fragments = append(g.fragments, diffFragment{name: name, on: typ, body: body, budget: budget})
	return "..." + name + g.directive()
}

// request builds the whole operation and the request that carries it.
func (g *diffGen) request() diffRequest {
	contacts := g.schema.Query.Fields.ForName("contacts")
	roots := []string{g.field("Query", contacts, 2)}
	if g.chance(0.15) {
		// A second contacts, aliased, with its own arguments.
		alias := g.name("a")
		roots = append(roots, alias+": contacts"+g.arguments("Query", contacts)+" "+g.selection("ContactConnection", 1))
	}
	if g.chance(0.1) {
		roots = append(roots, "__typename")
	}
	if g.chance(0.05) {
		roots = append(roots, "viewer { workspace { name plan } }")
	}
	g.rnd.Shuffle(len(roots), func(i, j int) { roots[i], roots[j] = roots[j], roots[i] })
	var doc strings.Builder
	doc.WriteString("query")
	if len(g.varDefs) > 0 {
		doc.WriteString("(" + strings.Join(g.varDefs, ", ") + ")")
	}
	doc.WriteString(" { " + strings.Join(roots, " ") + " }")
	for _, fr := range g.fragments {
		doc.WriteString("\nfragment " + fr.name + " on " + fr.on + " " + fr.body)
	}
	r := diffRequest{query: doc.String()}
	if len(g.vars) > 0 {
		r.vars = g.vars
	}
	if g.chance(0.1) && len(r.query) < 3000 {
		r.method = http.MethodGet
	}
	if g.chance(0.2) {
		r.accept = "application/graphql-response+json"
	}
	return r
}

// TestDirectPathIsTakenForTheDashboard: the dashboard read goes through the direct path, not
// through a silent fallback to gqlgen's executor (which would answer the same, so the
// differential tests cannot tell). The direct path's reason to exist is to skip gqlgen's
// per-field allocations, so the answer costs it less than half of gqlgen's allocations
// (issue #10 aims at about a fifth). Allocations are counted, not timed.
func TestDirectPathIsTakenForTheDashboard(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T) (generic, direct http.Handler, key string)
	}{
		{"every contact with lists and deals", func(t *testing.T) (http.Handler, http.Handler, string) {
			st := testenv.OpenStore(t)
			limits := testenv.LimitStore(t, testenv.UniquePrefix())
			generic := testenv.NewOn(t, st, limits, testenv.Options{GenericExecution: true})
			direct := testenv.NewOn(t, st, limits, testenv.Options{})
			ws, key := generic.Tenant(t, "Dashboard")
			seedDashboard(t, st, ws)
			return generic.Handler, direct.Handler, key
		}},
		// Contacts without lists or deals, nulls and raw bytes: none of it may send the
		// direct path back to gqlgen.
		{"the differential fixture", func(t *testing.T) (http.Handler, http.Handler, string) {
			f := newDiffFixture(t)
			return f.generic.Handler, f.direct.Handler, f.key
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			generic, direct, key := c.setup(t)
			r := diffRequest{query: diffDashboard}
			allocs := func(h http.Handler) float64 {
				return testing.AllocsPerRun(20, func() {
					if got := diffServe(h, r.build(key)); got.status != http.StatusOK {
						t.Fatalf("status %d: %s", got.status, got.body)
					}
				})
			}
			g, d := allocs(generic), allocs(direct)
			t.Logf("allocations per dashboard request: %.0f through gqlgen, %.0f through the direct path", g, d)
			if d >= g/2 {
				t.Errorf("the dashboard allocates %.0f times per request with the direct path, %.0f without: not under half, so the direct path is not taken", d, g)
			}
		})
	}
}

// TestDirectPathAnswersAsGqlgenInAnotherTimeZone runs the differential tests again in a
// process whose local time zone is not UTC (+05:45, with a 45-minute offset). The PostgreSQL
// driver hands back timestamps in the local zone, and gqlgen's Time marshaler converts them to
// UTC: the direct path must too, and on a UTC machine nobody would notice if it did not.
func TestDirectPathAnswersAsGqlgenInAnotherTimeZone(t *testing.T) {
	if os.Getenv("DIFF_TIME_ZONE_CHILD") != "" {
		t.Skip("already the child process")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestDirectPath(AnswersAsGqlgen|AnswersRandomQueriesAsGqlgen)$", "-test.count=1")
	cmd.Env = append(os.Environ(), "TZ=Asia/Kathmandu", "DIFF_TIME_ZONE_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("in time zone Asia/Kathmandu: %v\n%s", err, out)
	}
	if !bytes.Contains(out, []byte("PASS")) {
		t.Fatalf("the child process ran no test:\n%s", out)
	}
}

// TestDirectPathConcurrentAnswersStayApart: the direct path writes into pooled buffers.
// Requests of two workspaces at once, through the direct handler, must each get exactly the
// data gqlgen gives them alone: no buffer written by two requests, none handed back twice.
func TestDirectPathConcurrentAnswersStayApart(t *testing.T) {
	f := newDiffFixture(t)
	queries := []string{diffDashboard, `{ contacts(first: 40) { edges { cursor node { ` + diffEveryField + ` } } } }`,
		`{ contacts(first: 3) { totalCount nodes { id } } }`}
	type job struct {
		key, query string
		want       []byte
	}
	var jobs []job
	for _, key := range []string{f.key, f.foreignKey} {
		for _, q := range queries {
			got := diffServe(f.generic.Handler, diffRequest{query: q}.build(key))
			_, _, data := diffMember(got.body, "data")
			if got.status != http.StatusOK || data == nil || string(data) == "null" {
				t.Fatalf("status %d: %s", got.status, got.body)
			}
			jobs = append(jobs, job{key, q, data})
		}
	}
	const workers, rounds = 6, 20
	errs := make(chan string, workers*rounds)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < rounds; i++ {
				j := jobs[(w+i)%len(jobs)]
				got := diffServe(f.direct.Handler, diffRequest{query: j.query}.build(j.key))
				// Only data is compared: under concurrency the rate-limit counters in
				// extensions depend on the interleaving.
				if _, _, data := diffMember(got.body, "data"); !bytes.Equal(data, j.want) {
					errs <- fmt.Sprintf("worker %d, request %d: %.300s\nwant %.300s", w, i, data, j.want)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
