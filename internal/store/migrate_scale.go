package store

import (
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"gorm.io/gorm"
)

// scaleMigration makes the reads that would otherwise grow with the workspace constant in it.
//
// Counts: row_counts holds, per workspace and scope, the number of rows of a table ("contacts",
// "lists", "campaigns", "deals"), of a list's members (the scope is the list's id) and of the
// contacts with a tag ("tag:" and the tag). Triggers keep it in the transaction of every
// insert and delete, cascades included, so that it is exact whatever path writes: the store,
// Lexi's actions, a hand-written fix in psql. On PostgreSQL a statement adds its rows grouped,
// and a transaction adds to one of countSlots rows per scope (picked by its transaction id),
// so that concurrent writers of one workspace do not all queue on one counter row; a count
// is the sum of a scope's few rows. SQLite has a single writer and keeps one row per scope.
//
// Search (PostgreSQL): trigram GIN indexes on (workspace_id, the searched text), so that a
// substring search reads the index entries of its own workspace's matches instead of every
// row; they need the extensions pg_trgm and btree_gin (see pgExtensions).
var scaleMigration = migration{
	postgres: append(append([]string{
		// The counts are made from the rows present: no write may slip between the two.
		"LOCK TABLE contacts, lists, campaigns, deals, list_memberships, contact_tags IN SHARE MODE",
		// A GIN index over a million rows builds several times faster with room to sort.
		"SET LOCAL maintenance_work_mem = '256MB'",
		rowCountsTable,
	}, pgCountTriggers()...),
		contactSearchIndex,
		"CREATE INDEX lists_search ON lists USING gin (workspace_id, lower(name) {{trgm_ops}})",
		"CREATE INDEX prospects_search ON prospects USING gin (("+prospectSearchText+") {{trgm_ops}})",
	),
	sqlite: append([]string{rowCountsTable}, sqliteCountTriggers()...),
}

const rowCountsTable = `CREATE TABLE row_counts (
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	scope        TEXT NOT NULL,
	slot         INTEGER NOT NULL,
	n            BIGINT NOT NULL,
	PRIMARY KEY (workspace_id, scope, slot)
)`

// countSlots is the number of counter rows per scope on PostgreSQL.
const countSlots = 16

// countedTable is a table whose rows row_counts counts: scope is the scope of a row r, and
// parent, when set, a table whose row p.id = r.<parentCol> must still exist for the row to
// count (a list's members stop counting with the list, whose counter rows go with it).
type countedTable struct {
	table, scope, parent, parentCol string
}

var countedTables = []countedTable{
	{table: "contacts", scope: "'" + scopeContacts + "'"},
	{table: "lists", scope: "'" + scopeLists + "'"},
	{table: "campaigns", scope: "'" + scopeCampaigns + "'"},
	{table: "deals", scope: "'" + scopeDeals + "'"},
	{table: "list_memberships", scope: "r.list_id", parent: "lists", parentCol: "list_id"},
	{table: "contact_tags", scope: "'" + scopeTagPrefix + "' || r.tag"},
}

// Scopes of row_counts; a list's members are counted under the list's id.
const (
	scopeContacts  = "contacts"
	scopeLists     = "lists"
	scopeCampaigns = "campaigns"
	scopeDeals     = "deals"
	scopeTagPrefix = "tag:"
)

// guard is the condition for a row r to be counted: its workspace (and parent) still exist.
// A cascade from a deleted workspace or list removes the rows below it after the parent is
// gone; their counters go with the parent instead of being written again.
func (c countedTable) guard() string {
	g := "EXISTS (SELECT 1 FROM workspaces w WHERE w.id = r.workspace_id)"
	if c.parent != "" {
		g += " AND EXISTS (SELECT 1 FROM " + c.parent + " p WHERE p.id = r." + c.parentCol + ")"
	}
	return g
}

// initial counts the rows already there when the migration runs.
func (c countedTable) initial() string {
	return fmt.Sprintf("INSERT INTO row_counts (workspace_id, scope, slot, n) SELECT r.workspace_id, %s, 0, COUNT(*) FROM %s r WHERE %s GROUP BY 1, 2",
		c.scope, c.table, c.guard())
}

// pgCountTriggers returns, per counted table, a statement-level trigger function that adds
// the rows a statement inserted or deleted (its transition table) to the counters, the two
// triggers that call it, and the initial counts.
func pgCountTriggers() []string {
	var out []string
	for _, c := range countedTables {
		upsert := func(rows, sign string) string {
			return fmt.Sprintf(`INSERT INTO row_counts AS c (workspace_id, scope, slot, n)
		SELECT r.workspace_id, %s, txid_current() %% %d, %sCOUNT(*) FROM %s r WHERE %s
		GROUP BY 1, 2 ORDER BY 1, 2
		ON CONFLICT (workspace_id, scope, slot) DO UPDATE SET n = c.n + excluded.n;`, c.scope, countSlots, sign, rows, c.guard())
		}
		onDelete := upsert("old_rows", "-")
		if c.table == "lists" { // the list's members' counters go with it
			onDelete += `
		DELETE FROM row_counts c USING old_rows r WHERE c.workspace_id = r.workspace_id AND c.scope = r.id;`
		}
		fn := "row_counts_" + c.table
		// search_path is fixed at creation: the trigger finds row_counts in the schema the
		// migration created it in, whatever the search_path of the session that writes.
		out = append(out, fmt.Sprintf(`CREATE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		%s
	ELSE
		%s
	END IF;
	RETURN NULL;
END
$$`, fn, upsert("new_rows", ""), onDelete),
			fmt.Sprintf("CREATE TRIGGER row_counts_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %s()", c.table, fn),
			fmt.Sprintf("CREATE TRIGGER row_counts_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION %s()", c.table, fn),
			c.initial())
	}
	return out
}

// sqliteCountTriggers: SQLite has row-level triggers only, and one writer: one counter row
// per scope, created on first use.
func sqliteCountTriggers() []string {
	var out []string
	for _, c := range countedTables {
		scope := func(row string) string { return strings.ReplaceAll(c.scope, "r.", row+".") }
		guard := func(row string) string { return strings.ReplaceAll(c.guard(), "r.", row+".") }
		onDelete := fmt.Sprintf("UPDATE row_counts SET n = n - 1 WHERE workspace_id = OLD.workspace_id AND scope = %s AND slot = 0;", scope("OLD"))
		if c.table == "lists" {
			onDelete += "\n\tDELETE FROM row_counts WHERE workspace_id = OLD.workspace_id AND scope = OLD.id;"
		}
		out = append(out, fmt.Sprintf(`CREATE TRIGGER row_counts_%s_insert AFTER INSERT ON %s WHEN %s BEGIN
	INSERT OR IGNORE INTO row_counts (workspace_id, scope, slot, n) VALUES (NEW.workspace_id, %s, 0, 0);
	UPDATE row_counts SET n = n + 1 WHERE workspace_id = NEW.workspace_id AND scope = %s AND slot = 0;
END`, c.table, c.table, guard("NEW"), scope("NEW"), scope("NEW")),
			fmt.Sprintf(`CREATE TRIGGER row_counts_%s_delete AFTER DELETE ON %s BEGIN
	%s
END`, c.table, c.table, onDelete),
			c.initial())
	}
	return out
}

// pgExtensions installs pg_trgm (trigram indexes for substring search) and btree_gin (the
// workspace id as the leading column of those indexes) in schema public unless the database
// has them already, and returns pg_trgm's GIN operator class qualified by its schema, so that
// the indexes resolve it whatever the session's search_path.
//
// Both extensions ship with PostgreSQL (contrib) and are trusted since PostgreSQL 13: the
// database's owner, or any role with CREATE on the database, may create them; otherwise a
// superuser must create them once beforehand. Migrations hold an advisory lock, so concurrent
// starts do not race to create them.
func pgExtensions(tx *gorm.DB) (string, error) {
	for _, ext := range []string{"pg_trgm", "btree_gin"} {
		err := tx.Exec("CREATE EXTENSION IF NOT EXISTS " + ext + " WITH SCHEMA public").Error
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && (pgErr.Code == "42501" || pgErr.Code == "58P01" || pgErr.Code == "0A000") {
			return "", fmt.Errorf("the search indexes need the PostgreSQL extension %s, which this role may not create or the server does not have (%s): "+
				"install PostgreSQL's contrib modules and connect as the database's owner, or have a superuser run "+
				"CREATE EXTENSION %s WITH SCHEMA public; in this database first", ext, pgErr.Message, ext)
		}
		if err != nil {
			return "", err
		}
	}
	var schema string
	err := tx.Raw("SELECT quote_ident(n.nspname) FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'").
		Scan(&schema).Error
	if err != nil {
		return "", err
	}
	return schema + ".gin_trgm_ops", nil
}
