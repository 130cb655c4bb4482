package store_test

import (
	"strings"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

func TestCreateDealRules(t *testing.T) {
	st, ctx, ws := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	mine := fxContact(t, st, ctx, models.CreateContactInput{Email: "mine@example.com"})
	theirs := fxContact(t, st, other, models.CreateContactInput{Email: "theirs@example.com"})
	const maxAmount = 1<<53 - 1

	for _, tc := range []struct {
		name     string
		in       models.CreateDealInput
		code     apperr.Code
		field    string
		amount   int64
		currency string
		stage    models.DealStage
	}{
		{name: "defaults", in: models.CreateDealInput{Title: "Plain"}, currency: "USD", stage: models.DealStageLead},
		{name: "currency normalised", in: models.CreateDealInput{Title: "Euro", Amount: fxPtr(1250), Currency: fxPtr(" eur "), Stage: fxPtr(models.DealStageWon)},
			amount: 1250, currency: "EUR", stage: models.DealStageWon},
		{name: "largest amount", in: models.CreateDealInput{Title: "Max", Amount: fxPtr(maxAmount)}, amount: maxAmount, currency: "USD", stage: models.DealStageLead},
		{name: "with a contact and a close date", in: models.CreateDealInput{Title: "Linked", ContactID: &mine.ID, CloseDate: fxPtr(models.Date("2031-12-31"))},
			currency: "USD", stage: models.DealStageLead},
		{name: "title required", in: models.CreateDealInput{Title: ""}, code: apperr.EINVALID, field: "input.title"},
		{name: "negative amount", in: models.CreateDealInput{Title: "x", Amount: fxPtr(-1)}, code: apperr.EINVALID, field: "input.amount"},
		{name: "amount past 2^53", in: models.CreateDealInput{Title: "x", Amount: fxPtr(maxAmount + 1)}, code: apperr.EINVALID, field: "input.amount"},
		{name: "unknown currency", in: models.CreateDealInput{Title: "x", Currency: fxPtr("XXY")}, code: apperr.EINVALID, field: "input.currency"},
		{name: "not a currency code", in: models.CreateDealInput{Title: "x", Currency: fxPtr("dollars")}, code: apperr.EINVALID, field: "input.currency"},
		{name: "unknown stage", in: models.CreateDealInput{Title: "x", Stage: fxPtr(models.DealStage("MAYBE"))}, code: apperr.EINVALID, field: "input.stage"},
		{name: "unknown contact", in: models.CreateDealInput{Title: "x", ContactID: fxPtr("con_nope")}, code: apperr.ENOTFOUND, field: "input.contactId"},
		{name: "another workspace's contact", in: models.CreateDealInput{Title: "x", ContactID: &theirs.ID}, code: apperr.ENOTFOUND, field: "input.contactId"},
	} {
		d, err := st.CreateDeal(ctx, tc.in)
		if tc.code != "" {
			fxWantCode(t, tc.name, err, tc.code, tc.field)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		stored, err := st.Deal(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, got := range []*models.Deal{d, stored} {
			if got.Amount != tc.amount || got.Currency != tc.currency || got.Stage != tc.stage || got.WorkspaceID != ws.ID {
				t.Errorf("%s: %+v, want amount %d %s, stage %s", tc.name, got, tc.amount, tc.currency, tc.stage)
			}
		}
		if tc.in.ContactID != nil && (stored.ContactID == nil || *stored.ContactID != mine.ID || stored.CloseDate == nil || *stored.CloseDate != "2031-12-31") {
			t.Errorf("%s: contact %v close date %v", tc.name, stored.ContactID, stored.CloseDate)
		}
	}
	if n, err := st.CountDeals(ctx, nil); err != nil || n != 4 {
		t.Errorf("%d deals stored (%v), want the 4 accepted", n, err)
	}
}

func TestUpdateDealRules(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	c1 := fxContact(t, st, ctx, models.CreateContactInput{Email: "c1@example.com"})
	c2 := fxContact(t, st, ctx, models.CreateContactInput{Email: "c2@example.com"})
	fresh := func() *models.Deal {
		d, err := st.CreateDeal(ctx, models.CreateDealInput{Title: "Deal", Amount: fxPtr(100), ContactID: &c1.ID, CloseDate: fxPtr(models.Date("2031-01-01"))})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, tc := range []struct {
		name  string
		in    models.UpdateDealInput
		code  apperr.Code
		field string
		check func(d *models.Deal) bool
	}{
		{name: "stage", in: models.UpdateDealInput{Stage: fxPtr(models.DealStageNegotiation)},
			check: func(d *models.Deal) bool {
				return d.Stage == models.DealStageNegotiation && d.Amount == 100 && *d.ContactID == c1.ID
			}},
		{name: "another contact", in: models.UpdateDealInput{ContactID: &c2.ID},
			check: func(d *models.Deal) bool { return d.ContactID != nil && *d.ContactID == c2.ID }},
		{name: "empty contactId clears it", in: models.UpdateDealInput{ContactID: fxPtr("")},
			check: func(d *models.Deal) bool { return d.ContactID == nil }},
		{name: "empty close date clears it", in: models.UpdateDealInput{CloseDate: fxPtr(models.Date(""))},
			check: func(d *models.Deal) bool { return d.CloseDate == nil && d.Title == "Deal" }},
		{name: "amount zero", in: models.UpdateDealInput{Amount: fxPtr(0), Currency: fxPtr("jpy")},
			check: func(d *models.Deal) bool { return d.Amount == 0 && d.Currency == "JPY" }},
		{name: "title trimmed", in: models.UpdateDealInput{Title: fxPtr(" Renamed ")},
			check: func(d *models.Deal) bool { return d.Title == "Renamed" }},
		{name: "bad stage", in: models.UpdateDealInput{Stage: fxPtr(models.DealStage("lost"))}, code: apperr.EINVALID, field: "input.stage"},
		{name: "bad amount", in: models.UpdateDealInput{Amount: fxPtr(-5)}, code: apperr.EINVALID, field: "input.amount"},
		{name: "foreign contact", in: models.UpdateDealInput{ContactID: fxPtr("con_nope")}, code: apperr.ENOTFOUND, field: "input.contactId"},
	} {
		d := fresh()
		got, err := st.UpdateDeal(ctx, d.ID, tc.in)
		stored, serr := st.Deal(ctx, d.ID)
		if serr != nil {
			t.Fatal(serr)
		}
		if tc.code != "" {
			fxWantCode(t, tc.name, err, tc.code, tc.field)
			if stored.Amount != 100 || stored.Stage != models.DealStageLead || stored.ContactID == nil {
				t.Errorf("%s: a refused update changed the deal: %+v", tc.name, stored)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if !tc.check(got) || !tc.check(stored) {
			t.Errorf("%s: returned %+v, stored %+v", tc.name, got, stored)
		}
	}
	d := fresh()
	_, err := st.UpdateDeal(other, d.ID, models.UpdateDealInput{Title: fxPtr("stolen")})
	fxWantCode(t, "update from another workspace", err, apperr.ENOTFOUND, "")
	if stored, _ := st.Deal(ctx, d.ID); stored.Title != "Deal" {
		t.Errorf("another workspace renamed the deal to %q", stored.Title)
	}
}

func TestDealQueries(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	alice := fxContact(t, st, ctx, models.CreateContactInput{Email: "alice@example.com"})
	mk := func(title string, stage models.DealStage, contact *string) *models.Deal {
		d, err := st.CreateDeal(ctx, models.CreateDealInput{Title: title, Stage: &stage, ContactID: contact})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	d1 := mk("Renewal", models.DealStageLead, &alice.ID)
	d2 := mk("Upsell", models.DealStageWon, nil)
	d3 := mk("renewal", models.DealStageWon, &alice.ID)
	if _, err := st.CreateDeal(other, models.CreateDealInput{Title: "Foreign", Stage: fxPtr(models.DealStageWon)}); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name   string
		filter *models.DealFilter
		want   []string
	}{
		{"all, newest first", nil, []string{d3.ID, d2.ID, d1.ID}},
		{"won", &models.DealFilter{Stage: fxPtr(models.DealStageWon)}, []string{d3.ID, d2.ID}},
		{"of alice", &models.DealFilter{ContactID: &alice.ID}, []string{d3.ID, d1.ID}},
		{"won of alice", &models.DealFilter{ContactID: &alice.ID, Stage: fxPtr(models.DealStageWon)}, []string{d3.ID}},
		{"lost", &models.DealFilter{Stage: fxPtr(models.DealStageLost)}, nil},
	} {
		conn, err := st.Deals(ctx, store.PageArgs{}, tc.filter)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var got []string
		for _, e := range conn.Edges {
			got = append(got, e.Node.ID)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if n, err := conn.Count(ctx); err != nil || n != len(tc.want) {
			t.Errorf("%s: totalCount %d (%v), want %d", tc.name, n, err, len(tc.want))
		}
	}

	for _, tc := range []struct {
		stage *models.DealStage
		want  int
	}{{nil, 3}, {fxPtr(models.DealStageWon), 2}, {fxPtr(models.DealStageLead), 1}, {fxPtr(models.DealStageLost), 0}} {
		if n, err := st.CountDeals(ctx, tc.stage); err != nil || n != tc.want {
			t.Errorf("CountDeals(%v): %d %v, want %d", tc.stage, n, err, tc.want)
		}
	}

	if d, err := st.DealByTitle(ctx, "RENEWAL"); err != nil || d.ID != d3.ID {
		t.Errorf("DealByTitle ignores case and prefers the newest: %+v %v, want %s", d, err, d3.ID)
	}
	_, err := st.DealByTitle(ctx, "Foreign")
	fxWantCode(t, "another workspace's deal by title", err, apperr.ENOTFOUND, "")

	// Deleting a contact keeps its deals, without a contact.
	if err := st.DeleteContact(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	if d, err := st.Deal(ctx, d1.ID); err != nil || d.ContactID != nil {
		t.Errorf("deal of a deleted contact: %+v %v, want kept without contact", d, err)
	}

	fxWantCode(t, "delete from another workspace", st.DeleteDeal(other, d2.ID), apperr.ENOTFOUND, "")
	if err := st.DeleteDeal(ctx, d2.ID); err != nil {
		t.Fatal(err)
	}
	fxWantCode(t, "delete twice", st.DeleteDeal(ctx, d2.ID), apperr.ENOTFOUND, "")
	if n, _ := st.CountDeals(ctx, nil); n != 2 {
		t.Errorf("%d deals after one delete, want 2", n)
	}
}
