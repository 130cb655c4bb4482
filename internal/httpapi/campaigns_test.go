package httpapi_test

import (
	"strings"
	"testing"
	"time"

	"github.com/wbk/crm/internal/ids"
)

func TestCrudCampaigns(t *testing.T) {
	t.Parallel()
	c := crudSetup(t)
	const create = `mutation($in: CreateCampaignInput!) { createCampaign(input: $in) { ` + crudCampaignFields + ` } }`
	const update = `mutation($id: ID!, $in: UpdateCampaignInput!) { updateCampaign(id: $id, input: $in) { ` + crudCampaignFields + ` } }`
	const del = `mutation($id: ID!) { deleteCampaign(id: $id) }`
	list := c.newList(t, "Audience")
	future := time.Now().UTC().Add(72 * time.Hour).Truncate(time.Second)
	mk := func(t *testing.T, in map[string]any) crudCampaign {
		t.Helper()
		return crudWrite[crudCampaign](t, c, create, map[string]any{"in": in})
	}
	upd := func(t *testing.T, id string, in map[string]any) crudCampaign {
		t.Helper()
		return crudWrite[crudCampaign](t, c, update, map[string]any{"id": id, "in": in})
	}
	// scheduledAt reads a campaign's scheduledAt, which must be set.
	scheduledAt := func(t *testing.T, cp crudCampaign) time.Time {
		t.Helper()
		if cp.ScheduledAt == nil {
			t.Fatalf("scheduledAt of %s is null", cp.ID)
		}
		return crudTime(t, *cp.ScheduledAt, "scheduledAt")
	}

	draft := mk(t, map[string]any{"name": "Spring launch"})
	draftID := draft.ID
	if ids.Kind(draftID) != ids.Campaign {
		t.Errorf("campaign id %q is not a cmp_ id", draftID)
	}
	crudEqual(t, "status", draft.Status, "DRAFT")
	if draft.Subject != nil || draft.Body != nil || draft.List != nil || draft.ScheduledAt != nil {
		t.Errorf("subject, body, list, scheduledAt = %v, %v, %v, %v; want null", draft.Subject, draft.Body, draft.List, draft.ScheduledAt)
	}
	crudEqual(t, "campaign(id)", crudGet[crudCampaign](t, c, "campaign", draftID, crudCampaignFields), &draft)

	sched := mk(t, map[string]any{"name": "Summer", "listId": list, "subject": "Hello", "body": "<p>Hi</p>",
		"scheduledAt": future.Format(time.RFC3339)})
	schedID := sched.ID
	crudEqual(t, "status with scheduledAt", sched.Status, "SCHEDULED")
	crudEqual(t, "list", sched.List, &crudListRef{ID: list, Name: "Audience"})
	crudEqual(t, "subject", sched.Subject, crudStr("Hello"))
	crudEqual(t, "body", sched.Body, crudStr("<p>Hi</p>"))
	if at := scheduledAt(t, sched); !at.Equal(future) {
		t.Errorf("scheduledAt = %v, want %v", at, future)
	}
	crudEqual(t, "campaign(id)", crudGet[crudCampaign](t, c, "campaign", schedID, crudCampaignFields), &sched)

	t.Run("scheduledAt in another zone is stored as the same instant", func(t *testing.T) {
		got := mk(t, map[string]any{"name": "Zoned", "scheduledAt": future.In(time.FixedZone("", 5*3600+1800)).Format(time.RFC3339)})
		if at := scheduledAt(t, got); !at.Equal(future) {
			t.Errorf("scheduledAt = %v, want %v", at, future)
		}
	})

	t.Run("body size", func(t *testing.T) {
		exact := strings.Repeat("a", 102400)
		got := mk(t, map[string]any{"name": "Exactly 100 KB", "body": exact})
		if got.Body == nil || *got.Body != exact {
			t.Errorf("a 100 KB body came back as %d bytes", len(crudDeref(got.Body)))
		}
		read := crudGet[struct{ Body *string }](t, c, "campaign", got.ID, "body")
		if read == nil {
			t.Fatal("the campaign is missing")
		}
		if read.Body == nil || *read.Body != exact {
			t.Errorf("a stored 100 KB body reads back as %d bytes", len(crudDeref(read.Body)))
		}
	})

	t.Run("validation", func(t *testing.T) {
		before := c.count(t, `{ campaigns { totalCount } }`, nil, "campaigns")
		for _, tc := range []struct {
			name  string
			in    map[string]any
			code  string
			field string
		}{
			{"scheduledAt in the past", map[string]any{"name": "Past", "scheduledAt": time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)}, "BAD_USER_INPUT", "input.scheduledAt"},
			{"scheduledAt long ago", map[string]any{"name": "Past", "scheduledAt": "2001-01-01T00:00:00Z"}, "BAD_USER_INPUT", "input.scheduledAt"},
			{"scheduledAt not a time", map[string]any{"name": "Bad", "scheduledAt": "tomorrow"}, "BAD_USER_INPUT", "input.scheduledAt"},
			{"body one byte over 100 KB", map[string]any{"name": "Big", "body": strings.Repeat("a", 102401)}, "BAD_USER_INPUT", "input.body"},
			{"body over 100 KB in bytes, not runes", map[string]any{"name": "Big", "body": strings.Repeat("é", 51201)}, "BAD_USER_INPUT", "input.body"},
			{"empty name", map[string]any{"name": ""}, "BAD_USER_INPUT", "input.name"},
			{"name over 255", map[string]any{"name": strings.Repeat("n", 256)}, "BAD_USER_INPUT", "input.name"},
			{"subject over 998", map[string]any{"name": "S", "subject": strings.Repeat("s", 999)}, "BAD_USER_INPUT", "input.subject"},
			{"unknown listId", map[string]any{"name": "L", "listId": ids.New(ids.List)}, "NOT_FOUND", "input.listId"},
			{"malformed listId", map[string]any{"name": "L", "listId": "nope"}, "NOT_FOUND", "input.listId"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				c.fails(t, create, map[string]any{"in": tc.in}, tc.code, tc.field)
			})
		}
		after := c.count(t, `{ campaigns { totalCount } }`, nil, "campaigns")
		if after != before {
			t.Errorf("invalid creates changed campaigns totalCount from %d to %d", before, after)
		}
	})

	t.Run("update is partial", func(t *testing.T) {
		got := upd(t, draftID, map[string]any{"subject": "New subject"})
		crudEqual(t, "subject", got.Subject, crudStr("New subject"))
		crudEqual(t, "name unchanged", got.Name, "Spring launch")
		crudEqual(t, "status unchanged", got.Status, "DRAFT")
		crudEqual(t, "createdAt unchanged", got.CreatedAt, draft.CreatedAt)
		got = upd(t, draftID, map[string]any{"listId": list})
		crudEqual(t, "list", got.List, &crudListRef{ID: list, Name: "Audience"})
		got = upd(t, draftID, map[string]any{"listId": "", "subject": ""})
		if got.List != nil || got.Subject != nil {
			t.Errorf(`list and subject after "" = %v, %v; want null`, got.List, got.Subject)
		}
		c.fails(t, update, map[string]any{"id": draftID, "in": map[string]any{"status": "SCHEDULED"}}, "BAD_USER_INPUT", "input.status")
		c.fails(t, update, map[string]any{"id": draftID, "in": map[string]any{"subject": "x", "scheduledAt": "2001-01-01T00:00:00Z"}},
			"BAD_USER_INPUT", "input.scheduledAt")
		c.fails(t, update, map[string]any{"id": draftID, "in": map[string]any{"listId": ids.New(ids.List)}}, "NOT_FOUND", "input.listId")
		crudEqual(t, "campaign after rejected updates", crudGet[crudCampaign](t, c, "campaign", draftID, crudCampaignFields), &got)
		got = upd(t, draftID, map[string]any{"scheduledAt": future.Format(time.RFC3339)})
		crudEqual(t, "status after scheduling a draft", got.Status, "SCHEDULED")
	})

	t.Run("cancel", func(t *testing.T) {
		got := upd(t, schedID, map[string]any{"status": "CANCELLED"})
		crudEqual(t, "status", got.Status, "CANCELLED")
		crudEqual(t, "name unchanged", got.Name, "Summer")
		crudEqual(t, "list unchanged", got.List, &crudListRef{ID: list, Name: "Audience"})
		crudEqual(t, "campaign(id)", crudGet[struct{ Status string }](t, c, "campaign", schedID, "status"), &struct{ Status string }{"CANCELLED"})
		d := crudDo[struct{ Campaigns crudIDConn }](t, c, `{ campaigns(filter: {status: CANCELLED}) { totalCount nodes { id } } }`, nil)
		crudEqual(t, "cancelled campaigns", d.Campaigns.ids(), []string{schedID})
	})

	t.Run("a sent campaign can no longer change", func(t *testing.T) {
		sent := mk(t, map[string]any{"name": "Sent one", "subject": "Final"})
		id := sent.ID
		sent = upd(t, id, map[string]any{"status": "SENT"})
		crudEqual(t, "status", sent.Status, "SENT")
		for _, in := range []map[string]any{{"name": "Edited"}, {"status": "CANCELLED"}, {"status": "DRAFT"}, {"subject": "Oops"}} {
			c.fails(t, update, map[string]any{"id": id, "in": in}, "CONFLICT", "")
		}
		crudEqual(t, "sent campaign", crudGet[crudCampaign](t, c, "campaign", id, crudCampaignFields), &sent)
	})

	t.Run("delete", func(t *testing.T) {
		d := crudDo[struct{ DeleteCampaign *string }](t, c, del, map[string]any{"id": draftID})
		crudEqual(t, "deleteCampaign", d.DeleteCampaign, &draftID)
		if got := crudGet[struct{ ID string }](t, c, "campaign", draftID, "id"); got != nil {
			t.Errorf("campaign(id) after delete = %+v, want null", *got)
		}
		c.fails(t, del, map[string]any{"id": draftID}, "NOT_FOUND", "")
		c.fails(t, update, map[string]any{"id": draftID, "in": map[string]any{"name": "x"}}, "NOT_FOUND", "")
		c.fails(t, del, map[string]any{"id": ids.New(ids.Campaign)}, "NOT_FOUND", "")
		// The list it used is untouched.
		if got := crudGet[struct{ ID string }](t, c, "list", list, "id"); got == nil || got.ID != list {
			t.Errorf("deleting a campaign deleted its list: list(id) = %+v", got)
		}
	})
}
