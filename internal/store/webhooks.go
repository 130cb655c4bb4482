package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/models"
)

// Webhook endpoints and their delivery logs, per workspace. Whether a URL is safe to call is
// the webhooks service's decision (internal/webhooks); the store keeps what it is given.

// MaxWebhookEndpoints bounds the endpoints of one workspace: every change is written once per
// subscribed endpoint.
const MaxWebhookEndpoints = 20

// NewWebhookEndpoint is an endpoint to create; URL has passed the service's checks.
type NewWebhookEndpoint struct {
	URL         string
	Events      []string
	Description *string
	Secret      string
}

// WebhookEndpointPatch changes an endpoint; nil fields stay as they are.
type WebhookEndpointPatch struct {
	URL         *string
	Events      []string
	Description *string
	Enabled     *bool
}

// ParseWebhookEvents checks a subscription list: known types, at least one, duplicates dropped.
func ParseWebhookEvents(field string, events []string) (models.StringList, error) {
	if len(events) == 0 {
		return nil, apperr.Invalid(field, "subscribe to at least one event type")
	}
	out := make(models.StringList, 0, len(events))
	for _, e := range events {
		if !slices.Contains(WebhookEventTypes, WebhookEventType(e)) {
			names := make([]string, len(WebhookEventTypes))
			for i, t := range WebhookEventTypes {
				names[i] = string(t)
			}
			return nil, apperr.Invalid(field, "unknown event type %q; known types: %s", e, strings.Join(names, ", "))
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// WebhookEndpoint returns one endpoint of the caller's workspace.
func (s *Store) WebhookEndpoint(ctx context.Context, id string) (*models.WebhookEndpoint, error) {
	e, err := findByID[models.WebhookEndpoint](s.read(ctx), "webhook endpoint", id)
	return e, s.translate(err)
}

// CreateWebhookEndpoint adds an endpoint, enabled.
func (s *Store) CreateWebhookEndpoint(ctx context.Context, in NewWebhookEndpoint) (*models.WebhookEndpoint, error) {
	events, err := ParseWebhookEvents("input.events", in.Events)
	if err != nil {
		return nil, err
	}
	desc, err := optionalText("input.description", in.Description, maxTextLen)
	if err != nil {
		return nil, err
	}
	now := Now()
	e := &models.WebhookEndpoint{ID: ids.New(ids.WebhookEndpoint), URL: in.URL, Description: desc, EventList: events,
		Enabled: true, Secret: in.Secret, CreatedAt: now, UpdatedAt: now}
	err = s.write(ctx, func(tx *gorm.DB) error {
		var n int64
		if err := tx.Model(&models.WebhookEndpoint{}).Count(&n).Error; err != nil {
			return err
		}
		if n >= MaxWebhookEndpoints {
			return apperr.Invalid("input", "a workspace has at most %d webhook endpoints", MaxWebhookEndpoints)
		}
		return tx.Create(e).Error
	})
	return e, s.translate(err)
}

// UpdateWebhookEndpoint changes an endpoint. Disabling it fails its pending deliveries;
// enabling it clears the failure state, and new events reach it again.
func (s *Store) UpdateWebhookEndpoint(ctx context.Context, id string, in WebhookEndpointPatch) (*models.WebhookEndpoint, error) {
	var e *models.WebhookEndpoint
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		if e, err = findByID[models.WebhookEndpoint](s.forUpdate(tx), "webhook endpoint", id); err != nil {
			return err
		}
		if in.URL != nil {
			e.URL = *in.URL
		}
		if in.Events != nil {
			if e.EventList, err = ParseWebhookEvents("input.events", in.Events); err != nil {
				return err
			}
		}
		if in.Description != nil {
			if e.Description, err = optionalText("input.description", in.Description, maxTextLen); err != nil {
				return err
			}
		}
		if in.Enabled != nil && *in.Enabled != e.Enabled {
			e.Enabled = *in.Enabled
			e.DisabledReason, e.FailingSince = nil, nil
			if !e.Enabled {
				if err := failPending(tx, e.ID, "endpoint disabled", Now()); err != nil {
					return err
				}
			}
		}
		e.UpdatedAt = Now()
		return tx.Select("url", "events", "description", "enabled", "disabled_reason", "failing_since", "updated_at").Updates(e).Error
	})
	return e, s.translate(err)
}

// failPending ends the pending deliveries of an endpoint that no longer takes them.
func failPending(tx *gorm.DB, endpointID, why string, now time.Time) error {
	return tx.Model(&models.WebhookDelivery{}).
		Where("endpoint_id = ? AND status = ?", endpointID, models.WebhookDeliveryStatusPending).
		Updates(map[string]any{"status": models.WebhookDeliveryStatusFailed, "last_error": why,
			"next_attempt_at": nil, "claim_token": nil, "updated_at": now}).Error
}

// DeleteWebhookEndpoint removes an endpoint and its delivery log.
func (s *Store) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *gorm.DB) error {
		if err := tx.Where("endpoint_id = ?", id).Delete(&models.WebhookDelivery{}).Error; err != nil {
			return err
		}
		return deleteByID(tx, &models.WebhookEndpoint{}, "webhook endpoint", id)
	})
}

// RotateWebhookSecret makes secret the endpoint's signing secret; the one it replaces keeps
// signing beside it until now+overlap. A rotation within the overlap drops the oldest secret.
func (s *Store) RotateWebhookSecret(ctx context.Context, id, secret string, now time.Time, overlap time.Duration) (*models.WebhookEndpoint, error) {
	var e *models.WebhookEndpoint
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		if e, err = findByID[models.WebhookEndpoint](s.forUpdate(tx), "webhook endpoint", id); err != nil {
			return err
		}
		until := now.UTC().Add(overlap).Truncate(time.Microsecond)
		old := e.Secret
		e.Secret, e.PreviousSecret, e.PreviousSecretUntil, e.UpdatedAt = secret, &old, &until, Now()
		return tx.Select("secret", "previous_secret", "previous_secret_until", "updated_at").Updates(e).Error
	})
	return e, s.translate(err)
}

var webhookEndpointOrder = ordering[models.WebhookEndpoint]{name: "webhook_endpoints.created", idCol: "webhook_endpoints.id",
	id: func(e *models.WebhookEndpoint) string { return e.ID }}

// WebhookEndpoints pages through the workspace's endpoints, oldest first.
func (s *Store) WebhookEndpoints(ctx context.Context, args PageArgs) (*models.WebhookEndpointConnection, error) {
	none := func(q *gorm.DB) *gorm.DB { return q }
	page, err := paginate(s.read(ctx).Model(&models.WebhookEndpoint{}), args, webhookEndpointOrder)
	if err != nil {
		return nil, s.translate(err)
	}
	edges := edgesOf(page, func(c string, n *models.WebhookEndpoint) models.WebhookEndpointEdge {
		return models.WebhookEndpointEdge{Cursor: c, Node: n}
	})
	conn := &models.WebhookEndpointConnection{Edges: edges, PageInfo: page.info}
	conn.Count, conn.Exact = s.counter(count{model: &models.WebhookEndpoint{}, filter: none})
	return conn, nil
}

var webhookDeliveryOrder = ordering[models.WebhookDelivery]{name: "webhook_deliveries.created", idCol: "webhook_deliveries.id", desc: true,
	id: func(d *models.WebhookDelivery) string { return d.ID }}

// WebhookDeliveries pages through one endpoint's deliveries, newest first, optionally of one status.
func (s *Store) WebhookDeliveries(ctx context.Context, endpointID string, status *models.WebhookDeliveryStatus, args PageArgs) (*models.WebhookDeliveryConnection, error) {
	if status != nil && !status.IsValid() {
		return nil, apperr.Invalid("status", "unknown status")
	}
	if err := args.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.WebhookEndpoint(ctx, endpointID); err != nil {
		if e := apperr.As(err); e != nil && e.Code == apperr.ENOTFOUND {
			e.Field = "endpointId"
		}
		return nil, err
	}
	scope := func(q *gorm.DB) *gorm.DB {
		q = q.Where("webhook_deliveries.endpoint_id = ?", endpointID)
		if status != nil {
			q = q.Where("webhook_deliveries.status = ?", *status)
		}
		return q
	}
	page, err := paginate(s.read(ctx).Model(&models.WebhookDelivery{}).Scopes(scope), args, webhookDeliveryOrder)
	if err != nil {
		return nil, s.translate(err)
	}
	edges := edgesOf(page, func(c string, n *models.WebhookDelivery) models.WebhookDeliveryEdge {
		return models.WebhookDeliveryEdge{Cursor: c, Node: n}
	})
	conn := &models.WebhookDeliveryConnection{Edges: edges, PageInfo: page.info}
	conn.Count, conn.Exact = s.counter(count{model: &models.WebhookDelivery{}, filter: scope})
	return conn, nil
}

// RedeliverWebhook queues a delivery again, due now, with the same event (and so the same
// webhook-id); its attempts start over. The endpoint must be enabled.
func (s *Store) RedeliverWebhook(ctx context.Context, id string) (*models.WebhookDelivery, error) {
	var d *models.WebhookDelivery
	err := s.write(ctx, func(tx *gorm.DB) error {
		var err error
		if d, err = findByID[models.WebhookDelivery](s.forUpdate(tx), "webhook delivery", id); err != nil {
			return err
		}
		e, err := findByID[models.WebhookEndpoint](tx, "webhook endpoint", d.EndpointID)
		if err != nil {
			return err
		}
		if !e.Enabled {
			return apperr.Conflict("webhook endpoint %q is disabled; enable it first", e.ID)
		}
		now := Now()
		d.Status, d.Attempts, d.NextAttemptAt, d.ClaimToken, d.DeliveredAt, d.UpdatedAt =
			models.WebhookDeliveryStatusPending, 0, &now, nil, nil, now
		if err := tx.Select("status", "attempts", "next_attempt_at", "claim_token", "delivered_at", "updated_at").Updates(d).Error; err != nil {
			return err
		}
		markQueued(tx)
		return nil
	})
	return d, s.translate(err)
}

// SendTestWebhook queues a webhook.test event for one endpoint, whatever it subscribes to.
func (s *Store) SendTestWebhook(ctx context.Context, endpointID string) (*models.WebhookDelivery, error) {
	var d models.WebhookDelivery
	err := s.write(ctx, func(tx *gorm.DB) error {
		e, err := findByID[models.WebhookEndpoint](tx, "webhook endpoint", endpointID)
		if err != nil {
			return err
		}
		if !e.Enabled {
			return apperr.Conflict("webhook endpoint %q is disabled; enable it first", e.ID)
		}
		if err := writeEvents(tx, EventWebhookTest, []string{e.ID}, webhookData{Object: webhookEndpointObjectOf(e)}); err != nil {
			return err
		}
		return tx.Where("endpoint_id = ?", e.ID).Order("id DESC").Take(&d).Error
	})
	if err != nil {
		return nil, s.translate(err)
	}
	return &d, nil
}

// markQueued tells write that tx queued a delivery (see outboxMark).
func markQueued(tx *gorm.DB) {
	if m, ok := tx.Statement.Context.Value(outboxKey{}).(*outboxMark); ok {
		m.wrote.Store(true)
	}
}

// String names a delivery in logs.
func (d ClaimedDelivery) String() string { return fmt.Sprintf("%s (event %s)", d.ID, d.EventID) }
