package httpapi_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/internal/testenv"
)

// ---------------------------------------------------------------------------------------------
// deals

const crudDealFields = `id title amount currency stage contact { id email } closeDate createdAt updatedAt`

// crudDeal is a deal asked for crudDealFields.
type crudDeal struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
	Stage    string `json:"stage"`
	Contact  *struct {
		ID    string `json:"id"`
		Email string `json:"email"`
	} `json:"contact"`
	CloseDate *string `json:"closeDate"`
	CreatedAt string  `json:"createdAt"`
	UpdatedAt string  `json:"updatedAt"`
}

func TestCrudDeals(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	const create = `mutation($in: CreateDealInput!) { createDeal(input: $in) { ` + crudDealFields + ` } }`
	const update = `mutation($id: ID!, $in: UpdateDealInput!) { updateDeal(id: $id, input: $in) { ` + crudDealFields + ` } }`
	const del = `mutation($id: ID!) { deleteDeal(id: $id) }`
	mk := func(t *testing.T, in map[string]any) crudDeal {
		t.Helper()
		return crudWrite[crudDeal](t, c, create, map[string]any{"in": in})
	}
	upd := func(t *testing.T, id string, in map[string]any) crudDeal {
		t.Helper()
		return crudWrite[crudDeal](t, c, update, map[string]any{"id": id, "in": in})
	}
	alice := c.newContact(t, "alice@example.com")
	bob := c.newContact(t, "bob@example.com")

	plain := mk(t, map[string]any{"title": "Starter"})
	plainID := plain.ID
	if ids.Kind(plainID) != ids.Deal {
		t.Errorf("deal id %q is not a dea_ id", plainID)
	}
	crudEqual(t, "default amount", plain.Amount, int64(0))
	crudEqual(t, "default currency", plain.Currency, "USD")
	crudEqual(t, "default stage", plain.Stage, "LEAD")
	if plain.Contact != nil || plain.CloseDate != nil {
		t.Errorf("contact, closeDate = %v, %v; want null", plain.Contact, plain.CloseDate)
	}
	crudEqual(t, "deal(id)", crudGet[crudDeal](t, c, "deal", plainID, crudDealFields), &plain)

	full := mk(t, map[string]any{"title": "Enterprise", "amount": 1250000, "currency": "usd", "stage": "PROPOSAL",
		"contactId": alice, "closeDate": "2026-12-31"})
	fullID := full.ID
	crudEqual(t, "amount", full.Amount, int64(1250000))
	crudEqual(t, "currency upper-cased", full.Currency, "USD")
	crudEqual(t, "stage", full.Stage, "PROPOSAL")
	if full.Contact == nil || full.Contact.ID != alice || full.Contact.Email != "alice@example.com" {
		t.Errorf("contact = %+v, want %s alice@example.com", full.Contact, alice)
	}
	crudEqual(t, "closeDate", full.CloseDate, crudStr("2026-12-31"))
	crudEqual(t, "deal(id) round trip", crudGet[crudDeal](t, c, "deal", fullID, crudDealFields), &full)

	t.Run("currencies", func(t *testing.T) {
		for in, want := range map[string]string{"eur": "EUR", " gbp ": "GBP", "JPY": "JPY", "Chf": "CHF"} {
			got := mk(t, map[string]any{"title": "FX " + in, "currency": in})
			crudEqual(t, "currency "+in, got.Currency, want)
		}
	})

	t.Run("empty closeDate is no date", func(t *testing.T) {
		got := mk(t, map[string]any{"title": "Undated", "closeDate": ""})
		if got.CloseDate != nil {
			t.Errorf(`closeDate "" = %q, want null`, *got.CloseDate)
		}
	})

	t.Run("large amounts are exact", func(t *testing.T) {
		got := mk(t, map[string]any{"title": "Whale", "amount": 9007199254740991})
		crudEqual(t, "amount", got.Amount, int64(9007199254740991))
		type amount struct{ Amount int64 }
		crudEqual(t, "deal(id).amount", crudGet[amount](t, c, "deal", got.ID, "amount"), &amount{9007199254740991})
	})

	t.Run("validation", func(t *testing.T) {
		before := c.count(t, `{ deals { totalCount } }`, nil, "deals")
		for _, tc := range []struct {
			name  string
			in    map[string]any
			code  string
			field string
		}{
			{"negative amount", map[string]any{"title": "T", "amount": -1}, "BAD_USER_INPUT", "input.amount"},
			{"currency XXX1", map[string]any{"title": "T", "currency": "XXX1"}, "BAD_USER_INPUT", "input.currency"},
			{"currency ABC", map[string]any{"title": "T", "currency": "ABC"}, "BAD_USER_INPUT", "input.currency"},
			{"currency empty", map[string]any{"title": "T", "currency": ""}, "BAD_USER_INPUT", "input.currency"},
			{"currency symbol", map[string]any{"title": "T", "currency": "$"}, "BAD_USER_INPUT", "input.currency"},
			{"closeDate month 13", map[string]any{"title": "T", "closeDate": "2026-13-01"}, "BAD_USER_INPUT", "input.closeDate"},
			{"closeDate February 30", map[string]any{"title": "T", "closeDate": "2026-02-30"}, "BAD_USER_INPUT", "input.closeDate"},
			{"closeDate day first", map[string]any{"title": "T", "closeDate": "31/12/2026"}, "BAD_USER_INPUT", "input.closeDate"},
			{"closeDate with a time", map[string]any{"title": "T", "closeDate": "2026-12-31T00:00:00Z"}, "BAD_USER_INPUT", "input.closeDate"},
			{"closeDate words", map[string]any{"title": "T", "closeDate": "next week"}, "BAD_USER_INPUT", "input.closeDate"},
			{"empty title", map[string]any{"title": " "}, "BAD_USER_INPUT", "input.title"},
			{"title over 255", map[string]any{"title": strings.Repeat("t", 256)}, "BAD_USER_INPUT", "input.title"},
			{"unknown contactId", map[string]any{"title": "T", "contactId": ids.New(ids.Contact)}, "NOT_FOUND", "input.contactId"},
			{"malformed contactId", map[string]any{"title": "T", "contactId": "nope"}, "NOT_FOUND", "input.contactId"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c.fails(t, create, map[string]any{"in": tc.in}, tc.code, tc.field)
			})
		}
		after := c.count(t, `{ deals { totalCount } }`, nil, "deals")
		if after != before {
			t.Errorf("invalid creates changed deals totalCount from %d to %d", before, after)
		}
	})

	t.Run("update is partial", func(t *testing.T) {
		got := upd(t, fullID, map[string]any{"stage": "WON"})
		want := full
		want.Stage, want.UpdatedAt = "WON", got.UpdatedAt // only the stage changes (and updatedAt)
		crudEqual(t, "updateDeal(stage)", got, want)
		got = upd(t, fullID, map[string]any{"contactId": bob, "closeDate": "2027-01-15", "amount": 5, "currency": "eur"})
		if got.Contact == nil || got.Contact.ID != bob {
			t.Errorf("contact = %+v, want %s", got.Contact, bob)
		}
		crudEqual(t, "closeDate", got.CloseDate, crudStr("2027-01-15"))
		crudEqual(t, "amount", got.Amount, int64(5))
		crudEqual(t, "currency", got.Currency, "EUR")
		crudEqual(t, "stage unchanged", got.Stage, "WON")
		for _, tc := range []struct {
			in    map[string]any
			code  string
			field string
		}{
			{map[string]any{"title": "Changed", "amount": -5}, "BAD_USER_INPUT", "input.amount"},
			{map[string]any{"title": "Changed", "currency": "ABC"}, "BAD_USER_INPUT", "input.currency"},
			{map[string]any{"title": "Changed", "closeDate": "2027-02-29"}, "BAD_USER_INPUT", "input.closeDate"},
			{map[string]any{"title": "Changed", "contactId": ids.New(ids.Contact)}, "NOT_FOUND", "input.contactId"},
			{map[string]any{"title": ""}, "BAD_USER_INPUT", "input.title"},
		} {
			c.fails(t, update, map[string]any{"id": fullID, "in": tc.in}, tc.code, tc.field)
		}
		crudEqual(t, "deal after rejected updates", crudGet[crudDeal](t, c, "deal", fullID, crudDealFields), &got)
		c.fails(t, update, map[string]any{"id": ids.New(ids.Deal), "in": map[string]any{"title": "x"}}, "NOT_FOUND", "")
	})

	t.Run("filters and Contact.deals", func(t *testing.T) {
		// Now: fullID is WON with bob; plain is LEAD without contact; the currency and whale
		// deals are LEAD without contact.
		a1 := mk(t, map[string]any{"title": "A1", "contactId": alice, "stage": "QUALIFIED"}).ID
		a2 := mk(t, map[string]any{"title": "A2", "contactId": alice, "stage": "WON"}).ID
		for _, tc := range []struct {
			filter map[string]any
			want   []string
		}{
			{map[string]any{"stage": "WON"}, []string{fullID, a2}},
			{map[string]any{"stage": "QUALIFIED"}, []string{a1}},
			{map[string]any{"stage": "NEGOTIATION"}, []string{}},
			{map[string]any{"contactId": alice}, []string{a1, a2}},
			{map[string]any{"contactId": bob}, []string{fullID}},
			{map[string]any{"contactId": alice, "stage": "WON"}, []string{a2}},
			{map[string]any{"contactId": ids.New(ids.Contact)}, []string{}},
		} {
			d := crudDo[struct{ Deals crudIDConn }](t, c, `query($f: DealFilter) { deals(filter: $f) { totalCount nodes { id } } }`,
				map[string]any{"f": tc.filter})
			crudEqual(t, fmt.Sprintf("deals(filter: %v)", tc.filter), d.Deals.ids(), testenv.Sorted(tc.want...))
			crudEqual(t, fmt.Sprintf("deals(filter: %v).totalCount", tc.filter), d.Deals.TotalCount, crudInt(len(tc.want)))
		}
		type ref struct{ ID string }
		ct := crudGet[struct {
			Deals struct {
				TotalCount *int
				Nodes      []struct {
					ID, Title, Stage string
					Contact          *ref
				}
			}
		}](t, c, "contact", alice, `deals { totalCount nodes { id title stage contact { id } } }`)
		if ct == nil {
			t.Fatal("alice is gone")
		}
		var aliceDeals []string
		for _, n := range ct.Deals.Nodes {
			aliceDeals = append(aliceDeals, n.ID)
		}
		crudEqual(t, "alice's deals", testenv.Sorted(aliceDeals...), testenv.Sorted(a1, a2))
		crudEqual(t, "alice's deals totalCount", ct.Deals.TotalCount, crudInt(2))
		for _, n := range ct.Deals.Nodes {
			crudEqual(t, "deal.contact inside Contact.deals", n.Contact, &ref{alice})
		}
		type perContact struct {
			Email string
			Deals crudTotal
		}
		d := crudDo[struct{ Contacts struct{ Nodes []perContact } }](t, c,
			`{ contacts(orderBy: {field: EMAIL, direction: ASC}) { nodes { email deals { totalCount } } } }`, nil)
		crudEqual(t, "deals per contact", d.Contacts.Nodes, []perContact{
			{"alice@example.com", crudTotal{crudInt(2)}},
			{"bob@example.com", crudTotal{crudInt(1)}},
		})
	})

	t.Run("unlink contact and delete", func(t *testing.T) {
		got := upd(t, fullID, map[string]any{"contactId": "", "closeDate": ""})
		if got.Contact != nil {
			t.Errorf("contact after unlinking = %+v, want null", *got.Contact)
		}
		if got.CloseDate != nil {
			t.Errorf("closeDate after clearing = %q, want null", *got.CloseDate)
		}
		d := crudDo[struct{ DeleteDeal *string }](t, c, del, map[string]any{"id": fullID})
		crudEqual(t, "deleteDeal", d.DeleteDeal, &fullID)
		if got := crudGet[struct{ ID string }](t, c, "deal", fullID, "id"); got != nil {
			t.Errorf("deal(id) after delete = %+v, want null", *got)
		}
		c.fails(t, del, map[string]any{"id": fullID}, "NOT_FOUND", "")
		c.fails(t, del, map[string]any{"id": "dea_nope"}, "NOT_FOUND", "")
		type withDeals struct {
			ID    string
			Deals crudTotal
		}
		got2 := crudGet[withDeals](t, c, "contact", bob, "id deals { totalCount }")
		crudEqual(t, "bob after deleting his deal", got2, &withDeals{bob, crudTotal{crudInt(0)}})
	})
}
