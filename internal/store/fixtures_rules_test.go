package store_test

import (
	"context"
	"testing"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/testdb"
	"github.com/wbk/crm/models"
)

// fxWorkspace opens a fresh store with one workspace and returns a context scoped to it.
func fxWorkspace(t *testing.T) (*store.Store, context.Context, *models.Workspace) {
	t.Helper()
	st := testdb.Open(t)
	ws, err := st.CreateWorkspace(context.Background(), "Rules", models.PlanPro)
	if err != nil {
		t.Fatal(err)
	}
	return st, store.WithWorkspace(context.Background(), ws.ID), ws
}

// fxOtherWorkspace adds a second workspace to st and returns a context scoped to it.
func fxOtherWorkspace(t *testing.T, st *store.Store) context.Context {
	t.Helper()
	ws, err := st.CreateWorkspace(context.Background(), "Other", models.PlanStarter)
	if err != nil {
		t.Fatal(err)
	}
	return store.WithWorkspace(context.Background(), ws.ID)
}

// fxWantCode fails unless err is an application error with code and, when field is not
// empty, about field.
func fxWantCode(t *testing.T, what string, err error, code apperr.Code, field string) {
	t.Helper()
	e := apperr.As(err)
	if e == nil {
		t.Errorf("%s: err %v, want %s", what, err, code)
		return
	}
	if e.Code != code || (field != "" && e.Field != field) {
		t.Errorf("%s: %s on %q (%s), want %s on %q", what, e.Code, e.Field, e.Message, code, field)
	}
}

func fxPtr[T any](v T) *T { return &v }

// fxContact creates a contact or fails the test.
func fxContact(t *testing.T, st *store.Store, ctx context.Context, in models.CreateContactInput) *models.Contact {
	t.Helper()
	c, err := st.CreateContact(ctx, in)
	if err != nil {
		t.Fatalf("CreateContact %s: %v", in.Email, err)
	}
	return c
}

// fxList creates a list or fails the test.
func fxList(t *testing.T, st *store.Store, ctx context.Context, name string) *models.List {
	t.Helper()
	l, err := st.CreateList(ctx, models.CreateListInput{Name: name})
	if err != nil {
		t.Fatalf("CreateList %s: %v", name, err)
	}
	return l
}

// fxPageArgs are the default page arguments.
func fxPageArgs() store.PageArgs { return store.PageArgs{} }
