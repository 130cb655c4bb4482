package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// TestReadsByManyIDs: the lookups of many records at once return the caller's records among
// the ids, each once, and leave unknown and foreign ids out; the prospect catalog is shared.
func TestReadsByManyIDs(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	mine := fxContact(t, st, ctx, models.CreateContactInput{Email: "mine@example.com"})
	theirs := fxContact(t, st, other, models.CreateContactInput{Email: "theirs@example.com"})
	myList, theirList := fxList(t, st, ctx, "Mine"), fxList(t, st, other, "Theirs")
	myCamp, err := st.CreateCampaign(ctx, models.CreateCampaignInput{Name: "Mine"})
	if err != nil {
		t.Fatal(err)
	}
	theirCamp, err := st.CreateCampaign(other, models.CreateCampaignInput{Name: "Theirs"})
	if err != nil {
		t.Fatal(err)
	}
	myDeal, err := st.CreateDeal(ctx, models.CreateDealInput{Title: "Mine"})
	if err != nil {
		t.Fatal(err)
	}
	theirDeal, err := st.CreateDeal(other, models.CreateDealInput{Title: "Theirs"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.UpsertProspects(ctx, []store.ProspectRecord{{FullName: "P One", Email: "p1@example.com"}, {FullName: "P Two", Email: "p2@example.com"}}); err != nil {
		t.Fatal(err)
	}
	catalog, err := st.Prospects(ctx, store.PageArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	p1, p2 := catalog.Edges[0].Node.ID, catalog.Edges[1].Node.ID

	idsOf := func(ids []string) []string { slices.Sort(ids); return ids }
	for _, tc := range []struct {
		name string
		read func(ctx context.Context, ids []string) ([]string, error)
		ask  []string
		want []string
	}{
		{"contacts", func(ctx context.Context, ids []string) ([]string, error) {
			rows, err := st.ContactsByID(ctx, ids)
			return fxIDs(rows, func(c *models.Contact) string { return c.ID }), err
		}, []string{mine.ID, theirs.ID, "ctc_unknown", mine.ID}, []string{mine.ID}},
		{"lists", func(ctx context.Context, ids []string) ([]string, error) {
			rows, err := st.ListsByID(ctx, ids)
			return fxIDs(rows, func(l *models.List) string { return l.ID }), err
		}, []string{theirList.ID, myList.ID, "lst_unknown"}, []string{myList.ID}},
		{"campaigns", func(ctx context.Context, ids []string) ([]string, error) {
			rows, err := st.CampaignsByID(ctx, ids)
			return fxIDs(rows, func(c *models.Campaign) string { return c.ID }), err
		}, []string{myCamp.ID, theirCamp.ID}, []string{myCamp.ID}},
		{"deals", func(ctx context.Context, ids []string) ([]string, error) {
			rows, err := st.DealsByID(ctx, ids)
			return fxIDs(rows, func(d *models.Deal) string { return d.ID }), err
		}, []string{theirDeal.ID, myDeal.ID, myDeal.ID}, []string{myDeal.ID}},
		{"prospects, a shared catalog", func(ctx context.Context, ids []string) ([]string, error) {
			rows, err := st.ProspectsByID(ctx, ids)
			return fxIDs(rows, func(p *models.Prospect) string { return p.ID }), err
		}, []string{p2, "prs_unknown", p1}, []string{p1, p2}},
	} {
		got, err := tc.read(ctx, tc.ask)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if !slices.Equal(idsOf(got), idsOf(slices.Clone(tc.want))) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if none, err := tc.read(ctx, nil); err != nil || len(none) != 0 {
			t.Errorf("%s of no ids: %v %v", tc.name, none, err)
		}
	}
}

func fxIDs[T any](rows []*T, id func(*T) string) []string {
	out := []string{}
	for _, r := range rows {
		out = append(out, id(r))
	}
	return out
}
