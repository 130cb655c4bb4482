package store

import (
	"context"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"
	"gorm.io/gorm/schema"

	"github.com/wbk/crm/models"
)

// Tenant isolation lives here and nowhere else. A request's workspace travels in its context
// (set from the API key by the auth middleware); GORM callbacks add "workspace_id = ?" to
// every query, update and delete of a workspace-owned table and stamp it on every insert.
// A statement on such a table whose context carries no workspace is refused: the data layer
// fails closed instead of reading or changing every tenant's rows.

type ctxKey int

const (
	workspaceKey ctxKey = iota
	systemKey
)

// ErrUnscoped is returned for a statement on a workspace-owned table without a workspace.
var ErrUnscoped = errors.New("store: statement on a workspace table without a workspace scope")

// WithWorkspace scopes every statement run with the returned context to one workspace.
func WithWorkspace(ctx context.Context, workspaceID string) context.Context {
	return context.WithValue(ctx, workspaceKey, workspaceID)
}

// WorkspaceFrom returns the workspace ctx is scoped to.
func WorkspaceFrom(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(workspaceKey).(string)
	return id, ok && id != ""
}

// AsSystem marks ctx as deliberately cross-tenant: the admin CLI, migrations and the API key
// lookup, which must find a key before anyone knows its workspace. Request handlers never use it.
func AsSystem(ctx context.Context) context.Context {
	return context.WithValue(ctx, systemKey, true)
}

func isSystem(ctx context.Context) bool {
	v, _ := ctx.Value(systemKey).(bool)
	return v
}

// persistedModels are the store's models, one per table. Adding a table means adding its
// model here; TestWorkspaceTablesAreDerivedFromTheModels fails while a table with a
// workspace_id column has no model here that carries WorkspaceID.
var persistedModels = []any{
	&models.Workspace{}, &models.ApiKey{}, &models.Contact{}, &models.ContactTag{}, &models.List{},
	&models.ListMembership{}, &models.Campaign{}, &models.Deal{}, &models.Prospect{},
	&models.UsageDayRecord{}, &models.UsageOperationRecord{},
	&models.LexiConversation{}, &models.LexiMessage{}, &models.LexiTask{},
	&IdempotencyRecord{}, &RowCount{},
	&models.WebhookEndpoint{}, &models.WebhookEvent{}, &models.WebhookDelivery{}, &models.WebhookUsageRecord{},
}

// tenantTables are the tables of the models with a WorkspaceID field, named as GORM names
// them: the scope follows the models instead of a hand-kept list.
var tenantTables = workspaceTables(persistedModels)

func workspaceTables(list []any) map[string]bool {
	out := map[string]bool{}
	cache := &sync.Map{}
	for _, m := range list {
		if _, ok := reflect.TypeOf(m).Elem().FieldByName("WorkspaceID"); !ok {
			continue
		}
		s, err := schema.Parse(m, cache, schema.NamingStrategy{})
		if err != nil {
			panic("store: model " + reflect.TypeOf(m).String() + ": " + err.Error())
		}
		out[s.Table] = true
	}
	return out
}

// WorkspaceTables lists the workspace-owned tables, sorted.
func WorkspaceTables() []string {
	names := tableNames()
	slices.Sort(names)
	return names
}

var tenantTablePattern = regexp.MustCompile(`(?i)\b(` + strings.Join(tableNames(), "|") + `)\b`)

func tableNames() []string {
	names := make([]string, 0, len(tenantTables))
	for n := range tenantTables {
		names = append(names, n)
	}
	return names
}

func registerTenantCallbacks(db *gorm.DB) error {
	cb := db.Callback()
	return errors.Join(
		cb.Query().Before("gorm:query").Register("tenant:query", scopeStatement(false)),
		cb.Row().Before("gorm:row").Register("tenant:row", scopeStatement(false)),
		cb.Update().Before("gorm:update").Register("tenant:update", scopeStatement(true)),
		cb.Delete().Before("gorm:delete").Register("tenant:delete", scopeStatement(true)),
		cb.Create().Before("gorm:create").Register("tenant:create", stampWorkspace),
		cb.Raw().Before("gorm:raw").Register("tenant:raw", guardRawSQL),
	)
}

func scopeStatement(needsTarget bool) func(*gorm.DB) {
	return func(db *gorm.DB) {
		stmt := db.Statement
		if db.Error != nil {
			return
		}
		if stmt.SQL.Len() > 0 { // Raw(...): the SQL is already written
			guardRawSQL(db)
			return
		}
		if !isTenantTable(stmt) {
			return
		}
		ws, ok := WorkspaceFrom(stmt.Context)
		if !ok {
			if isSystem(stmt.Context) {
				return
			}
			_ = db.AddError(ErrUnscoped)
			return
		}
		where, hadWhere := stmt.Clauses["WHERE"]
		if needsTarget && !hadWhere && !hasPrimaryKeyValue(stmt) {
			// The workspace condition must not turn a missing WHERE into "all of this workspace".
			_ = db.AddError(gorm.ErrMissingWhereClause)
			return
		}
		wsCond := clause.Eq{Column: clause.Column{Table: clause.CurrentTable, Name: "workspace_id"}, Value: ws}
		exprs := []clause.Expression{wsCond}
		if hadWhere {
			if w, ok := where.Expression.(clause.Where); ok && len(w.Exprs) > 0 {
				// Parenthesise what the caller wrote so that an OR in it cannot escape the scope.
				exprs = []clause.Expression{clause.And(w.Exprs...), wsCond}
			}
		}
		where.Expression = clause.Where{Exprs: exprs}
		where.Name = "WHERE"
		stmt.Clauses["WHERE"] = where
	}
}

// isTenantTable reports whether stmt works on a workspace table, also when the table is named
// in another case (Table("CONTACTS")) or under an alias (Table("contacts AS c")), for which
// GORM reports the alias as the statement's table. The scope's condition is then written on
// the alias; an expression it cannot be written on fails in the database instead of running
// unscoped.
func isTenantTable(stmt *gorm.Statement) bool {
	if tenantTables[strings.ToLower(stmt.Table)] {
		return true
	}
	return stmt.TableExpr != nil && tenantTablePattern.MatchString(stmt.TableExpr.SQL)
}

func hasPrimaryKeyValue(stmt *gorm.Statement) bool {
	if stmt.Schema == nil || len(stmt.Schema.PrimaryFields) == 0 {
		return false
	}
	rv := reflect.Indirect(stmt.ReflectValue)
	if rv.Kind() != reflect.Struct {
		return false
	}
	for _, f := range stmt.Schema.PrimaryFields {
		if _, zero := f.ValueOf(stmt.Context, rv); zero {
			return false
		}
	}
	return true
}

func stampWorkspace(db *gorm.DB) {
	stmt := db.Statement
	if db.Error != nil || !isTenantTable(stmt) {
		return
	}
	if stmt.Schema == nil { // e.g. Table("contacts").Create(map[string]any{…}): nothing to stamp
		if !isSystem(stmt.Context) {
			_ = db.AddError(ErrUnscoped)
		}
		return
	}
	field := stmt.Schema.LookUpField("workspace_id")
	if field == nil {
		_ = db.AddError(ErrUnscoped)
		return
	}
	ws, scoped := WorkspaceFrom(stmt.Context)
	system := isSystem(stmt.Context)
	if !scoped && !system {
		_ = db.AddError(ErrUnscoped)
		return
	}
	stamp := func(rv reflect.Value) {
		current, zero := field.ValueOf(stmt.Context, rv)
		switch {
		case scoped && zero:
			_ = db.AddError(field.Set(stmt.Context, rv, ws))
		case scoped && current != ws:
			_ = db.AddError(ErrUnscoped)
		case !scoped && zero: // a system insert must name its workspace
			_ = db.AddError(ErrUnscoped)
		}
	}
	rv := reflect.Indirect(stmt.ReflectValue)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		for i := 0; i < rv.Len(); i++ {
			stamp(reflect.Indirect(rv.Index(i)))
		}
	case reflect.Struct:
		stamp(rv)
	default:
		_ = db.AddError(ErrUnscoped)
	}
}

// guardRawSQL refuses hand-written SQL that names a workspace table, unless the context is
// the deliberate system one. What the SQL says about workspace_id does not matter: a
// condition in hand-written SQL can name any workspace, so only GORM's own statements, which
// the callbacks above scope, may touch workspace tables from a request.
func guardRawSQL(db *gorm.DB) {
	stmt := db.Statement
	if db.Error != nil || isSystem(stmt.Context) {
		return
	}
	if tenantTablePattern.MatchString(stmt.SQL.String()) {
		_ = db.AddError(ErrUnscoped)
	}
}
