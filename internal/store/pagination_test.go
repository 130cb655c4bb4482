package store_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// Keyset pagination as the store reads it: every connection is walked forwards (first/after)
// and backwards (last/before) in pages of walkSize, and the concatenation must be exactly the
// order the test computes on its own from the data it created; the arguments and cursors a
// connection refuses are refused with the argument they are about.

const walkSize = 7

// page is one page of any connection, as the walks read it.
type page struct {
	ids, cursors     []string
	hasNext, hasPrev bool
	start, end       *string
	total            int
}

// fetch reads one page of a connection with args.
type fetch func(args store.PageArgs) (page, error)

// pageOf reads a page from a connection's parts; node returns an edge's cursor and node id.
func pageOf[E any](ctx context.Context, edges []E, info *models.PageInfo, count models.Counter, node func(E) (string, string)) (page, error) {
	p := page{hasNext: info.HasNextPage, hasPrev: info.HasPreviousPage, start: info.StartCursor, end: info.EndCursor}
	for _, e := range edges {
		cursor, id := node(e)
		p.ids, p.cursors = append(p.ids, id), append(p.cursors, cursor)
	}
	var err error
	p.total, err = count(ctx)
	return p, err
}

func contactsFetch(st *store.Store, ctx context.Context, filter *models.ContactFilter, order *models.ContactOrder) fetch {
	return func(args store.PageArgs) (page, error) {
		c, err := st.Contacts(ctx, args, filter, order)
		if err != nil {
			return page{}, err
		}
		return pageOf(ctx, c.Edges, c.PageInfo, c.Count, func(e *models.ContactEdge) (string, string) { return e.Cursor, e.Node.ID })
	}
}

// checkPage checks that a page's parts agree with each other.
func checkPage(t *testing.T, what string, p page) {
	t.Helper()
	if len(p.ids) == 0 {
		if p.start != nil || p.end != nil {
			t.Errorf("%s: an empty page with start %v and end %v", what, deref(p.start), deref(p.end))
		}
		return
	}
	if p.start == nil || p.end == nil || *p.start != p.cursors[0] || *p.end != p.cursors[len(p.cursors)-1] {
		t.Errorf("%s: start %s and end %s are not the first and last edges' cursors", what, deref(p.start), deref(p.end))
	}
}

// walk reads all of want through fetch in pages of size, forwards then backwards, and once
// whole; every page's pageInfo and totalCount must agree with want.
func walk(t *testing.T, what string, f fetch, want []string) {
	t.Helper()
	all, err := f(store.PageArgs{First: fxPtr(100)})
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !slices.Equal(all.ids, want) || all.total != len(want) || all.hasNext || all.hasPrev {
		t.Fatalf("%s, one page: %v (total %d, next %v, prev %v), want %v", what, all.ids, all.total, all.hasNext, all.hasPrev, want)
	}
	var got []string
	var after *string
	for i := 0; ; i++ {
		p, err := f(store.PageArgs{First: fxPtr(walkSize), After: after})
		if err != nil {
			t.Fatalf("%s, forward page %d: %v", what, i, err)
		}
		checkPage(t, what, p)
		got = append(got, p.ids...)
		if p.hasNext != (len(got) < len(want)) || p.hasPrev != (after != nil) || p.total != len(want) {
			t.Errorf("%s, forward page %d: next %v prev %v total %d after %d of %d", what, i, p.hasNext, p.hasPrev, p.total, len(got), len(want))
		}
		if !p.hasNext || i > len(want) {
			break
		}
		after = p.end
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s, forward: %v, want %v", what, got, want)
	}
	got = nil
	var before *string
	for i := 0; ; i++ {
		p, err := f(store.PageArgs{Last: fxPtr(walkSize), Before: before})
		if err != nil {
			t.Fatalf("%s, backward page %d: %v", what, i, err)
		}
		checkPage(t, what, p)
		got = append(append([]string{}, p.ids...), got...)
		if p.hasPrev != (len(got) < len(want)) || p.hasNext != (before != nil) {
			t.Errorf("%s, backward page %d: next %v prev %v after %d of %d", what, i, p.hasNext, p.hasPrev, len(got), len(want))
		}
		if !p.hasPrev || i > len(want) {
			break
		}
		before = p.start
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s, backward: %v, want %v", what, got, want)
	}
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func pick(ids []string, match func(i int) bool) []string {
	out := []string{}
	for i, id := range ids {
		if match(i) {
			out = append(out, id)
		}
	}
	return out
}

// seeded is what the test knows about a contact it created.
type seeded struct {
	id, email, first, last, company string
	tags                            []string
	inList                          bool
	updatedAt                       time.Time
}

var (
	seedWords = []string{"oscar", "alpha", "kilo", "bravo", "zulu", "delta", "hotel", "echo", "lima", "foxtrot",
		"golf", "india", "juliet", "mike", "november", "papa", "quebec", "romeo", "sierra", "tango",
		"uniform", "victor", "whiskey", "xray", "yankee", "charlie", "amber", "onyx", "jade", "ruby"}
	// Duplicated last names make runs of equal values that cross page boundaries, so the id
	// tie-breaker decides what comes next.
	seedLastNames = []string{"Smith", "", "Nguyen", "Smith", "Adams", "Smith", "Baker", "", "Nguyen", "Smith",
		"Carter", "Smith", "Diaz", "", "Evans", "Smith", "Nguyen", "Foster", "Garcia", "",
		"Harris", "Ito", "Smithson", "Jones", "Klein", "Lopez", "Moore", "Smith", "Baker", "Young"}
	seedFirstNames = []string{"Ann", "Ben", "Cleo", "Dan", "Eve", "Finn", "Gus", "Hana", "Ivo", "Jun"}
)

// seedContacts creates 30 contacts, a list with half of them, and updates six so that the
// updatedAt order differs from the creation order.
func seedContacts(t *testing.T, st *store.Store, ctx context.Context) ([]*seeded, string) {
	t.Helper()
	var cs []*seeded
	for i, last := range seedLastNames {
		s := &seeded{first: seedFirstNames[i%len(seedFirstNames)], last: last}
		domain := []string{"example.com", "mail.test"}[i%2]
		s.email = seedWords[(i*7)%len(seedWords)] + "@" + domain
		in := models.CreateContactInput{Email: strings.ToUpper(s.email[:1]) + s.email[1:], FirstName: &s.first, LastName: &s.last}
		switch {
		case i%3 == 0:
			s.company = []string{"Acme", "ACME", "acme"}[(i/3)%3]
		case i%3 == 1:
			s.company = "Globex"
		case i%5 == 0:
			s.company = "Smithworks"
		}
		in.Company = &s.company
		switch {
		case i%4 == 1:
			s.tags, in.Tags = []string{"vip"}, []string{[]string{"VIP", "vip"}[i%2]}
		case i%5 == 0:
			s.tags, in.Tags = []string{"lead"}, []string{"Lead"}
		}
		c := fxContact(t, st, ctx, in)
		s.id, s.updatedAt = c.ID, c.UpdatedAt
		cs = append(cs, s)
	}
	for _, u := range []struct {
		idx int
		in  models.UpdateContactInput
	}{
		{11, models.UpdateContactInput{Title: fxPtr("CTO")}},
		{2, models.UpdateContactInput{Tags: []string{"VIP", "renewal"}}},
		{26, models.UpdateContactInput{LastName: fxPtr("Smith")}},
		{0, models.UpdateContactInput{Phone: fxPtr("+1 555 0100")}},
		{19, models.UpdateContactInput{Title: fxPtr("Buyer")}},
		{7, models.UpdateContactInput{Title: fxPtr("Owner")}},
	} {
		s := cs[u.idx]
		c, err := st.UpdateContact(ctx, s.id, u.in)
		if err != nil || !c.UpdatedAt.After(s.updatedAt) {
			t.Fatalf("update %d: %v (updatedAt %v after %v)", u.idx, err, c.UpdatedAt, s.updatedAt)
		}
		s.updatedAt, s.last, s.tags = c.UpdatedAt, deref(c.LastName()), c.Tags()
		if s.last == "<nil>" {
			s.last = ""
		}
	}
	list := fxList(t, st, ctx, "Walk")
	var members []string
	for i, s := range cs {
		if i%2 == 0 {
			s.inList = true
			members = append(members, s.id)
		}
	}
	if _, err := st.AddContactsToList(ctx, list.ID, members); err != nil {
		t.Fatal(err)
	}
	return cs, list.ID
}

// expectContacts is the order the store must return: the matching contacts sorted by (value,
// id), reversed as a whole for DESC.
func expectContacts(cs []*seeded, match func(*seeded) bool, field models.ContactOrderField, dir models.OrderDirection) []string {
	var sel []*seeded
	for _, c := range cs {
		if match(c) {
			sel = append(sel, c)
		}
	}
	key := func(c *seeded) string { return "" } // CREATED_AT: ids are time-ordered
	switch field {
	case models.ContactOrderFieldUpdatedAt:
		key = func(c *seeded) string { return c.updatedAt.UTC().Format("2006-01-02T15:04:05.000000") }
	case models.ContactOrderFieldEmail:
		key = func(c *seeded) string { return c.email }
	case models.ContactOrderFieldLastName:
		key = func(c *seeded) string { return c.last }
	}
	sort.Slice(sel, func(i, j int) bool {
		if ki, kj := key(sel[i]), key(sel[j]); ki != kj {
			return ki < kj
		}
		return sel[i].id < sel[j].id
	})
	out := []string{}
	for _, c := range sel {
		out = append(out, c.id)
	}
	if dir == models.OrderDirectionDesc {
		return reversed(out)
	}
	return out
}

func TestContactPagination(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	cs, listID := seedContacts(t, st, ctx)
	filters := []struct {
		name   string
		filter *models.ContactFilter
		match  func(*seeded) bool
	}{
		{"none", nil, func(*seeded) bool { return true }},
		{"company", &models.ContactFilter{Company: fxPtr("acme")}, func(c *seeded) bool { return strings.EqualFold(c.company, "acme") }},
		{"tag", &models.ContactFilter{Tag: fxPtr("VIP")}, func(c *seeded) bool { return slices.Contains(c.tags, "vip") }},
		{"search", &models.ContactFilter{Search: fxPtr("SMITH")}, func(c *seeded) bool {
			return strings.Contains(strings.ToLower(c.email+" "+c.first+" "+c.last+" "+c.company), "smith")
		}},
		{"listId", &models.ContactFilter{ListID: &listID}, func(c *seeded) bool { return c.inList }},
	}
	// The data must make the orderings differ and the filters span pages, or the walks prove little.
	orders := map[string]bool{}
	for _, f := range models.AllContactOrderField {
		orders[strings.Join(expectContacts(cs, filters[0].match, f, models.OrderDirectionAsc), ",")] = true
	}
	if len(orders) != len(models.AllContactOrderField) {
		t.Fatalf("the seed gives %d distinct orders for %d order fields", len(orders), len(models.AllContactOrderField))
	}
	for _, field := range models.AllContactOrderField {
		for _, dir := range models.AllOrderDirection {
			for _, f := range filters {
				want := expectContacts(cs, f.match, field, dir)
				if f.filter != nil && (len(want) <= walkSize || len(want) == len(cs)) {
					t.Fatalf("filter %s matches %d contacts: it should span pages and leave some out", f.name, len(want))
				}
				walk(t, fmt.Sprintf("%s %s, filter %s", field, dir, f.name), contactsFetch(st, ctx, f.filter, &models.ContactOrder{Field: field, Direction: dir}), want)
			}
		}
	}

	// The default: newest first, 20 at a time; its cursors continue CREATED_AT DESC.
	newest := expectContacts(cs, filters[0].match, models.ContactOrderFieldCreatedAt, models.OrderDirectionDesc)
	def := contactsFetch(st, ctx, nil, nil)
	p, err := def(store.PageArgs{})
	if err != nil || !slices.Equal(p.ids, newest[:models.DefaultPageSize]) || !p.hasNext || p.hasPrev || p.total != len(cs) {
		t.Errorf("default page: %v (%v), next %v prev %v total %d", p.ids, err, p.hasNext, p.hasPrev, p.total)
	}
	explicit := contactsFetch(st, ctx, nil, &models.ContactOrder{Field: models.ContactOrderFieldCreatedAt, Direction: models.OrderDirectionDesc})
	if rest, err := explicit(store.PageArgs{After: p.end}); err != nil || !slices.Equal(rest.ids, newest[models.DefaultPageSize:]) {
		t.Errorf("after the default page: %v, %v", rest.ids, err)
	}
	if none, err := explicit(store.PageArgs{Before: &p.cursors[0]}); err != nil || len(none.ids) != 0 {
		t.Errorf("before the newest: %v, %v", none.ids, err)
	}
	if tail, err := def(store.PageArgs{Last: fxPtr(models.DefaultPageSize)}); err != nil || !slices.Equal(tail.ids, newest[len(newest)-models.DefaultPageSize:]) {
		t.Errorf("last 20: %v, %v", tail.ids, err)
	}
	for _, args := range []store.PageArgs{{First: fxPtr(0)}, {Last: fxPtr(0)}} {
		if p, err := def(args); err != nil || len(p.ids) != 0 || p.start != nil || p.total != len(cs) {
			t.Errorf("a page of 0: %v, %v (total %d)", p.ids, err, p.total)
		}
	}
	// After the last item: an empty page that has a previous one.
	if p, err := def(store.PageArgs{After: &newest[0]}); err == nil {
		t.Errorf("an id as a cursor: %v", p.ids)
	}
	all, _ := def(store.PageArgs{First: fxPtr(100)})
	if p, err := def(store.PageArgs{After: all.end}); err != nil || len(p.ids) != 0 || p.hasNext || !p.hasPrev {
		t.Errorf("after the last item: %v, %v, next %v prev %v", p.ids, err, p.hasNext, p.hasPrev)
	}
	if p, err := def(store.PageArgs{First: fxPtr(0), After: &all.cursors[0]}); err != nil || len(p.ids) != 0 || !p.hasPrev {
		t.Errorf("a page of 0 after a cursor: %v, %v, prev %v", p.ids, err, p.hasPrev)
	}
}

func TestPageArgumentsAndCursorsAreChecked(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	cs, _ := seedContacts(t, st, ctx)
	def := contactsFetch(st, ctx, nil, nil)
	valid := func(f fetch) string {
		p, err := f(store.PageArgs{First: fxPtr(2)})
		if err != nil || len(p.cursors) != 2 {
			t.Fatalf("a page of 2: %v, %v", p.ids, err)
		}
		return p.cursors[1]
	}
	cursor := valid(def)
	raw := func(s string) *string { return fxPtr(base64.RawURLEncoding.EncodeToString([]byte(s))) }
	updated := &models.ContactOrder{Field: models.ContactOrderFieldUpdatedAt, Direction: models.OrderDirectionAsc}
	cases := []struct {
		name  string
		f     fetch
		args  store.PageArgs
		field string
	}{
		{"first over 100", def, store.PageArgs{First: fxPtr(101)}, "first"},
		{"first far over 100", def, store.PageArgs{First: fxPtr(1 << 30)}, "first"},
		{"last over 100", def, store.PageArgs{Last: fxPtr(101)}, "last"},
		{"first negative", def, store.PageArgs{First: fxPtr(-1)}, "first"},
		{"last negative", def, store.PageArgs{Last: fxPtr(-1)}, "last"},
		{"first and last", def, store.PageArgs{First: fxPtr(5), Last: fxPtr(5)}, "last"},
		{"first with before", def, store.PageArgs{First: fxPtr(5), Before: &cursor}, "before"},
		{"last with after", def, store.PageArgs{Last: fxPtr(5), After: &cursor}, "after"},
		{"garbage after", def, store.PageArgs{After: fxPtr("!!not a cursor!!")}, "after"},
		{"garbage before", def, store.PageArgs{Last: fxPtr(5), Before: fxPtr("%%%")}, "before"},
		{"base64 but not a cursor", def, store.PageArgs{After: raw("nope")}, "after"},
		{"empty cursor", def, store.PageArgs{After: fxPtr("")}, "after"},
		{"cursor without id", def, store.PageArgs{After: raw(`{"o":"created"}`)}, "after"},
		{"bad time in after", contactsFetch(st, ctx, nil, updated), store.PageArgs{After: raw(`{"o":"updated","v":"yesterday","i":"` + cs[0].id + `"}`)}, "after"},
		{"bad time in before", contactsFetch(st, ctx, nil, updated), store.PageArgs{Last: fxPtr(5), Before: raw(`{"o":"updated","v":"yesterday","i":"` + cs[0].id + `"}`)}, "before"},
	}
	// A cursor is a position in one ordering of one connection: elsewhere it is refused.
	cursors := map[models.ContactOrderField]string{}
	for _, field := range models.AllContactOrderField {
		cursors[field] = valid(contactsFetch(st, ctx, nil, &models.ContactOrder{Field: field, Direction: models.OrderDirectionAsc}))
	}
	for _, from := range models.AllContactOrderField {
		for _, to := range models.AllContactOrderField {
			if from == to {
				continue
			}
			c := cursors[from]
			f := contactsFetch(st, ctx, nil, &models.ContactOrder{Field: to, Direction: models.OrderDirectionAsc})
			cases = append(cases, struct {
				name  string
				f     fetch
				args  store.PageArgs
				field string
			}{fmt.Sprintf("a %s cursor in %s", from, to), f, store.PageArgs{After: &c}, "after"},
				struct {
					name  string
					f     fetch
					args  store.PageArgs
					field string
				}{fmt.Sprintf("a %s cursor before, in %s", from, to), f, store.PageArgs{Last: fxPtr(2), Before: &c}, "before"})
		}
	}
	lists := func(args store.PageArgs) (page, error) {
		c, err := st.Lists(ctx, args, nil)
		if err != nil {
			return page{}, err
		}
		return pageOf(ctx, c.Edges, c.PageInfo, c.Count, func(e *models.ListEdge) (string, string) { return e.Cursor, e.Node.ID })
	}
	cases = append(cases, struct {
		name  string
		f     fetch
		args  store.PageArgs
		field string
	}{"a contacts cursor on lists", lists, store.PageArgs{After: &cursor}, "after"}, struct {
		name  string
		f     fetch
		args  store.PageArgs
		field string
	}{"a page of 0 after a contacts cursor on lists", lists, store.PageArgs{First: fxPtr(0), After: &cursor}, "after"})
	for _, tc := range cases {
		p, err := tc.f(tc.args)
		if apperr.CodeOf(err) != apperr.EINVALID || apperr.As(err).Field != tc.field {
			t.Errorf("%s: %v (%v), want EINVALID on %s", tc.name, err, p.ids, tc.field)
		}
	}
	// The same ordering read the other way is a valid position.
	emailDesc := contactsFetch(st, ctx, nil, &models.ContactOrder{Field: models.ContactOrderFieldEmail, Direction: models.OrderDirectionDesc})
	c := cursors[models.ContactOrderFieldEmail]
	want := expectContacts(cs, func(*seeded) bool { return true }, models.ContactOrderFieldEmail, models.OrderDirectionAsc)[:1]
	if p, err := emailDesc(store.PageArgs{After: &c}); err != nil || !slices.Equal(p.ids, want) {
		t.Errorf("an EMAIL ASC cursor read DESC: %v, %v; want %v", p.ids, err, want)
	}
}

// Lists, deals and campaigns read newest first; each filter is walked both ways.
func TestConnectionPagination(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	var lists, deals, campaigns []string
	for i := range 17 {
		name := fmt.Sprintf("Team %02d", i)
		if i%2 == 0 {
			name = fmt.Sprintf("VIP tier %02d", i)
		}
		lists = append(lists, fxList(t, st, ctx, name).ID)
	}
	buyer := fxContact(t, st, ctx, models.CreateContactInput{Email: "buyer@example.com"}).ID
	stages := []models.DealStage{models.DealStageLead, models.DealStageQualified, models.DealStageNegotiation}
	for i := range 20 {
		in := models.CreateDealInput{Title: fmt.Sprintf("Deal %02d", i), Amount: fxPtr(1000 * i), Stage: &stages[i%3]}
		if i%2 == 0 {
			in.ContactID = &buyer
		}
		d, err := st.CreateDeal(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		deals = append(deals, d.ID)
	}
	future := time.Now().UTC().Add(72 * time.Hour)
	for i := range 16 {
		in := models.CreateCampaignInput{Name: fmt.Sprintf("Campaign %02d", i)}
		if i%2 == 0 {
			in.ListID = &lists[0]
		}
		if i%3 == 0 {
			in.ScheduledAt = &future
		}
		c, err := st.CreateCampaign(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		campaigns = append(campaigns, c.ID)
	}
	listsOf := func(f *models.ListFilter) fetch {
		return func(args store.PageArgs) (page, error) {
			c, err := st.Lists(ctx, args, f)
			if err != nil {
				return page{}, err
			}
			return pageOf(ctx, c.Edges, c.PageInfo, c.Count, func(e *models.ListEdge) (string, string) { return e.Cursor, e.Node.ID })
		}
	}
	dealsOf := func(f *models.DealFilter) fetch {
		return func(args store.PageArgs) (page, error) {
			c, err := st.Deals(ctx, args, f)
			if err != nil {
				return page{}, err
			}
			return pageOf(ctx, c.Edges, c.PageInfo, c.Count, func(e *models.DealEdge) (string, string) { return e.Cursor, e.Node.ID })
		}
	}
	campaignsOf := func(f *models.CampaignFilter) fetch {
		return func(args store.PageArgs) (page, error) {
			c, err := st.Campaigns(ctx, args, f)
			if err != nil {
				return page{}, err
			}
			return pageOf(ctx, c.Edges, c.PageInfo, c.Count, func(e *models.CampaignEdge) (string, string) { return e.Cursor, e.Node.ID })
		}
	}
	newest := func(ids []string, match func(i int) bool) []string { return reversed(pick(ids, match)) }
	all := func(int) bool { return true }
	draft, scheduled := models.CampaignStatusDraft, models.CampaignStatusScheduled
	won := models.DealStageWon
	cases := []struct {
		name string
		f    fetch
		want []string
	}{
		{"lists", listsOf(nil), newest(lists, all)},
		{"lists matching vip", listsOf(&models.ListFilter{Search: fxPtr("vip")}), newest(lists, func(i int) bool { return i%2 == 0 })},
		{"lists matching nothing", listsOf(&models.ListFilter{Search: fxPtr("nothing like it")}), []string{}},
		{"deals", dealsOf(nil), newest(deals, all)},
		{"deals QUALIFIED", dealsOf(&models.DealFilter{Stage: &stages[1]}), newest(deals, func(i int) bool { return i%3 == 1 })},
		{"deals WON", dealsOf(&models.DealFilter{Stage: &won}), []string{}},
		{"deals of a contact", dealsOf(&models.DealFilter{ContactID: &buyer}), newest(deals, func(i int) bool { return i%2 == 0 })},
		{"deals LEAD of a contact", dealsOf(&models.DealFilter{Stage: &stages[0], ContactID: &buyer}), newest(deals, func(i int) bool { return i%6 == 0 })},
		{"campaigns", campaignsOf(nil), newest(campaigns, all)},
		{"campaigns of a list", campaignsOf(&models.CampaignFilter{ListID: &lists[0]}), newest(campaigns, func(i int) bool { return i%2 == 0 })},
		{"campaigns SCHEDULED", campaignsOf(&models.CampaignFilter{Status: &scheduled}), newest(campaigns, func(i int) bool { return i%3 == 0 })},
		{"campaigns DRAFT of a list", campaignsOf(&models.CampaignFilter{Status: &draft, ListID: &lists[0]}), newest(campaigns, func(i int) bool { return i%2 == 0 && i%3 != 0 })},
	}
	for _, c := range cases {
		walk(t, c.name, c.f, c.want)
	}
}
