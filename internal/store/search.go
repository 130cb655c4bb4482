package store

import (
	"strings"

	"gorm.io/gorm"
)

// Substring search ("search" filters): case-insensitive LIKE '%…%' over several columns.
//
// On PostgreSQL the searched columns are one expression, joined by a separator no stored
// text contains (cleanText refuses control characters), and a trigram GIN index on
// (workspace_id, that expression) answers the LIKE: the scan reads the index entries of the
// workspace's candidate rows, not every row of the workspace, and the planner can still walk
// an ordering's index instead when the matches are many. Trigrams keep the filter's meaning
// (any substring, also of an email); a tsvector would match words and prefixes only. SQLite
// keeps the per-column scan.

// searchSeparator joins the searched columns; a pattern without it matches within one column.
const searchSeparator = "\x1f"

// The searched text of a row, exactly as the indexes of migrate_scale.go are built on it.
const (
	contactSearchText  = `lower(coalesce(contacts.first_name, '') || E'\x1f' || contacts.last_name || E'\x1f' || coalesce(contacts.company, '') || E'\x1f' || contacts.email)`
	prospectSearchText = `lower(prospects.full_name || E'\x1f' || prospects.email || E'\x1f' || coalesce(prospects.company, '') || E'\x1f' || coalesce(prospects.title, ''))`
	contactSearchIndex = "CREATE INDEX contacts_search ON contacts USING gin (workspace_id, (" + contactSearchText + ") {{trgm_ops}})"
)

// searchWhere adds the search of s (a raw filter value) over columns to q: on PostgreSQL the
// joined expression text, on SQLite each of columns (lower()ed SQL expressions).
func searchWhere(q *gorm.DB, dialect Dialect, s, text string, columns ...string) *gorm.DB {
	p := likePattern(s)
	if dialect == Postgres {
		if strings.Contains(s, searchSeparator) {
			// No column holds the separator, so nothing matches; in the joined text it would
			// match across two columns.
			return q.Where("1 = 0")
		}
		return q.Where(text+` LIKE ? ESCAPE '\'`, p)
	}
	conds := make([]string, len(columns))
	vars := make([]any, len(columns))
	for i, c := range columns {
		conds[i], vars[i] = c+` LIKE ? ESCAPE '\'`, p
	}
	return q.Where("("+strings.Join(conds, " OR ")+")", vars...)
}
