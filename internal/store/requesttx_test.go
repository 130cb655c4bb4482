package store_test

import (
	"sync"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/models"
)

// TestRequestTransactionCommitsAsOneUnit: the writes of a request transaction are seen by its
// own reads at once, by no one else's until it commits, and vanish when it rolls back; a
// write refused inside it (a savepoint) does not spoil the writes around it.
func TestRequestTransactionCommitsAsOneUnit(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	outer, rt, err := st.BeginRequest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.BeginRequest(outer); err == nil {
		t.Error("a request transaction inside another was started")
	}
	rt.Rollback()

	for _, commit := range []bool{true, false} {
		name := map[bool]string{true: "committed", false: "rolled back"}[commit]
		rctx, rt, err := st.BeginRequest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		first, err := st.CreateList(rctx, models.CreateListInput{Name: "First " + name})
		if err != nil {
			t.Fatal(err)
		}
		// Refused inside the transaction: the name is taken (by the write just before).
		_, err = st.CreateList(rctx, models.CreateListInput{Name: "FIRST " + name})
		fxWantCode(t, name+": duplicate inside the request", err, apperr.ECONFLICT, "input.name")
		second, err := st.CreateList(rctx, models.CreateListInput{Name: "Second " + name})
		if err != nil {
			t.Fatalf("%s: a write after a refused one: %v", name, err)
		}
		if got, err := st.List(rctx, first.ID); err != nil || got.Name != first.Name {
			t.Errorf("%s: the request's own read: %+v %v", name, got, err)
		}
		if commit {
			if err := rt.Commit(); err != nil {
				t.Fatalf("commit: %v", err)
			}
		} else {
			rt.Rollback()
		}
		rt.Rollback() // after Commit or Rollback: nothing happens
		for _, id := range []string{first.ID, second.ID} {
			_, err := st.List(ctx, id)
			if commit && err != nil {
				t.Errorf("%s: list %s: %v", name, id, err)
			}
			if !commit && apperr.CodeOf(err) != apperr.ENOTFOUND {
				t.Errorf("%s: list %s survived: %v", name, id, err)
			}
		}
	}
}

// TestRequestTransactionStatementsTakeTurns: the resolvers of one request run concurrently on
// its one transaction; their statements take turns instead of colliding on the connection.
func TestRequestTransactionStatementsTakeTurns(t *testing.T) {
	st, ctx, _ := fxWorkspace(t)
	rctx, rt, err := st.BeginRequest(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Rollback()
	c := fxContact(t, st, rctx, models.CreateContactInput{Email: "turns@example.com"})
	l := fxList(t, st, rctx, "Turns")
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var err error
			switch i % 4 {
			case 0:
				_, err = st.Contact(rctx, c.ID)
			case 1:
				_, err = st.Contacts(rctx, fxPageArgs(), nil, nil)
			case 2:
				_, err = st.AddContactsToList(rctx, l.ID, []string{c.ID})
			case 3:
				_, err = st.ContactsOfLists(rctx, []string{l.ID}, fxPageArgs())
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a concurrent statement in the request transaction: %v", err)
		}
	}
	if err := rt.Commit(); err != nil {
		t.Fatal(err)
	}
	if cs, n, err := st.MatchContacts(ctx, &models.ContactFilter{ListID: &l.ID}, 5); err != nil || n != 1 {
		t.Errorf("after commit: %d members %v %v", n, cs, err)
	}
}
