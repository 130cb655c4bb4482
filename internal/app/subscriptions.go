package app

import (
	"context"

	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/httpapi"
	"github.com/wbk/crm/models"
	"github.com/wbk/crm/resolvers"
)

// keyCheckedEvents ends a subscription at the first event after its key was revoked or
// expired: the key is checked again (one indexed query) before each delivery, so revocation
// reaches open websockets as it reaches the next HTTP request. The websocket the
// subscription runs on is closed (4401), as a bad key at connection_init closes it; an
// event stream ends.
type keyCheckedEvents struct {
	events resolvers.TaskEvents
	auth   *auth.Authenticator
}

func (k keyCheckedEvents) Subscribe(ctx context.Context, workspaceID string) <-chan *models.LexiTask {
	in := k.events.Subscribe(ctx, workspaceID)
	p := auth.PrincipalFrom(ctx)
	if p == nil {
		return in
	}
	out := make(chan *models.LexiTask)
	go func() {
		defer close(out)
		for task := range in {
			if err := k.auth.StillValid(ctx, p.Key.ID); err != nil {
				httpapi.CloseSocket(ctx, err)
				return // an event stream's transport completes the subscription
			}
			select {
			case out <- task:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out
}
