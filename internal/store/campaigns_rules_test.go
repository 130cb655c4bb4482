package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

func TestCreateCampaignRules(t *testing.T) {
	st, ctx, ws := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	list := fxList(t, st, ctx, "Newsletter")
	foreignList := fxList(t, st, other, "Theirs")
	future := time.Now().Add(24 * time.Hour)
	past := time.Now().Add(-time.Minute)
	big := strings.Repeat("b", 100*1024+1)

	for _, tc := range []struct {
		name   string
		in     models.CreateCampaignInput
		code   apperr.Code
		field  string
		status models.CampaignStatus
		list   *string
	}{
		{name: "a draft by default", in: models.CreateCampaignInput{Name: " Spring "}, status: models.CampaignStatusDraft},
		{name: "scheduled when scheduledAt is given", in: models.CreateCampaignInput{Name: "Later", ScheduledAt: &future, ListID: &list.ID},
			status: models.CampaignStatusScheduled, list: &list.ID},
		{name: "empty listId means none", in: models.CreateCampaignInput{Name: "No list", ListID: fxPtr("")}, status: models.CampaignStatusDraft},
		{name: "name required", in: models.CreateCampaignInput{Name: " "}, code: apperr.EINVALID, field: "input.name"},
		{name: "scheduledAt in the past", in: models.CreateCampaignInput{Name: "Past", ScheduledAt: &past}, code: apperr.EINVALID, field: "input.scheduledAt"},
		{name: "unknown list", in: models.CreateCampaignInput{Name: "X", ListID: fxPtr("lst_nope")}, code: apperr.ENOTFOUND, field: "input.listId"},
		{name: "another workspace's list", in: models.CreateCampaignInput{Name: "X", ListID: &foreignList.ID}, code: apperr.ENOTFOUND, field: "input.listId"},
		{name: "body over 100 KB", in: models.CreateCampaignInput{Name: "X", Body: &big}, code: apperr.EINVALID, field: "input.body"},
		{name: "subject over one line's limit", in: models.CreateCampaignInput{Name: "X", Subject: fxPtr(strings.Repeat("s", 999))}, code: apperr.EINVALID, field: "input.subject"},
		{name: "control characters in the subject", in: models.CreateCampaignInput{Name: "X", Subject: fxPtr("a\x07b")}, code: apperr.EINVALID, field: "input.subject"},
	} {
		c, err := st.CreateCampaign(ctx, tc.in)
		if tc.code != "" {
			fxWantCode(t, tc.name, err, tc.code, tc.field)
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if c.Status != tc.status || c.WorkspaceID != ws.ID || c.Name != strings.TrimSpace(tc.in.Name) {
			t.Errorf("%s: %+v, want status %s", tc.name, c, tc.status)
		}
		if (c.ListID == nil) != (tc.list == nil) || (c.ListID != nil && *c.ListID != *tc.list) {
			t.Errorf("%s: listId %v, want %v", tc.name, c.ListID, tc.list)
		}
		stored, err := st.Campaign(ctx, c.ID)
		if err != nil || stored.Status != c.Status || stored.Name != c.Name {
			t.Errorf("%s: stored %+v %v", tc.name, stored, err)
		}
	}
	page, err := st.Campaigns(ctx, store.PageArgs{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := page.Count(ctx); err != nil || n != 3 {
		t.Errorf("%d campaigns stored (%v), want the 3 accepted", n, err)
	}
}

func TestUpdateCampaignRules(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	list := fxList(t, st, ctx, "L")
	future := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Microsecond)
	fresh := func() *models.Campaign {
		c, err := st.CreateCampaign(ctx, models.CreateCampaignInput{Name: "C", ListID: &list.ID, Subject: fxPtr("Hi")})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	draft, scheduled, sent := models.CampaignStatusDraft, models.CampaignStatusScheduled, models.CampaignStatusSent

	for _, tc := range []struct {
		name  string
		in    models.UpdateCampaignInput
		code  apperr.Code
		field string
		check func(c *models.Campaign) bool
	}{
		{name: "scheduling a draft schedules it", in: models.UpdateCampaignInput{ScheduledAt: &future},
			check: func(c *models.Campaign) bool { return c.Status == scheduled && c.ScheduledAt.Equal(future) }},
		{name: "SCHEDULED needs scheduledAt", in: models.UpdateCampaignInput{Status: &scheduled}, code: apperr.EINVALID, field: "input.status"},
		{name: "unknown status", in: models.UpdateCampaignInput{Status: fxPtr(models.CampaignStatus("PAUSED"))}, code: apperr.EINVALID, field: "input.status"},
		{name: "scheduledAt with status DRAFT keeps the time", in: models.UpdateCampaignInput{ScheduledAt: &future, Status: &draft},
			check: func(c *models.Campaign) bool { return c.Status == draft && c.ScheduledAt != nil }},
		{name: "marking sent", in: models.UpdateCampaignInput{Status: &sent},
			check: func(c *models.Campaign) bool { return c.Status == sent }},
		{name: "empty listId clears the list", in: models.UpdateCampaignInput{ListID: fxPtr("")},
			check: func(c *models.Campaign) bool { return c.ListID == nil }},
		{name: "empty subject clears it", in: models.UpdateCampaignInput{Subject: fxPtr("")},
			check: func(c *models.Campaign) bool { return c.Subject == nil }},
		{name: "rename", in: models.UpdateCampaignInput{Name: fxPtr("  New name ")},
			check: func(c *models.Campaign) bool {
				return c.Name == "New name" && *c.Subject == "Hi" && *c.ListID == list.ID
			}},
		{name: "empty name", in: models.UpdateCampaignInput{Name: fxPtr("")}, code: apperr.EINVALID, field: "input.name"},
		{name: "unknown list", in: models.UpdateCampaignInput{ListID: fxPtr("lst_nope")}, code: apperr.ENOTFOUND, field: "input.listId"},
	} {
		c := fresh()
		got, err := st.UpdateCampaign(ctx, c.ID, tc.in)
		stored, serr := st.Campaign(ctx, c.ID)
		if serr != nil {
			t.Fatal(serr)
		}
		if tc.code != "" {
			fxWantCode(t, tc.name, err, tc.code, tc.field)
			if stored.Status != draft || stored.Name != "C" || stored.ListID == nil {
				t.Errorf("%s: a refused update changed the campaign: %+v", tc.name, stored)
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
		if !stored.UpdatedAt.After(c.UpdatedAt) && !stored.UpdatedAt.Equal(c.UpdatedAt) {
			t.Errorf("%s: updatedAt went back", tc.name)
		}
	}

	t.Run("a scheduled campaign set back to DRAFT is no longer scheduled", func(t *testing.T) {
		c := fresh()
		if _, err := st.UpdateCampaign(ctx, c.ID, models.UpdateCampaignInput{ScheduledAt: &future}); err != nil {
			t.Fatal(err)
		}
		got, err := st.UpdateCampaign(ctx, c.ID, models.UpdateCampaignInput{Status: &draft})
		if err != nil || got.Status != draft || got.ScheduledAt != nil {
			t.Errorf("%+v %v, want a DRAFT without scheduledAt", got, err)
		}
	})
	t.Run("a sent campaign can no longer change", func(t *testing.T) {
		c := fresh()
		if _, err := st.UpdateCampaign(ctx, c.ID, models.UpdateCampaignInput{Status: &sent}); err != nil {
			t.Fatal(err)
		}
		_, err := st.UpdateCampaign(ctx, c.ID, models.UpdateCampaignInput{Name: fxPtr("After")})
		fxWantCode(t, "update after sending", err, apperr.ECONFLICT, "")
		if stored, _ := st.Campaign(ctx, c.ID); stored.Name != "C" {
			t.Errorf("name %q after a refused update", stored.Name)
		}
	})
	_, err := st.UpdateCampaign(ctx, "cmp_nope", models.UpdateCampaignInput{Name: fxPtr("x")})
	fxWantCode(t, "unknown campaign", err, apperr.ENOTFOUND, "")
}

func TestCampaignFiltersDeleteAndScope(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	a, b := fxList(t, st, ctx, "A"), fxList(t, st, ctx, "B")
	future := time.Now().Add(time.Hour)
	mk := func(name string, list *string, at *time.Time) *models.Campaign {
		c, err := st.CreateCampaign(ctx, models.CreateCampaignInput{Name: name, ListID: list, ScheduledAt: at})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	c1 := mk("one", &a.ID, nil)
	c2 := mk("two", &a.ID, &future)
	c3 := mk("three", &b.ID, &future)
	c4 := mk("four", nil, nil)
	if _, err := st.CreateCampaign(other, models.CreateCampaignInput{Name: "foreign"}); err != nil {
		t.Fatal(err)
	}
	ids := func(conn *models.CampaignConnection) []string {
		var out []string
		for _, e := range conn.Edges {
			out = append(out, e.Node.ID)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		filter *models.CampaignFilter
		want   []string // newest first
	}{
		{"all", nil, []string{c4.ID, c3.ID, c2.ID, c1.ID}},
		{"drafts", &models.CampaignFilter{Status: fxPtr(models.CampaignStatusDraft)}, []string{c4.ID, c1.ID}},
		{"scheduled", &models.CampaignFilter{Status: fxPtr(models.CampaignStatusScheduled)}, []string{c3.ID, c2.ID}},
		{"of list A", &models.CampaignFilter{ListID: &a.ID}, []string{c2.ID, c1.ID}},
		{"scheduled of list A", &models.CampaignFilter{ListID: &a.ID, Status: fxPtr(models.CampaignStatusScheduled)}, []string{c2.ID}},
		{"sent", &models.CampaignFilter{Status: fxPtr(models.CampaignStatusSent)}, nil},
	} {
		conn, err := st.Campaigns(ctx, store.PageArgs{}, tc.filter)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := ids(conn); strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if n, err := conn.Count(ctx); err != nil || n != len(tc.want) {
			t.Errorf("%s: totalCount %d (%v), want %d", tc.name, n, err, len(tc.want))
		}
	}

	// Deleting a list leaves its campaigns without one.
	if err := st.DeleteList(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{c1.ID, c2.ID} {
		if c, err := st.Campaign(ctx, id); err != nil || c.ListID != nil {
			t.Errorf("campaign of a deleted list: %+v %v, want no list", c, err)
		}
	}

	// Another workspace neither sees nor deletes a campaign; a deleted one is gone.
	_, err := st.Campaign(other, c3.ID)
	fxWantCode(t, "read from another workspace", err, apperr.ENOTFOUND, "")
	fxWantCode(t, "delete from another workspace", st.DeleteCampaign(other, c3.ID), apperr.ENOTFOUND, "")
	if err := st.DeleteCampaign(ctx, c3.ID); err != nil {
		t.Fatal(err)
	}
	_, err = st.Campaign(ctx, c3.ID)
	fxWantCode(t, "read after delete", err, apperr.ENOTFOUND, "")
	fxWantCode(t, "delete twice", st.DeleteCampaign(ctx, c3.ID), apperr.ENOTFOUND, "")
}
