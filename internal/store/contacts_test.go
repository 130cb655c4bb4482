package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// What the store decides about contacts: normalisation, validation, uniqueness, partial
// updates, what a delete takes with it, and text kept verbatim. Each runs on SQLite and, with
// TEST_DATABASE_URL, on PostgreSQL.

// contactIDs returns the ids of the contacts filter finds (up to 100), sorted, and checks the
// connection's count agrees.
func contactIDs(t *testing.T, st *store.Store, ctx context.Context, filter *models.ContactFilter) []string {
	t.Helper()
	conn, err := st.Contacts(ctx, store.PageArgs{First: fxPtr(100)}, filter, nil)
	if err != nil {
		t.Fatalf("Contacts(%+v): %v", filter, err)
	}
	out := []string{}
	for _, e := range conn.Edges {
		out = append(out, e.Node.ID)
	}
	if n, err := conn.TotalCount(ctx); err != nil || n != len(out) {
		t.Errorf("Contacts(%+v): totalCount %d (%v), %d nodes", filter, n, err, len(out))
	}
	slices.Sort(out)
	return out
}

func sorted(s ...string) []string {
	out := append([]string{}, s...)
	slices.Sort(out)
	return out
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

func TestCreateContactNormalises(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	before := time.Now()
	c := fxContact(t, st, ctx, models.CreateContactInput{Email: "  Ann.Lee@Example.COM ", FirstName: fxPtr("Ann"),
		LastName: fxPtr("Lee"), Company: fxPtr("Acme"), Title: fxPtr("CTO"), Phone: fxPtr("+1 555 0100"),
		Tags: []string{"VIP", "vip", " Lead ", "lead", "Partner", "VIP"}})
	if ids.Kind(c.ID) != ids.Contact {
		t.Errorf("id %q is not a contact id", c.ID)
	}
	if c.Email != "ann.lee@example.com" || c.FullName() != "Ann Lee" || deref(c.Company) != "Acme" || deref(c.Phone) != "+1 555 0100" {
		t.Errorf("stored %q %q %q %q", c.Email, c.FullName(), deref(c.Company), deref(c.Phone))
	}
	if got := c.Tags(); !slices.Equal(got, []string{"vip", "lead", "partner"}) {
		t.Errorf("tags %v, want lower-cased, trimmed, de-duplicated in order", got)
	}
	if c.CreatedAt.Before(before.Add(-time.Second)) || c.UpdatedAt.Before(c.CreatedAt) {
		t.Errorf("createdAt %v, updatedAt %v", c.CreatedAt, c.UpdatedAt)
	}
	read, err := st.Contact(ctx, c.ID)
	if err != nil || read == nil || read.Email != c.Email || !slices.Equal(read.Tags(), c.Tags()) || deref(read.Title) != "CTO" {
		t.Fatalf("Contact(id) = %+v, %v", read, err)
	}
	// The stored tags are what the tag filter finds, whatever the case of the filter.
	if got := contactIDs(t, st, ctx, &models.ContactFilter{Tag: fxPtr("LEAD")}); !slices.Equal(got, []string{c.ID}) {
		t.Errorf("tagged LEAD: %v", got)
	}

	cases := []struct {
		name     string
		in       models.CreateContactInput
		fullName string
		first    *string
	}{
		{"email only", models.CreateContactInput{Email: "solo@example.org"}, "solo@example.org", nil},
		{"empty optional strings are absent", models.CreateContactInput{Email: "blank@example.org", FirstName: fxPtr(""),
			LastName: fxPtr("  "), Company: fxPtr(""), Tags: []string{}}, "blank@example.org", nil},
		{"first name trimmed", models.CreateContactInput{Email: "first@example.org", FirstName: fxPtr("  Zoë  ")}, "Zoë", fxPtr("Zoë")},
	}
	for _, tc := range cases {
		c := fxContact(t, st, ctx, tc.in)
		if c.FullName() != tc.fullName || deref(c.FirstName) != deref(tc.first) || c.LastName() != nil ||
			c.Company != nil || c.Title != nil || c.Phone != nil || len(c.Tags()) != 0 || c.Tags() == nil {
			t.Errorf("%s: %+v (fullName %q, tags %#v)", tc.name, c, c.FullName(), c.Tags())
		}
	}
	for _, id := range []string{ids.New(ids.Contact), "nope", "", ids.New(ids.List)} {
		if got, err := st.Contact(ctx, id); got != nil || apperr.CodeOf(err) != apperr.ENOTFOUND {
			t.Errorf("Contact(%q) = %+v, %v; want NOT_FOUND", id, got, err)
		}
	}
}

func TestUpdateContactChangesOnlyWhatIsGiven(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	prev := fxContact(t, st, ctx, models.CreateContactInput{Email: "bo@example.com", FirstName: fxPtr("Bo"),
		LastName: fxPtr("Diddley"), Company: fxPtr("Chess"), Title: fxPtr("Singer"), Phone: fxPtr("555-0101"),
		Tags: []string{"vip", "music"}})
	type view struct{ email, first, last, full, company, title, phone, tags string }
	show := func(c *models.Contact) view {
		return view{c.Email, deref(c.FirstName), deref(c.LastName()), c.FullName(), deref(c.Company), deref(c.Title),
			deref(c.Phone), strings.Join(c.Tags(), ",")}
	}
	steps := []struct {
		name string
		in   models.UpdateContactInput
		edit func(*view)
	}{
		{"one field", models.UpdateContactInput{Title: fxPtr("Guitarist")}, func(v *view) { v.title = "Guitarist" }},
		{"empty input", models.UpdateContactInput{}, nil},
		{"names", models.UpdateContactInput{FirstName: fxPtr("Ellas"), LastName: fxPtr("McDaniel")},
			func(v *view) { v.first, v.last, v.full = "Ellas", "McDaniel", "Ellas McDaniel" }},
		{"empty strings clear", models.UpdateContactInput{LastName: fxPtr(""), Company: fxPtr(""), Phone: fxPtr("")},
			func(v *view) { v.last, v.company, v.phone, v.full = "<nil>", "<nil>", "<nil>", "Ellas" }},
		{"blank clears too", models.UpdateContactInput{FirstName: fxPtr(""), Title: fxPtr(" ")},
			func(v *view) { v.first, v.title, v.full = "<nil>", "<nil>", "bo@example.com" }},
		{"own address in another case", models.UpdateContactInput{Email: fxPtr(" BO@Example.com ")}, nil},
		{"email normalised", models.UpdateContactInput{Email: fxPtr("Bo.Diddley@Example.com")},
			func(v *view) { v.email, v.full = "bo.diddley@example.com", "bo.diddley@example.com" }},
		{"tags replaced, not merged", models.UpdateContactInput{Tags: []string{"Legend", "LEGEND", "rock"}},
			func(v *view) { v.tags = "legend,rock" }},
	}
	for _, s := range steps {
		got, err := st.UpdateContact(ctx, prev.ID, s.in)
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		want := show(prev)
		if s.edit != nil {
			s.edit(&want)
		}
		if show(got) != want {
			t.Errorf("%s: %+v, want %+v", s.name, show(got), want)
		}
		if got.UpdatedAt.Before(prev.UpdatedAt) || !got.CreatedAt.Equal(prev.CreatedAt) {
			t.Errorf("%s: updatedAt %v after %v, createdAt %v then %v", s.name, got.UpdatedAt, prev.UpdatedAt, got.CreatedAt, prev.CreatedAt)
		}
		if read, err := st.Contact(ctx, prev.ID); err != nil || show(read) != show(got) {
			t.Errorf("%s: read back %+v (%v), want %+v", s.name, show(read), err, show(got))
		}
		prev = got
	}
	for tag, want := range map[string]int{"vip": 0, "music": 0, "legend": 1, "rock": 1} {
		if got := contactIDs(t, st, ctx, &models.ContactFilter{Tag: fxPtr(tag)}); len(got) != want {
			t.Errorf("tagged %q: %d, want %d", tag, len(got), want)
		}
	}
	if _, err := st.UpdateContact(ctx, prev.ID, models.UpdateContactInput{Tags: []string{}}); err != nil {
		t.Fatal(err)
	}
	if got := contactIDs(t, st, ctx, &models.ContactFilter{Tag: fxPtr("legend")}); len(got) != 0 {
		t.Errorf("tagged legend after clearing the tags: %v", got)
	}
	for _, bad := range []string{ids.New(ids.Contact), "nope"} {
		_, err := st.UpdateContact(ctx, bad, models.UpdateContactInput{Title: fxPtr("x")})
		fxWantCode(t, "update "+bad, err, apperr.ENOTFOUND, "")
	}
}

func TestDeleteContact(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	gone := fxContact(t, st, ctx, models.CreateContactInput{Email: "gone@example.com"})
	stays := fxContact(t, st, ctx, models.CreateContactInput{Email: "stays@example.com"})
	list := fxList(t, st, ctx, "Members")
	if _, err := st.AddContactsToList(ctx, list.ID, []string{gone.ID, stays.ID}); err != nil {
		t.Fatal(err)
	}
	deal, err := st.CreateDeal(ctx, models.CreateDealInput{Title: "Big one", ContactID: &gone.ID})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.DeleteContact(ctx, gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Contact(ctx, gone.ID); apperr.CodeOf(err) != apperr.ENOTFOUND {
		t.Errorf("Contact after delete: %v, want NOT_FOUND", err)
	}
	// Its list memberships go with it; its deals stay, without a contact.
	if got := contactIDs(t, st, ctx, &models.ContactFilter{ListID: &list.ID}); !slices.Equal(got, []string{stays.ID}) {
		t.Errorf("list members after delete: %v, want %s", got, stays.ID)
	}
	if counts, err := st.CountChildren(ctx, store.MembersOfList, []string{list.ID}); err != nil || counts[list.ID] != 1 {
		t.Errorf("list contactCount after delete: %v, %v; want 1", counts, err)
	}
	d, err := st.Deal(ctx, deal.ID)
	if err != nil || d.ContactID != nil || d.Title != "Big one" {
		t.Errorf("deal of the deleted contact: %+v, %v; want kept, without a contact", d, err)
	}
	deals, err := st.Deals(ctx, store.PageArgs{}, &models.DealFilter{ContactID: &gone.ID})
	if err != nil || len(deals.Edges) != 0 {
		t.Errorf("deals of the deleted contact: %v, %v", deals, err)
	}
	// Deleting or updating it again is NOT_FOUND; its address is free again, under a new id.
	for _, id := range []string{gone.ID, ids.New(ids.Contact), "garbage"} {
		fxWantCode(t, "delete "+id, st.DeleteContact(ctx, id), apperr.ENOTFOUND, "")
	}
	_, err = st.UpdateContact(ctx, gone.ID, models.UpdateContactInput{Title: fxPtr("x")})
	fxWantCode(t, "update after delete", err, apperr.ENOTFOUND, "")
	again := fxContact(t, st, ctx, models.CreateContactInput{Email: "gone@example.com"})
	if again.ID == gone.ID {
		t.Errorf("a new contact reused the deleted id %s", gone.ID)
	}
	lists, err := st.ListsOfContacts(ctx, []string{again.ID}, store.PageArgs{})
	if err != nil || len(lists[again.ID].Edges) != 0 {
		t.Errorf("lists of the re-created contact: %+v, %v; want none", lists[again.ID], err)
	}
}

func TestContactValidation(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	long := strings.Repeat("a", 256)
	tags := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("tag%d", i)
		}
		return out
	}
	invalid := []struct {
		name  string
		in    models.CreateContactInput
		field string
	}{
		{"empty email", models.CreateContactInput{Email: ""}, "input.email"},
		{"blank email", models.CreateContactInput{Email: "   "}, "input.email"},
		{"email without @", models.CreateContactInput{Email: "no-at"}, "input.email"},
		{"no dot in the domain", models.CreateContactInput{Email: "a@b"}, "input.email"},
		{"space", models.CreateContactInput{Email: "a b@c.com"}, "input.email"},
		{"display name", models.CreateContactInput{Email: "Name <a@b.co>"}, "input.email"},
		{"no local part", models.CreateContactInput{Email: "@b.co"}, "input.email"},
		{"trailing dot", models.CreateContactInput{Email: "a@b.co."}, "input.email"},
		{"two addresses", models.CreateContactInput{Email: "a@b.co, c@d.co"}, "input.email"},
		{"over 254", models.CreateContactInput{Email: strings.Repeat("a", 243) + "@example.com"}, "input.email"},
		{"control character", models.CreateContactInput{Email: "a\x01b@c.co"}, "input.email"},
		{"header injection", models.CreateContactInput{Email: "a@b.co\nBcc: x@y.co"}, "input.email"},
		{"firstName over 255", models.CreateContactInput{Email: "x@y.co", FirstName: &long}, "input.firstName"},
		{"firstName over 255 runes", models.CreateContactInput{Email: "x@y.co", FirstName: fxPtr(strings.Repeat("é", 256))}, "input.firstName"},
		{"lastName over 255", models.CreateContactInput{Email: "x@y.co", LastName: &long}, "input.lastName"},
		{"company over 255", models.CreateContactInput{Email: "x@y.co", Company: &long}, "input.company"},
		{"title over 255", models.CreateContactInput{Email: "x@y.co", Title: &long}, "input.title"},
		{"phone over 50", models.CreateContactInput{Email: "x@y.co", Phone: fxPtr(strings.Repeat("5", 51))}, "input.phone"},
		{"more than 50 tags", models.CreateContactInput{Email: "x@y.co", Tags: tags(51)}, "input.tags"},
		{"tag over 64", models.CreateContactInput{Email: "x@y.co", Tags: []string{"ok", strings.Repeat("t", 65)}}, "input.tags"},
		{"empty tag", models.CreateContactInput{Email: "x@y.co", Tags: []string{"ok", ""}}, "input.tags"},
		{"blank tag", models.CreateContactInput{Email: "x@y.co", Tags: []string{"  "}}, "input.tags"},
		{"NUL", models.CreateContactInput{Email: "x@y.co", FirstName: fxPtr("Ann\x00")}, "input.firstName"},
		{"BEL", models.CreateContactInput{Email: "x@y.co", LastName: fxPtr("Lee\x07")}, "input.lastName"},
		{"ESC", models.CreateContactInput{Email: "x@y.co", Company: fxPtr("\x1b[31mAcme")}, "input.company"},
		{"DEL", models.CreateContactInput{Email: "x@y.co", Title: fxPtr("Boss\x7f")}, "input.title"},
		{"C1 control", models.CreateContactInput{Email: "x@y.co", Phone: fxPtr("555\u009b0100")}, "input.phone"},
		{"control character in a tag", models.CreateContactInput{Email: "x@y.co", Tags: []string{"v\x01ip"}}, "input.tags"},
	}
	for _, tc := range invalid {
		_, err := st.CreateContact(ctx, tc.in)
		fxWantCode(t, "create: "+tc.name, err, apperr.EINVALID, tc.field)
	}
	if got := contactIDs(t, st, ctx, nil); len(got) != 0 {
		t.Fatalf("invalid creates left %d contacts", len(got))
	}
	// The same rules hold for updates, and a rejected update changes nothing.
	target := fxContact(t, st, ctx, models.CreateContactInput{Email: "target@example.com", FirstName: fxPtr("Tia"), Tags: []string{"keep"}})
	for _, tc := range invalid {
		in := models.UpdateContactInput{FirstName: tc.in.FirstName, LastName: tc.in.LastName, Company: tc.in.Company,
			Title: tc.in.Title, Phone: tc.in.Phone, Tags: tc.in.Tags}
		if tc.field == "input.email" {
			in.Email = &tc.in.Email
		}
		_, err := st.UpdateContact(ctx, target.ID, in)
		fxWantCode(t, "update: "+tc.name, err, apperr.EINVALID, tc.field)
	}
	if read, err := st.Contact(ctx, target.ID); err != nil || read.Email != target.Email || deref(read.FirstName) != "Tia" ||
		!slices.Equal(read.Tags(), []string{"keep"}) || !read.UpdatedAt.Equal(target.UpdatedAt) {
		t.Errorf("after rejected updates: %+v, %v", read, err)
	}

	// Values at the limits are accepted.
	at := strings.Repeat("a", 255)
	valid := []models.CreateContactInput{
		{FirstName: &at, LastName: &at, Company: &at, Title: &at},
		{FirstName: fxPtr(strings.Repeat("é", 255))},
		{Tags: tags(50)},
		{Tags: []string{strings.Repeat("t", 64)}},
		{Phone: fxPtr(strings.Repeat("5", 50))},
		{Company: fxPtr("Acme\tInc.\nLondon")}, // tab and newline are not refused as control characters
		{FirstName: fxPtr("Zoë"), LastName: fxPtr("Núñez-渡辺")},
	}
	for i, in := range valid {
		in.Email = fmt.Sprintf("limit%d@example.com", i)
		c, err := st.CreateContact(ctx, in)
		if err != nil {
			t.Errorf("limit %d (%+v): %v", i, in, err)
			continue
		}
		if deref(c.FirstName) != deref(in.FirstName) || deref(c.Company) != deref(in.Company) || len(c.Tags()) != len(in.Tags) {
			t.Errorf("limit %d: stored %+v", i, c)
		}
	}
	// 51 tags that are 50 once de-duplicated: either answer is defensible, but never more than
	// 50 distinct tags stored.
	if c, err := st.CreateContact(ctx, models.CreateContactInput{Email: "dedup@example.com", Tags: append(tags(50), "TAG0")}); err == nil && len(c.Tags()) > 50 {
		t.Errorf("stored %d tags", len(c.Tags()))
	} else if err != nil {
		fxWantCode(t, "51 tags, 50 distinct", err, apperr.EINVALID, "input.tags")
	}
}

func TestContactEmailIsUniquePerWorkspace(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	first := fxContact(t, st, ctx, models.CreateContactInput{Email: "dup@example.com", FirstName: fxPtr("First")})
	for _, email := range []string{"dup@example.com", "DUP@Example.COM", "  dup@example.com  "} {
		_, err := st.CreateContact(ctx, models.CreateContactInput{Email: email, FirstName: fxPtr("Second")})
		fxWantCode(t, "create "+email, err, apperr.ECONFLICT, "")
	}
	if read, err := st.Contact(ctx, first.ID); err != nil || deref(read.FirstName) != "First" || len(contactIDs(t, st, ctx, nil)) != 1 {
		t.Errorf("after conflicts: %+v, %v", read, err)
	}
	other := fxContact(t, st, ctx, models.CreateContactInput{Email: "other@example.com", FirstName: fxPtr("Other"), Tags: []string{"orig"}})
	rejected := []struct {
		name  string
		in    models.UpdateContactInput
		code  apperr.Code
		field string
	}{
		{"another contact's email", models.UpdateContactInput{Email: fxPtr("Dup@example.com")}, apperr.ECONFLICT, ""},
		{"valid name with an invalid email", models.UpdateContactInput{FirstName: fxPtr("Changed"), Email: fxPtr("not-an-email")}, apperr.EINVALID, "input.email"},
		{"a conflict rolls back names and tags", models.UpdateContactInput{FirstName: fxPtr("Changed"), Tags: []string{"changed"},
			Email: fxPtr("dup@example.com")}, apperr.ECONFLICT, ""},
	}
	for _, r := range rejected {
		_, err := st.UpdateContact(ctx, other.ID, r.in)
		fxWantCode(t, r.name, err, r.code, r.field)
		if read, err := st.Contact(ctx, other.ID); err != nil || read.Email != other.Email || deref(read.FirstName) != "Other" ||
			!slices.Equal(read.Tags(), []string{"orig"}) {
			t.Errorf("%s: the contact changed: %+v, %v", r.name, read, err)
		}
	}
	if got := contactIDs(t, st, ctx, &models.ContactFilter{Tag: fxPtr("changed")}); len(got) != 0 {
		t.Errorf("a rejected update left tags: %v", got)
	}
	// The same address in another workspace is no conflict.
	fxContact(t, st, fxOtherWorkspace(t, st), models.CreateContactInput{Email: "dup@example.com"})
}

// Writes racing for one address: exactly one wins, the others are CONFLICT, never a bug.
func TestConcurrentContactWrites(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	race := func(n int, op func(i int) error) (ok int, codes map[apperr.Code]int) {
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := make(chan struct{})
		for i := range n {
			wg.Add(1)
			go func() { defer wg.Done(); <-start; errs[i] = op(i) }()
		}
		close(start)
		wg.Wait()
		codes = map[apperr.Code]int{}
		for _, err := range errs {
			if err == nil {
				ok++
			} else {
				codes[apperr.CodeOf(err)]++
			}
		}
		return ok, codes
	}
	ok, codes := race(10, func(i int) error {
		email := []string{"race@example.com", "Race@Example.com"}[i%2]
		_, err := st.CreateContact(ctx, models.CreateContactInput{Email: email})
		return err
	})
	if ok != 1 || codes[apperr.ECONFLICT] != 9 {
		t.Errorf("creating one address at once: %d successes, errors %v", ok, codes)
	}
	movers := make([]string, 5)
	for i := range movers {
		movers[i] = fxContact(t, st, ctx, models.CreateContactInput{Email: fmt.Sprintf("mover%d@example.com", i)}).ID
	}
	ok, codes = race(len(movers), func(i int) error {
		_, err := st.UpdateContact(ctx, movers[i], models.UpdateContactInput{Email: fxPtr("target@example.com")})
		return err
	})
	if ok != 1 || codes[apperr.ECONFLICT] != len(movers)-1 {
		t.Errorf("moving several contacts to one address at once: %d successes, errors %v", ok, codes)
	}
	if got := contactIDs(t, st, ctx, &models.ContactFilter{Search: fxPtr("target@")}); len(got) != 1 {
		t.Errorf("holders of the target address: %v", got)
	}
	ok, codes = race(9, func(i int) error {
		_, err := st.CreateList(ctx, models.CreateListInput{Name: []string{"Launch", "LAUNCH", "launch"}[i%3]})
		return err
	})
	if ok != 1 || codes[apperr.ECONFLICT] != 8 {
		t.Errorf("creating one list name at once: %d successes, errors %v", ok, codes)
	}
}

// Text that looks like SQL, HTML or a LIKE pattern is stored and searched as text.
func TestContactTextIsVerbatim(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	const (
		html    = `<script>alert(1)</script>`
		sql     = `Robert'); DROP TABLE contacts;--`
		company = `100% "Quotes" & 'Apostrophes' <b>bold</b> \back\slash`
		tagSQL  = `'; drop table contact_tags;--`
		tagHTML = `<img src=x onerror=alert(1)>`
	)
	fxContact(t, st, ctx, models.CreateContactInput{Email: "plain.person@example.com"})
	c := fxContact(t, st, ctx, models.CreateContactInput{Email: "bobby@tables.example", FirstName: fxPtr(html), LastName: fxPtr(sql),
		Company: fxPtr(company), Title: fxPtr(`1' OR '1'='1`), Tags: []string{tagSQL, tagHTML}})
	read, err := st.Contact(ctx, c.ID)
	if err != nil || read.FullName() != html+" "+sql || deref(read.Company) != company || !slices.Equal(read.Tags(), []string{tagSQL, tagHTML}) {
		t.Fatalf("read back %+v, %v", read, err)
	}
	searches := []struct {
		filter models.ContactFilter
		want   []string
	}{
		{models.ContactFilter{Search: fxPtr("drop table")}, []string{c.ID}},
		{models.ContactFilter{Search: fxPtr("<SCRIPT>")}, []string{c.ID}},
		{models.ContactFilter{Search: fxPtr("%")}, []string{c.ID}}, // a LIKE wildcard only matches itself
		{models.ContactFilter{Search: fxPtr("_")}, []string{}},
		{models.ContactFilter{Search: fxPtr(`\back`)}, []string{c.ID}},
		{models.ContactFilter{Search: fxPtr("' OR '1'='1")}, []string{}},
		{models.ContactFilter{Company: fxPtr(strings.ToUpper(company))}, []string{c.ID}},
		{models.ContactFilter{Tag: fxPtr(tagSQL)}, []string{c.ID}},
		{models.ContactFilter{Tag: fxPtr(strings.ToUpper(tagHTML))}, []string{c.ID}},
	}
	for _, s := range searches {
		if got := contactIDs(t, st, ctx, &s.filter); !slices.Equal(got, sorted(s.want...)) {
			t.Errorf("Contacts(%+v) = %v, want %v", s.filter, got, s.want)
		}
	}
	l, err := st.CreateList(ctx, models.CreateListInput{Name: "x'); DELETE FROM lists;--", Description: fxPtr(html)})
	if err != nil || l.Name != "x'); DELETE FROM lists;--" || deref(l.Description) != html {
		t.Errorf("list: %+v, %v", l, err)
	}
	d, err := st.CreateDeal(ctx, models.CreateDealInput{Title: "Robert'); DROP TABLE deals;--"})
	if err != nil || d.Title != "Robert'); DROP TABLE deals;--" {
		t.Errorf("deal: %+v, %v", d, err)
	}
}
