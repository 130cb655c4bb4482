package access_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/wbk/crm/internal/access"
	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/models"
)

// schema is a small schema with the directive as the real one declares it: the rules are
// about the directive, not about the API's fields.
var schema = gqlparser.MustLoadSchema(&ast.Source{Name: "access_test.graphqls", Input: `
directive @hasPermission(permission: Permission!) on FIELD_DEFINITION
enum Permission { READ WRITE LEXI }
type Query {
	open: String
	contacts: [Contact!]! @hasPermission(permission: READ)
	tasks: [String!]! @hasPermission(permission: LEXI)
}
type Contact {
	id: ID!
	secret: String @hasPermission(permission: WRITE)
}
type Mutation {
	createContact: Contact @hasPermission(permission: WRITE)
}
`})

func operation(t *testing.T, query string) *ast.OperationDefinition {
	t.Helper()
	doc, errs := gqlparser.LoadQueryWithRules(schema, query, nil)
	if len(errs) > 0 {
		t.Fatalf("%s: %v", query, errs)
	}
	return doc.Operations[0]
}

// principal is a caller whose key holds perms.
func principal(perms ...models.Permission) *auth.Principal {
	scopes := make([]string, len(perms))
	for i, p := range perms {
		scopes[i] = strings.ToLower(string(p))
	}
	return &auth.Principal{Key: &models.ApiKey{ID: "key_1", Scopes: models.ParsePermissionSet(strings.Join(scopes, ","))},
		Workspace: &models.Workspace{ID: "wks_1"}}
}

func TestRequired(t *testing.T) {
	const (
		read  = models.PermissionRead
		write = models.PermissionWrite
		lexi  = models.PermissionLexi
	)
	for _, tc := range []struct {
		query string
		want  []models.Permission
	}{
		{`{ open }`, nil},
		{`{ __typename open }`, nil},
		{`{ contacts { id } }`, []models.Permission{read}},
		{`{ contacts { id secret } }`, []models.Permission{read, write}},
		{`{ ... on Query { tasks } }`, []models.Permission{lexi}},
		{`{ ...F } fragment F on Query { contacts { ...G } } fragment G on Contact { secret }`, []models.Permission{read, write}},
		{`{ ...F ...F a: open } fragment F on Query { tasks }`, []models.Permission{lexi}},
		{`mutation { createContact { id } }`, []models.Permission{write}},
	} {
		need := access.Required(operation(t, tc.query).SelectionSet)
		var got []models.Permission
		for _, p := range models.AllPermission {
			if need[p] {
				got = append(got, p)
			}
		}
		if len(need) != len(got) || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Required(%s) = %v, want %v", tc.query, need, tc.want)
		}
	}
}

func TestMissingIsInSchemaOrder(t *testing.T) {
	need := map[models.Permission]bool{models.PermissionLexi: true, models.PermissionRead: true, models.PermissionWrite: true}
	got := access.Missing(principal(models.PermissionWrite), need)
	if want := []models.Permission{models.PermissionRead, models.PermissionLexi}; !reflect.DeepEqual(got, want) {
		t.Errorf("Missing = %v, want %v", got, want)
	}
	if got := access.Missing(principal(models.AllPermission...), need); len(got) != 0 {
		t.Errorf("a key with every permission misses %v", got)
	}
}

func TestRequire(t *testing.T) {
	ctx := context.Background()
	if e := apperr.As(access.Require(ctx, models.PermissionRead)); e == nil || e.Code != apperr.EUNAUTHORIZED || e.Reason != auth.ReasonMissing {
		t.Errorf("Require without a caller = %v, want EUNAUTHORIZED %s", e, auth.ReasonMissing)
	}
	reader := auth.WithPrincipal(ctx, principal(models.PermissionRead))
	if err := access.Require(reader, models.PermissionRead); err != nil {
		t.Errorf("Require(READ) of a reader: %v", err)
	}
	if err := access.Require(reader); err != nil {
		t.Errorf("Require() of a reader: %v", err)
	}
	e := apperr.As(access.Require(reader, models.PermissionLexi, models.PermissionWrite, models.PermissionRead))
	if e == nil || e.Code != apperr.EFORBIDDEN || !reflect.DeepEqual(e.Missing, []string{"WRITE", "LEXI"}) {
		t.Fatalf("Require(LEXI, WRITE, READ) of a reader = %#v, want EFORBIDDEN missing WRITE, LEXI", e)
	}
	if !strings.HasSuffix(e.Message, ": WRITE, LEXI") {
		t.Errorf("message %q does not name the missing permissions", e.Message)
	}
}

// The directive guards each field at run time: the resolver runs only for a caller holding
// the permission.
func TestDirective(t *testing.T) {
	ran := false
	next := func(context.Context) (any, error) { ran = true; return "value", nil }
	writer := auth.WithPrincipal(context.Background(), principal(models.PermissionWrite))
	if v, err := access.Directive(writer, nil, next, models.PermissionWrite); err != nil || v != "value" || !ran {
		t.Errorf("Directive(WRITE) for a writer = %v, %v (ran %v), want the resolver's value", v, err, ran)
	}
	ran = false
	if v, err := access.Directive(writer, nil, next, models.PermissionLexi); apperr.CodeOf(err) != apperr.EFORBIDDEN || v != nil || ran {
		t.Errorf("Directive(LEXI) for a writer = %v, %v (ran %v), want EFORBIDDEN without running", v, err, ran)
	}
}

// The gate refuses a whole operation, before anything runs, when any field it selects
// (fragments included) needs a permission the key lacks.
func TestOperationGate(t *testing.T) {
	gate := access.OperationGate{}
	for _, tc := range []struct {
		name   string
		caller *auth.Principal
		query  string
		code   apperr.Code // "" when allowed
	}{
		{"no caller", nil, `{ open }`, apperr.EUNAUTHORIZED},
		{"open field", principal(), `{ open }`, ""},
		{"reader reads", principal(models.PermissionRead), `{ contacts { id } }`, ""},
		{"reader reads a write-guarded field in a fragment", principal(models.PermissionRead),
			`{ contacts { ...S } } fragment S on Contact { secret }`, apperr.EFORBIDDEN},
		{"reader mutates", principal(models.PermissionRead), `mutation { createContact { id } }`, apperr.EFORBIDDEN},
		{"every permission", principal(models.AllPermission...), `{ contacts { secret } tasks }`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			if tc.caller != nil {
				ctx = auth.WithPrincipal(ctx, tc.caller)
			}
			gqlErr := gate.MutateOperationContext(ctx, &graphql.OperationContext{Operation: operation(t, tc.query)})
			if tc.code == "" {
				if gqlErr != nil {
					t.Fatalf("refused: %v", gqlErr)
				}
				return
			}
			var e *apperr.Error
			if gqlErr == nil || !errors.As(gqlErr.Err, &e) || e.Code != tc.code {
				t.Fatalf("gate = %v, want %s", gqlErr, tc.code)
			}
		})
	}
	if gate.ExtensionName() == "" || gate.Validate(nil) != nil {
		t.Error("the gate does not present itself as a gqlgen extension")
	}
}
