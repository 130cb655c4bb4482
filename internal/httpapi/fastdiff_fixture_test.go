package httpapi_test

// gqlfast (graph/fast.go) answers every query root field by writing JSON itself instead of
// through gqlgen's per-field execution. Nothing may tell the two apart: the
// tests below send every request to two handlers on one database and one rate-limit store, one
// built with gqlfast and one without it (testenv.Options.GenericExecution), and
// compare status, Content-Type and body byte for byte. Two things legitimately differ and are
// normalized, nothing else: the rate-limit counters each call changes (diffNormalize), and the
// order of errors, which gqlgen itself does not keep from one call to the next
// (diffErrorOrder). Both requests of a pair carry one X-Request-Id, so errors' requestId match.

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata" // the time zone of TestFastPathAnswersAsGqlgenInAnotherTimeZone, on any machine

	"github.com/wbk/crm/internal/ratelimit"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testenv"
	"github.com/wbk/crm/models"
)

// diffFixture is one database seen through both handlers, a workspace with awkward data and a

// second workspace whose data must never show up.
type diffFixture struct {
	generic, fast *testenv.Env
	key           string
	// writeOnlyKey lacks READ: the permission gate refuses contacts before any executor runs.
	writeOnlyKey string
	// foreignKey reads the second workspace, for the concurrency test only.
	foreignKey string
	// foreign holds the ids of the second workspace's records and the marker in its strings:
	// none may appear in any answer.
	foreign []string
	// Ids and cursors of the main workspace, for arguments.
	contactIDs, listIDs, dealIDs, campaignIDs []string
	contactCursors                            []string // the contacts, newest first (the default order)
	listCursors, dealCursors                  []string // nested edges' cursors, from several contacts
	memberCursors                             []string // List.contacts edges' cursors
	emptyListID                               string
	// answered counts the root fields gqlfast answered, by name.
	mu       sync.Mutex
	answered map[string]int
}

func (f *diffFixture) sawFast(field string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.answered == nil {
		f.answered = map[string]int{}
	}
	f.answered[field]++
}

// fastAnswered is how many times gqlfast answered the root field name.
func (f *diffFixture) fastAnswered(name string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.answered[name]
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
	}
	f.fast = testenv.NewOn(t, st, limits, testenv.Options{Now: clock, FastAnswered: f.sawFast})
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
	campaigns := []models.CreateCampaignInput{
		{Name: "Spring \"sale\" 😀", ListID: &f.listIDs[0], Subject: diffPtr("Hi\tthere"), Body: diffPtr("<b>bold</b> & more")},
		{Name: "No list"},
		{Name: "To the empty list", ListID: &f.emptyListID},
		{Name: "Leads again", ListID: &f.listIDs[1], Subject: diffPtr("Ångström")},
	}
	for _, in := range campaigns {
		c, err := st.CreateCampaign(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		f.campaignIDs = append(f.campaignIDs, c.ID)
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
