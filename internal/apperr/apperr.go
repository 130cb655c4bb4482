// Package apperr is the one error type of the application. Every layer below the transport
// returns *Error (or wraps one) so that the transport can map a code to a GraphQL
// extensions.code and an HTTP status in a single place; anything else is an internal error
// whose message never reaches a caller.
package apperr

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers. The values are internal; the transport decides how
// each one is shown.
type Code string

const (
	ENOTFOUND     Code = "ENOTFOUND"     // unknown id, or an id of another workspace
	EINVALID      Code = "EINVALID"      // a bad argument; Field names it
	ECONFLICT     Code = "ECONFLICT"     // uniqueness or state conflict
	EUNAUTHORIZED Code = "EUNAUTHORIZED" // no usable key; Reason says why
	EFORBIDDEN    Code = "EFORBIDDEN"    // the key lacks permissions; Missing lists them
	ETOOCOMPLEX   Code = "ETOOCOMPLEX"   // operation too large to run
	ERATELIMITED  Code = "ERATELIMITED"  // the key's plan limit is reached
	ETOOLARGE     Code = "ETOOLARGE"     // request body over the limit
	EMETHOD       Code = "EMETHOD"       // an operation the HTTP method cannot carry
	EBADREQUEST   Code = "EBADREQUEST"   // a request that is not GraphQL over HTTP at all
	EMEDIATYPE    Code = "EMEDIATYPE"    // a request body in a media type the endpoint does not read
	ENOTACCEPT    Code = "ENOTACCEPT"    // no response media type the request's Accept allows
	ETIMEOUT      Code = "ETIMEOUT"      // the request's deadline passed before it finished
	EUNAVAILABLE  Code = "EUNAVAILABLE"  // a dependency (the database) does not answer
	EINTERNAL     Code = "EINTERNAL"     // a bug or an unexpected failure
	ECANCELED     Code = "ECANCELED"     // the client went away before its answer

	EIDEMPOTENCYREUSED   Code = "EIDEMPOTENCYREUSED"   // an Idempotency-Key sent again with another body
	EIDEMPOTENCYINFLIGHT Code = "EIDEMPOTENCYINFLIGHT" // an Idempotency-Key whose first request still runs
)

// Error is an application error with a code and a message that is safe to show to the caller.
type Error struct {
	Code    Code
	Message string
	// Field is the argument path an EINVALID error is about, e.g. "input.email".
	Field string
	// Reason qualifies EUNAUTHORIZED (MISSING_KEY, INVALID_KEY, REVOKED_KEY, EXPIRED_KEY).
	Reason string
	// Missing lists the permissions an EFORBIDDEN caller lacks, e.g. ["WRITE"].
	Missing []string
	// Extensions carries any further machine-readable detail for the caller.
	Extensions map[string]any
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an error with the given code and a formatted, caller-safe message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound reports an id that does not exist in the caller's workspace. The message is the
// same whether the id is unknown or belongs to another workspace.
func NotFound(what, id string) *Error {
	return &Error{Code: ENOTFOUND, Message: fmt.Sprintf("%s %s not found", what, Quote(id))}
}

// Invalid reports a bad argument.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Field: field, Message: fmt.Sprintf(format, args...)}
}

// Conflict reports a uniqueness or state conflict.
func Conflict(format string, args ...any) *Error {
	return &Error{Code: ECONFLICT, Message: fmt.Sprintf(format, args...)}
}

// invalidValue is how a package below apperr marks a caller's malformed value without
// importing it (models' scalars, which parse input): As reads such an error as EINVALID.
type invalidValue interface {
	error
	InvalidValue()
}

// As returns the *Error inside err, or nil.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var iv invalidValue
	if errors.As(err, &iv) {
		return &Error{Code: EINVALID, Message: iv.Error()}
	}
	return nil
}

// CodeOf returns the code of err; errors that are not *Error are EINTERNAL.
func CodeOf(err error) Code {
	if err == nil {
		return ""
	}
	if e := As(err); e != nil {
		return e.Code
	}
	return EINTERNAL
}
