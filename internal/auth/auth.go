package auth

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// Reasons for a 401, as docs/api.md (Keys) names them.
const (
	ReasonMissing = "MISSING_KEY"
	ReasonInvalid = "INVALID_KEY"
	ReasonRevoked = "REVOKED_KEY"
	ReasonExpired = "EXPIRED_KEY"
)

// Principal is the authenticated caller: a key and its workspace.
type Principal struct {
	Key       *models.ApiKey
	Workspace *models.Workspace
}

// Has reports whether the caller's key carries p.
func (p *Principal) Has(perm models.Permission) bool { return p.Key.Has(perm) }

type principalKey struct{}

// WithPrincipal stores p in ctx and scopes every database statement made with the returned
// context to p's workspace.
func WithPrincipal(ctx context.Context, p *Principal) context.Context {
	ctx = store.WithWorkspace(ctx, p.Workspace.ID)
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller, or nil.
func PrincipalFrom(ctx context.Context) *Principal {
	p, _ := ctx.Value(principalKey{}).(*Principal)
	return p
}

// Authenticator checks keys against the store. It does not cache: a key lookup is one
// indexed query, and an uncached lookup makes revocation take effect on the next request
// even when another process (the CLI) revoked the key. lastUsedAt is not written here but
// with the usage counts (internal/usage), off the request's path.
type Authenticator struct {
	Store *store.Store
	Now   func() time.Time
	Log   *slog.Logger
}

// NewAuthenticator returns an Authenticator on s.
func NewAuthenticator(s *store.Store, log *slog.Logger) *Authenticator {
	return &Authenticator{Store: s, Now: time.Now, Log: log}
}

// BearerToken extracts the token of an "Authorization: Bearer …" header value.
func BearerToken(header string) string {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

// Authenticate checks the Authorization header value and returns the caller, or an
// EUNAUTHORIZED error with its reason.
func (a *Authenticator) Authenticate(ctx context.Context, header string) (*Principal, error) {
	if strings.TrimSpace(header) == "" {
		return nil, unauthorized(ReasonMissing, "an API key is required: send Authorization: Bearer wbk_…")
	}
	token := BearerToken(header)
	if !WellFormed(token) {
		return nil, invalidKey()
	}
	key, ws, err := a.Store.KeyByHash(ctx, HashKey(token))
	if err != nil {
		return nil, lookupError(err)
	}
	if err := a.usable(key); err != nil {
		return nil, err
	}
	return &Principal{Key: key, Workspace: ws}, nil
}

// usable refuses a key revoked or expired by now: the same rule for a new request and for
// an open subscription.
func (a *Authenticator) usable(key *models.ApiKey) error {
	now := a.Now()
	if key.RevokedAt != nil && !key.RevokedAt.After(now) {
		return unauthorized(ReasonRevoked, "the API key has been revoked")
	}
	if key.ExpiresAt != nil && !key.ExpiresAt.After(now) {
		return unauthorized(ReasonExpired, "the API key has expired")
	}
	return nil
}

// lookupError is a failed key lookup as the caller sees it: an unknown key is a 401, like a
// malformed one; anything else (the database) stays what it is.
func lookupError(err error) error {
	if apperr.CodeOf(err) == apperr.ENOTFOUND {
		return invalidKey()
	}
	return err
}

func invalidKey() *apperr.Error {
	return unauthorized(ReasonInvalid, "the API key is malformed or unknown")
}

func unauthorized(reason, msg string) *apperr.Error {
	return &apperr.Error{Code: apperr.EUNAUTHORIZED, Reason: reason, Message: msg}
}

// StillValid reports whether an authenticated key is still usable: a long-lived connection
// (a subscription) asks before it delivers, so that revocation and expiry end it too.
func (a *Authenticator) StillValid(ctx context.Context, keyID string) error {
	key, err := a.Store.APIKey(ctx, keyID)
	if err != nil {
		return lookupError(err)
	}
	return a.usable(key)
}
