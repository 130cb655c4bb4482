package webhooks

import (
	"context"
	"time"

	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// SecretOverlap is how long a rotated-out secret keeps signing beside the new one.
const SecretOverlap = 24 * time.Hour

// Service manages a workspace's endpoints: it decides what URL is acceptable and makes the
// secrets; the store keeps them.
type Service struct {
	Store *store.Store
	// AllowPrivate accepts http:// and private destinations (WEBHOOK_ALLOW_PRIVATE).
	AllowPrivate bool
	// Now is the clock of secret rotations; nil: time.Now.
	Now func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// CreateEndpoint registers an endpoint and returns it with its secret, the only time the
// secret is shown.
func (s *Service) CreateEndpoint(ctx context.Context, in models.CreateWebhookEndpointInput) (*models.CreateWebhookEndpointPayload, error) {
	u, err := CheckURL("input.url", in.URL, s.AllowPrivate)
	if err != nil {
		return nil, err
	}
	secret := NewSecret()
	e, err := s.Store.CreateWebhookEndpoint(ctx, store.NewWebhookEndpoint{URL: u, Events: in.Events,
		Description: in.Description, Secret: secret})
	if err != nil {
		return nil, err
	}
	return &models.CreateWebhookEndpointPayload{Endpoint: e, Secret: secret}, nil
}

// UpdateEndpoint changes an endpoint's URL, events, description or state.
func (s *Service) UpdateEndpoint(ctx context.Context, id string, in models.UpdateWebhookEndpointInput) (*models.WebhookEndpoint, error) {
	patch := store.WebhookEndpointPatch{Description: in.Description, Enabled: in.Enabled}
	if in.URL != nil {
		u, err := CheckURL("input.url", *in.URL, s.AllowPrivate)
		if err != nil {
			return nil, err
		}
		patch.URL = &u
	}
	if in.Events != nil {
		patch.Events = in.Events
		if len(in.Events) == 0 { // an empty list is a mistake, not "no change"
			if _, err := store.ParseWebhookEvents("input.events", in.Events); err != nil {
				return nil, err
			}
		}
	}
	return s.Store.UpdateWebhookEndpoint(ctx, id, patch)
}

// RotateSecret gives the endpoint a new secret; the old one signs beside it for SecretOverlap.
func (s *Service) RotateSecret(ctx context.Context, id string) (*models.RotateWebhookSecretPayload, error) {
	secret := NewSecret()
	e, err := s.Store.RotateWebhookSecret(ctx, id, secret, s.now(), SecretOverlap)
	if err != nil {
		return nil, err
	}
	return &models.RotateWebhookSecretPayload{Endpoint: e, Secret: secret, PreviousSecretExpiresAt: *e.PreviousSecretUntil}, nil
}
