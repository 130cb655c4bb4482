package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"
)

// migration is one step of the schema. sql runs on both databases: statements separated by
// ";", {{ts}} standing for the dialect's timestamp type. postgres and sqlite run after it on
// their database only, each element one statement as written (function and trigger bodies
// hold semicolons); {{trgm_ops}} in them names pg_trgm's GIN operator class, qualified by the
// schema the extension lives in.
type migration struct {
	sql              string
	postgres, sqlite []string
}

// migrations are applied in order, each once, each in its own transaction. Never edit one that
// has shipped: add a new one.
var migrations = []migration{
	// 1: tenants, keys and the CRM entities.
	{sql: `
CREATE TABLE workspaces (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	plan       TEXT NOT NULL,
	created_at {{ts}} NOT NULL
);
CREATE TABLE api_keys (
	id           TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	prefix       TEXT NOT NULL,
	key_hash     TEXT NOT NULL,
	permissions  TEXT NOT NULL,
	expires_at   {{ts}},
	revoked_at   {{ts}},
	last_used_at {{ts}},
	created_at   {{ts}} NOT NULL
);
CREATE UNIQUE INDEX api_keys_key_hash ON api_keys (key_hash);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id, id);

CREATE TABLE contacts (
	id           TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	email        TEXT NOT NULL,
	first_name   TEXT,
	last_name    TEXT NOT NULL DEFAULT '',
	company      TEXT,
	title        TEXT,
	phone        TEXT,
	tags         TEXT NOT NULL DEFAULT '[]',
	created_at   {{ts}} NOT NULL,
	updated_at   {{ts}} NOT NULL
);
CREATE UNIQUE INDEX contacts_workspace_email ON contacts (workspace_id, email);
CREATE INDEX contacts_workspace_id ON contacts (workspace_id, id);
CREATE INDEX contacts_workspace_updated ON contacts (workspace_id, updated_at, id);
CREATE INDEX contacts_workspace_last_name ON contacts (workspace_id, last_name, id);
CREATE INDEX contacts_workspace_company ON contacts (workspace_id, lower(company));

CREATE TABLE contact_tags (
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	tag          TEXT NOT NULL,
	contact_id   TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	PRIMARY KEY (workspace_id, tag, contact_id)
);
CREATE INDEX contact_tags_contact ON contact_tags (contact_id);

CREATE TABLE lists (
	id           TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	description  TEXT,
	created_at   {{ts}} NOT NULL,
	updated_at   {{ts}} NOT NULL
);
CREATE UNIQUE INDEX lists_workspace_name ON lists (workspace_id, lower(name));
CREATE INDEX lists_workspace_id ON lists (workspace_id, id);

CREATE TABLE list_memberships (
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	list_id      TEXT NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
	contact_id   TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
	created_at   {{ts}} NOT NULL,
	PRIMARY KEY (list_id, contact_id)
);
CREATE INDEX list_memberships_contact ON list_memberships (contact_id, list_id);

CREATE TABLE campaigns (
	id           TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	name         TEXT NOT NULL,
	subject      TEXT,
	body         TEXT,
	status       TEXT NOT NULL,
	list_id      TEXT REFERENCES lists(id) ON DELETE SET NULL,
	scheduled_at {{ts}},
	created_at   {{ts}} NOT NULL,
	updated_at   {{ts}} NOT NULL
);
CREATE INDEX campaigns_workspace_id ON campaigns (workspace_id, id);
CREATE INDEX campaigns_workspace_status ON campaigns (workspace_id, status, id);
CREATE INDEX campaigns_list ON campaigns (list_id);

CREATE TABLE deals (
	id           TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	title        TEXT NOT NULL,
	amount       BIGINT NOT NULL DEFAULT 0,
	currency     TEXT NOT NULL,
	stage        TEXT NOT NULL,
	contact_id   TEXT REFERENCES contacts(id) ON DELETE SET NULL,
	close_date   TEXT,
	created_at   {{ts}} NOT NULL,
	updated_at   {{ts}} NOT NULL
);
CREATE INDEX deals_workspace_id ON deals (workspace_id, id);
CREATE INDEX deals_workspace_stage ON deals (workspace_id, stage, id);
CREATE INDEX deals_contact ON deals (contact_id, id);

CREATE TABLE prospects (
	id         TEXT PRIMARY KEY,
	full_name  TEXT NOT NULL,
	email      TEXT NOT NULL,
	title      TEXT,
	company    TEXT,
	industry   TEXT,
	location   TEXT,
	created_at {{ts}} NOT NULL,
	updated_at {{ts}} NOT NULL
);
CREATE UNIQUE INDEX prospects_email ON prospects (email);
CREATE INDEX prospects_company ON prospects (lower(company), id);
CREATE INDEX prospects_title ON prospects (lower(title), id);
CREATE INDEX prospects_industry ON prospects (lower(industry), id);
CREATE INDEX prospects_location ON prospects (lower(location), id);
`},
	// 2: usage per API key and UTC day, and per root field. No foreign keys: the counters are
	// flushed in batches from memory, and one row for a key or workspace deleted in the
	// meantime would fail the whole batch, which the recorder would then retry forever. Rows
	// of a deleted tenant are removed by workspace_id, hence the workspace indexes.
	{sql: `
CREATE TABLE usage_days (
	workspace_id TEXT NOT NULL,
	key_id       TEXT NOT NULL,
	date         TEXT NOT NULL,
	calls        BIGINT NOT NULL DEFAULT 0,
	cost         BIGINT NOT NULL DEFAULT 0,
	errors       BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (key_id, date)
);
CREATE INDEX usage_days_workspace ON usage_days (workspace_id, date);

CREATE TABLE usage_operations (
	workspace_id TEXT NOT NULL,
	key_id       TEXT NOT NULL,
	date         TEXT NOT NULL,
	operation    TEXT NOT NULL,
	calls        BIGINT NOT NULL DEFAULT 0,
	errors       BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (key_id, date, operation)
);
CREATE INDEX usage_operations_workspace ON usage_operations (workspace_id, date);
`},
	// 3: Lexi, the assistant: conversations with their messages, and the tasks it proposes.
	// A task keeps its action's parameters as JSON so that approving it runs exactly what was
	// shown; tasks outlive their conversation, hence ON DELETE SET NULL.
	{sql: `
CREATE TABLE lexi_conversations (
	id           TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	created_at   {{ts}} NOT NULL,
	updated_at   {{ts}} NOT NULL
);
CREATE INDEX lexi_conversations_workspace_id ON lexi_conversations (workspace_id, id);

CREATE TABLE lexi_messages (
	id              TEXT PRIMARY KEY,
	workspace_id    TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	conversation_id TEXT NOT NULL REFERENCES lexi_conversations(id) ON DELETE CASCADE,
	role            TEXT NOT NULL,
	content         TEXT NOT NULL,
	created_at      {{ts}} NOT NULL
);
CREATE INDEX lexi_messages_conversation ON lexi_messages (workspace_id, conversation_id, id);

CREATE TABLE lexi_tasks (
	id              TEXT PRIMARY KEY,
	workspace_id    TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	conversation_id TEXT REFERENCES lexi_conversations(id) ON DELETE SET NULL,
	action          TEXT NOT NULL,
	payload         TEXT NOT NULL,
	status          TEXT NOT NULL,
	title           TEXT NOT NULL,
	description     TEXT NOT NULL,
	result          TEXT,
	error           TEXT,
	decided_by      TEXT,
	created_at      {{ts}} NOT NULL,
	decided_at      {{ts}}
);
CREATE INDEX lexi_tasks_workspace_id ON lexi_tasks (workspace_id, id);
CREATE INDEX lexi_tasks_workspace_status ON lexi_tasks (workspace_id, status, id);
`},
	// 4: idempotency records: the first response to a request sent with an Idempotency-Key,
	// per API key, written in the transaction of the mutation it answers. Expired records are
	// swept in batches (expires_at index), never by the requests themselves.
	{sql: `
CREATE TABLE idempotency_keys (
	workspace_id    TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	key_id          TEXT NOT NULL,
	idempotency_key TEXT NOT NULL,
	fingerprint     TEXT NOT NULL,
	status          INTEGER NOT NULL,
	body            TEXT NOT NULL,
	created_at      {{ts}} NOT NULL,
	expires_at      {{ts}} NOT NULL,
	PRIMARY KEY (key_id, idempotency_key)
);
CREATE INDEX idempotency_keys_workspace ON idempotency_keys (workspace_id, key_id);
CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);
`},
	// 5: webhooks. Endpoints per workspace; the outbox of events, written in the transaction
	// of each change; one delivery per event and endpoint. The worker's claim scans only due
	// PENDING deliveries (webhook_deliveries_due), across workspaces.
	{sql: `
CREATE TABLE webhook_endpoints (
	id                    TEXT PRIMARY KEY,
	workspace_id          TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	url                   TEXT NOT NULL,
	description           TEXT,
	events                TEXT NOT NULL,
	enabled               BOOLEAN NOT NULL,
	disabled_reason       TEXT,
	failing_since         {{ts}},
	secret                TEXT NOT NULL,
	previous_secret       TEXT,
	previous_secret_until {{ts}},
	created_at            {{ts}} NOT NULL,
	updated_at            {{ts}} NOT NULL
);
CREATE INDEX webhook_endpoints_workspace ON webhook_endpoints (workspace_id, id);

CREATE TABLE webhook_events (
	id           TEXT PRIMARY KEY,
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	type         TEXT NOT NULL,
	body         TEXT NOT NULL,
	created_at   {{ts}} NOT NULL
);
CREATE INDEX webhook_events_workspace ON webhook_events (workspace_id, id);

CREATE TABLE webhook_deliveries (
	id               TEXT PRIMARY KEY,
	workspace_id     TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
	event_id         TEXT NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
	event_type       TEXT NOT NULL,
	status           TEXT NOT NULL,
	attempts         INTEGER NOT NULL DEFAULT 0,
	last_status_code INTEGER,
	last_error       TEXT,
	duration_ms      INTEGER,
	response_excerpt TEXT,
	next_attempt_at  {{ts}},
	claim_token      TEXT,
	created_at       {{ts}} NOT NULL,
	updated_at       {{ts}} NOT NULL,
	delivered_at     {{ts}}
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (workspace_id, endpoint_id, id);
CREATE INDEX webhook_deliveries_endpoint_status ON webhook_deliveries (workspace_id, endpoint_id, status, id);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'PENDING';
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
`},
	// 6: reads that do not grow with the workspace (migrate_scale.go): counts kept by
	// triggers, and trigram indexes for substring search on PostgreSQL.
	scaleMigration,
	// 7: webhook delivery attempts per workspace and UTC day, for usage: counted in the
	// transaction that records each attempt.
	{sql: `
CREATE TABLE webhook_usage (
	workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
	date         TEXT NOT NULL,
	attempts     BIGINT NOT NULL DEFAULT 0,
	delivered    BIGINT NOT NULL DEFAULT 0,
	failed       BIGINT NOT NULL DEFAULT 0,
	PRIMARY KEY (workspace_id, date)
);
`},
}

// Migrate applies the migrations the database has not seen yet.
func (s *Store) Migrate(ctx context.Context) error {
	ctx = AsSystem(ctx)
	db := s.db.WithContext(ctx)
	err := db.Transaction(func(tx *gorm.DB) error {
		if s.dialect == Postgres {
			// CREATE TABLE IF NOT EXISTS is not safe against itself: of two instances starting
			// on an empty database, one fails on the catalog's unique index unless they queue
			// (and the wait for another instance's migration is not a request's to time out).
			if err := tx.Exec("SET LOCAL statement_timeout = 0").Error; err != nil {
				return err
			}
			if err := tx.Exec("SELECT pg_advisory_xact_lock(7201)").Error; err != nil {
				return err
			}
		}
		return tx.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at ` + s.timestampType() + ` NOT NULL)`).Error
	})
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for i, m := range migrations {
		version := i + 1
		err := db.Transaction(func(tx *gorm.DB) error {
			if s.dialect == Postgres {
				// Migrations are not requests: the statement timeout that bounds requests
				// (REQUEST_TIMEOUT) must not cut a long ALTER or the wait for another
				// instance's migration short.
				if err := tx.Exec("SET LOCAL statement_timeout = 0").Error; err != nil {
					return err
				}
				// Serialise concurrent starts of several instances on one database.
				if err := tx.Exec("SELECT pg_advisory_xact_lock(7201)").Error; err != nil {
					return err
				}
			}
			var applied int64
			if err := tx.Raw("SELECT COUNT(*) FROM schema_migrations WHERE version = ?", version).Scan(&applied).Error; err != nil {
				return err
			}
			if applied > 0 {
				return nil
			}
			stmts := splitStatements(strings.ReplaceAll(m.sql, "{{ts}}", s.timestampType()))
			if s.dialect == Postgres && len(m.postgres) > 0 {
				trgmOps, err := pgExtensions(tx)
				if err != nil {
					return err
				}
				for _, st := range m.postgres {
					stmts = append(stmts, strings.ReplaceAll(st, "{{trgm_ops}}", trgmOps))
				}
			} else if s.dialect == SQLite {
				stmts = append(stmts, m.sqlite...)
			}
			for _, stmt := range stmts {
				if err := tx.Exec(stmt).Error; err != nil {
					return fmt.Errorf("%w in %q", err, firstLine(stmt))
				}
			}
			return tx.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", version, time.Now().UTC()).Error
		})
		if err != nil {
			return fmt.Errorf("migration %d: %w", version, err)
		}
	}
	return nil
}

func (s *Store) timestampType() string {
	if s.dialect == Postgres {
		return "TIMESTAMPTZ"
	}
	return "DATETIME"
}

func splitStatements(sql string) []string {
	var out []string
	for _, part := range strings.Split(sql, ";") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
