// Package resolvers maps GraphQL fields to store calls. Resolvers stay thin: arguments in, one
// store or loader call, result out. Business rules live in internal/store.
package resolvers

import (
	"context"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/lexi"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/internal/webhooks"
	"github.com/wbk/crm/models"
)

// Resolver is the root resolver; it holds the application's services.
type Resolver struct {
	Store *store.Store
	// UsageStats reads a key's usage per day.
	UsageStats UsageReader
	// Limits reports the caller's rate-limit state.
	Limits RateLimitReporter
	// Lexi is the assistant: chat, and its tasks.
	Lexi *lexi.Service
	// Events streams Lexi task changes to subscriptions.
	Events TaskEvents
	// Webhooks manages webhook endpoints: URL rules and secrets.
	Webhooks *webhooks.Service
}

// TaskEvents streams the Lexi task changes of one workspace until ctx ends.
type TaskEvents interface {
	Subscribe(ctx context.Context, workspaceID string) <-chan *models.LexiTask
}

// UsageReader reads usage per UTC day, newest first, today included.
type UsageReader interface {
	Days(ctx context.Context, keyID string, days int) ([]*models.UsageDay, error)
}

// RateLimitReporter reports the rate-limit state of the request in ctx.
type RateLimitReporter interface {
	Report(ctx context.Context) (*models.RateLimit, error)
}

// orNull turns "not found" into null, as queries by id answer for unknown and foreign ids.
func orNull[T any](v *T, err error) (*T, error) {
	if apperr.CodeOf(err) == apperr.ENOTFOUND {
		return nil, nil
	}
	return v, err
}

func page(first *int, after *string, last *int, before *string) store.PageArgs {
	return store.PageArgs{First: first, After: after, Last: last, Before: before}
}
