package store

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
)

// errNotPostgresURL is Open's answer to a DATABASE_URL of another kind.
var errNotPostgresURL = errors.New("DATABASE_URL must be a postgres:// URL (or unset for the embedded database)")

// Permanent reports an error of Open or Migrate that waiting cannot cure, so that a server
// starts or fails at once instead of retrying forever: a malformed DATABASE_URL, a database
// that does not exist, credentials or a role the server refuses. A refused or reset
// connection, or a server starting up or in recovery (57P03), is transient.
func Permanent(err error) bool {
	if err == nil {
		return false
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "3D000", // invalid_catalog_name: the database does not exist
			"28P01", // invalid_password
			"28000", // invalid_authorization_specification: no such role, no pg_hba.conf entry
			"42501": // insufficient_privilege: the role may not connect to the database
			return true
		}
		return false
	}
	var parseErr *pgconn.ParseConfigError
	return errors.As(err, &parseErr) || errors.Is(err, errNotPostgresURL)
}
