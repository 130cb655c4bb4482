package models

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/99designs/gqlgen/graphql"
)

// InvalidValueError is a caller's malformed scalar value. models sits below the application's
// error type (internal/apperr) and does not import it: apperr reads this error as EINVALID
// by its InvalidValue method.
type InvalidValueError struct{ Message string }

func (e *InvalidValueError) Error() string { return e.Message }

// InvalidValue marks the error as the caller's bad value for apperr.
func (*InvalidValueError) InvalidValue() {}

func invalidValue(format string, args ...any) error {
	return &InvalidValueError{Message: fmt.Sprintf(format, args...)}
}

// Date is a calendar date without a time zone, "2006-01-02" on the wire and in the database.
type Date string

const dateLayout = "2006-01-02"

// ParseDate accepts exactly YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil {
		return "", fmt.Errorf("date must be YYYY-MM-DD")
	}
	return Date(t.Format(dateLayout)), nil
}

func (d Date) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(d))) }

func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return invalidValue("date must be a string YYYY-MM-DD")
	}
	if s == "" { // "" means no date: it clears the field on update, as for other optional fields
		*d = ""
		return nil
	}
	parsed, err := ParseDate(s)
	if err != nil {
		return invalidValue("%q is not a date YYYY-MM-DD", s)
	}
	*d = parsed
	return nil
}

func (d Date) Value() (driver.Value, error) { return string(d), nil }

func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*d = ""
	case string:
		*d = Date(v)
	case []byte:
		*d = Date(v)
	case time.Time:
		*d = Date(v.Format(dateLayout))
	default:
		return fmt.Errorf("cannot scan %T into Date", src)
	}
	return nil
}

// StringList is a []string kept as a JSON array in a text column.
type StringList []string

func (l StringList) Value() (driver.Value, error) {
	if l == nil {
		return "[]", nil
	}
	b, err := json.Marshal([]string(l))
	return string(b), err
}

func (l *StringList) Scan(src any) error {
	var raw []byte
	switch v := src.(type) {
	case nil:
		*l = StringList{}
		return nil
	case string:
		raw = []byte(v)
	case []byte:
		raw = v
	default:
		return fmt.Errorf("cannot scan %T into StringList", src)
	}
	return json.Unmarshal(raw, (*[]string)(l))
}

// MarshalTime writes a Time scalar as RFC 3339 in UTC.
func MarshalTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
	})
}

// UnmarshalTime reads a Time scalar; a bad value is the caller's error, not ours.
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, invalidValue("time must be an RFC 3339 string such as 2026-01-31T09:00:00Z")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, invalidValue("%q is not an RFC 3339 time such as 2026-01-31T09:00:00Z", s)
	}
	return t.UTC(), nil
}
