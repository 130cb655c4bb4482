package auth

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// Reasons for a 401, as the contract names them.
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
// even when another process (the CLI) revoked the key.
type Authenticator struct {
	Store *store.Store
	Now   func() time.Time
	Log   *slog.Logger

	mu       sync.Mutex
	lastUsed map[string]time.Time // pending lastUsedAt writes, by key id
	written  map[string]time.Time // when each key's lastUsedAt was last written
}

// NewAuthenticator returns an Authenticator on s.
func NewAuthenticator(s *store.Store, log *slog.Logger) *Authenticator {
	return &Authenticator{Store: s, Now: time.Now, Log: log,
		lastUsed: map[string]time.Time{}, written: map[string]time.Time{}}
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
// EUNAUTHORIZED error with the contract's reason.
func (a *Authenticator) Authenticate(ctx context.Context, header string) (*Principal, error) {
	if strings.TrimSpace(header) == "" {
		return nil, unauthorized(ReasonMissing, "an API key is required: send Authorization: Bearer wbk_…")
	}
	token := BearerToken(header)
	if !WellFormed(token) {
		return nil, unauthorized(ReasonInvalid, "the API key is malformed or unknown")
	}
	key, ws, err := a.Store.KeyByHash(ctx, HashKey(token))
	if err != nil {
		if apperr.CodeOf(err) == apperr.ENOTFOUND {
			return nil, unauthorized(ReasonInvalid, "the API key is malformed or unknown")
		}
		return nil, err
	}
	now := a.Now()
	if key.RevokedAt != nil && !key.RevokedAt.After(now) {
		return nil, unauthorized(ReasonRevoked, "the API key has been revoked")
	}
	if key.ExpiresAt != nil && !key.ExpiresAt.After(now) {
		return nil, unauthorized(ReasonExpired, "the API key has expired")
	}
	a.markUsed(key.ID, now)
	return &Principal{Key: key, Workspace: ws}, nil
}

func unauthorized(reason, msg string) *apperr.Error {
	return &apperr.Error{Code: apperr.EUNAUTHORIZED, Reason: reason, Message: msg}
}

// lastUsedEvery bounds how often one key's lastUsedAt is written.
const lastUsedEvery = time.Minute

func (a *Authenticator) markUsed(keyID string, at time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if w, ok := a.written[keyID]; ok && at.Sub(w) < lastUsedEvery {
		return
	}
	a.written[keyID] = at
	a.lastUsed[keyID] = at
}

// FlushLastUsed writes pending lastUsedAt values. It runs in the background and on shutdown,
// never on a request's path.
func (a *Authenticator) FlushLastUsed(ctx context.Context) error {
	a.mu.Lock()
	pending := a.lastUsed
	a.lastUsed = map[string]time.Time{}
	a.mu.Unlock()
	if err := a.Store.TouchAPIKeys(ctx, pending); err != nil {
		a.mu.Lock()
		for id, at := range pending { // keep them for the next flush
			if cur, ok := a.lastUsed[id]; !ok || cur.Before(at) {
				a.lastUsed[id] = at
			}
		}
		a.mu.Unlock()
		return err
	}
	return nil
}

// RunFlusher flushes lastUsedAt every interval until ctx ends, then once more.
func (a *Authenticator) RunFlusher(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := a.FlushLastUsed(context.WithoutCancel(ctx)); err != nil {
				a.Log.Error("flush last used", "err", err)
			}
			return
		case <-t.C:
			if err := a.FlushLastUsed(ctx); err != nil {
				a.Log.Warn("flush last used", "err", err)
			}
		}
	}
}

// StillValid reports whether an authenticated key is still usable: a long-lived connection
// (a subscription) asks before it delivers, so that revocation and expiry end it too.
func (a *Authenticator) StillValid(ctx context.Context, keyID string) error {
	key, err := a.Store.APIKey(ctx, keyID)
	if err != nil {
		if apperr.CodeOf(err) == apperr.ENOTFOUND {
			return unauthorized(ReasonInvalid, "the API key is malformed or unknown")
		}
		return err
	}
	now := a.Now()
	if key.RevokedAt != nil && !key.RevokedAt.After(now) {
		return unauthorized(ReasonRevoked, "the API key has been revoked")
	}
	if key.ExpiresAt != nil && !key.ExpiresAt.After(now) {
		return unauthorized(ReasonExpired, "the API key has expired")
	}
	return nil
}
