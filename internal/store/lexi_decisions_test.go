package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// TestSimultaneousApprovalsRunTheActionOnce: of several approvals and rejections of one task
// arriving together, exactly one decides it; the others get CONFLICT and the action ran once.
func TestSimultaneousApprovalsRunTheActionOnce(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	c := fxContact(t, st, ctx, models.CreateContactInput{Email: "once@example.com"})
	for round := range 3 {
		name := fmt.Sprintf("Once %d", round)
		task := fxPropose(t, st, ctx, models.LexiActionCreateList, store.LexiCreateList{Name: name, ContactIDs: []string{c.ID}})
		const n = 6
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%3 == 2 {
					_, errs[i] = st.RejectLexiTask(ctx, task.ID, nil, "key_r")
				} else {
					_, errs[i] = st.ApproveLexiTask(ctx, task.ID, "key_a")
				}
			}()
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch apperr.CodeOf(err) {
			case "":
				won++
			case apperr.ECONFLICT:
			default:
				t.Errorf("round %d, decision %d: %v, want success or CONFLICT", round, i, err)
			}
		}
		if won != 1 {
			t.Errorf("round %d: %d decisions succeeded, want exactly 1", round, won)
		}
		stored, err := st.LexiTask(ctx, task.ID)
		if err != nil {
			t.Fatal(err)
		}
		lists, err := st.Lists(ctx, store.PageArgs{}, &models.ListFilter{Search: &name})
		if err != nil {
			t.Fatal(err)
		}
		want := map[models.LexiTaskStatus]int{models.LexiTaskStatusExecuted: 1, models.LexiTaskStatusRejected: 0}
		if got, ok := want[stored.Status]; !ok || len(lists.Edges) != got {
			t.Errorf("round %d: task %s with %d lists %q, want EXECUTED with one or REJECTED with none", round, stored.Status, len(lists.Edges), name)
		}
	}
}

// TestLexiVocabularyIsTheWorkspacesNamesCapped: the vocabulary holds the workspace's own
// names — distinct companies and tags in order, lists oldest first, deals and campaigns newest
// first, the members of each list — and a workspace past the cap reads only the cap's worth of
// contacts and says so.
func TestLexiVocabularyIsTheWorkspacesNamesCapped(t *testing.T) {
	st, ctx, ws := fxWorkspace(t)
	other := fxOtherWorkspace(t, st)
	a := fxContact(t, st, ctx, models.CreateContactInput{Email: "a@example.com", Company: fxPtr("Zeta"), Tags: []string{"vip", "beta"}})
	b := fxContact(t, st, ctx, models.CreateContactInput{Email: "b@example.com", Company: fxPtr("Acme"), Tags: []string{"vip"}})
	fxContact(t, st, ctx, models.CreateContactInput{Email: "c@example.com", Company: fxPtr("Acme"), Tags: []string{"alpha"}})
	fxContact(t, st, ctx, models.CreateContactInput{Email: "d@example.com"})
	fxContact(t, st, other, models.CreateContactInput{Email: "x@example.com", Company: fxPtr("Foreign"), Tags: []string{"secret"}})
	l1, l2 := fxList(t, st, ctx, "First"), fxList(t, st, ctx, "Second")
	fxList(t, st, other, "Foreign list")
	if _, err := st.AddContactsToList(ctx, l1.ID, []string{b.ID, a.ID}); err != nil {
		t.Fatal(err)
	}
	var deals, camps []string
	for i := range 2 {
		d, err := st.CreateDeal(ctx, models.CreateDealInput{Title: fmt.Sprintf("D%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		cp, err := st.CreateCampaign(ctx, models.CreateCampaignInput{Name: fmt.Sprintf("C%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		deals, camps = append([]string{d.ID}, deals...), append([]string{cp.ID}, camps...)
	}
	v, err := st.LexiVocabulary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("contacts %d, companies %v, tags %v, lists %v, deals %v, campaigns %v, members %v, truncated %v",
		len(v.Contacts), v.Companies, v.Tags, fxIDs(v.Lists, func(l *models.List) string { return l.ID }),
		fxIDs(v.Deals, func(d *models.Deal) string { return d.ID }), fxIDs(v.Campaigns, func(c *models.Campaign) string { return c.ID }),
		v.Members, v.Truncated)
	members := []string{a.ID, b.ID}
	if a.ID > b.ID {
		members = []string{b.ID, a.ID}
	}
	want := fmt.Sprintf("contacts 4, companies [Acme Zeta], tags [alpha beta vip], lists %v, deals %v, campaigns %v, members %v, truncated false",
		[]string{l1.ID, l2.ID}, deals, camps, map[string][]string{l1.ID: members})
	if got != want {
		t.Errorf("vocabulary:\n got %s\nwant %s", got, want)
	}

	// Past the cap: the oldest contacts up to it, and Truncated.
	now := store.Now()
	rows := make([]models.Contact, store.MaxLexiVocabulary)
	for i := range rows {
		rows[i] = models.Contact{ID: ids.New(ids.Contact), WorkspaceID: ws.ID, Email: fmt.Sprintf("bulk%05d@example.com", i),
			TagList: models.StringList{}, CreatedAt: now, UpdatedAt: now}
	}
	if err := st.DB().WithContext(ctx).CreateInBatches(&rows, 500).Error; err != nil {
		t.Fatal(err)
	}
	v, err = st.LexiVocabulary(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Contacts) != store.MaxLexiVocabulary || !v.Truncated || v.Contacts[0].ID != a.ID ||
		!strings.HasPrefix(v.Contacts[len(v.Contacts)-1].Email, "bulk") {
		t.Errorf("past the cap: %d contacts, truncated %v, want the %d oldest and truncated", len(v.Contacts), v.Truncated, store.MaxLexiVocabulary)
	}
	if fv, err := st.LexiVocabulary(context.WithoutCancel(other)); err != nil || len(fv.Contacts) != 1 || fv.Truncated {
		t.Errorf("the other workspace's vocabulary: %d contacts %v", len(fv.Contacts), err)
	}
}
