package models

import (
	"context"
	"time"
)

// WebhookEndpoint is a URL of an integration that hears about a workspace's changes. Its
// signing secrets are kept so that deliveries can be signed; they are shown only when made.
type WebhookEndpoint struct {
	ID          string `gorm:"primaryKey"`
	WorkspaceID string `json:"-"`
	URL         string
	Description *string
	// EventList are the event types the endpoint subscribes to.
	EventList StringList `gorm:"column:events"`
	Enabled   bool
	// DisabledReason says why the endpoint was turned off when the server did it.
	DisabledReason *string
	// FailingSince is when its deliveries started failing without a success since.
	FailingSince *time.Time
	Secret       string `json:"-"`
	// PreviousSecret keeps signing beside Secret until PreviousSecretUntil, after a rotation.
	PreviousSecret      *string    `json:"-"`
	PreviousSecretUntil *time.Time `json:"-"`
	CreatedAt           time.Time
	UpdatedAt           time.Time
}

// Events are the event types the endpoint subscribes to.
func (e *WebhookEndpoint) Events() []string { return e.EventList }

// WebhookEvent is one change as integrations hear of it: the exact body every delivery of it
// sends, written in the transaction of the change (the outbox).
type WebhookEvent struct {
	ID          string `gorm:"primaryKey"`
	WorkspaceID string
	Type        string
	Body        string
	CreatedAt   time.Time
}

// WebhookDelivery is one event on its way to one endpoint, with the outcome of its last attempt.
type WebhookDelivery struct {
	ID              string `gorm:"primaryKey"`
	WorkspaceID     string `json:"-"`
	EndpointID      string
	EventID         string
	EventType       string
	Status          WebhookDeliveryStatus
	Attempts        int
	LastStatusCode  *int
	LastError       *string
	DurationMs      *int
	ResponseExcerpt *string
	// NextAttemptAt is when the delivery is due (PENDING), else null.
	NextAttemptAt *time.Time
	// ClaimToken names the worker's claim of a delivery in flight, so that a worker whose claim
	// lapsed cannot overwrite the outcome of the attempt that took it over.
	ClaimToken  *string `json:"-"`
	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeliveredAt *time.Time
}

// WebhookUsageRecord counts one workspace's delivery attempts of one UTC day, as stored.
type WebhookUsageRecord struct {
	WorkspaceID string `gorm:"primaryKey"`
	// Date is the UTC day, YYYY-MM-DD.
	Date      string `gorm:"primaryKey"`
	Attempts  int64
	Delivered int64
	Failed    int64
}

func (WebhookUsageRecord) TableName() string { return "webhook_usage" }

type WebhookEndpointEdge struct {
	Cursor string
	Node   *WebhookEndpoint
}

type WebhookEndpointConnection struct {
	Edges    []*WebhookEndpointEdge
	PageInfo *PageInfo
	Count    Counter   `json:"-"`
	Exact    Exactness `json:"-"`
}

func (c *WebhookEndpointConnection) Nodes() []*WebhookEndpoint {
	return nodesOf(c.Edges, func(e *WebhookEndpointEdge) *WebhookEndpoint { return e.Node })
}

type WebhookDeliveryEdge struct {
	Cursor string
	Node   *WebhookDelivery
}

type WebhookDeliveryConnection struct {
	Edges    []*WebhookDeliveryEdge
	PageInfo *PageInfo
	Count    Counter   `json:"-"`
	Exact    Exactness `json:"-"`
}

func (c *WebhookDeliveryConnection) Nodes() []*WebhookDelivery {
	return nodesOf(c.Edges, func(e *WebhookDeliveryEdge) *WebhookDelivery { return e.Node })
}

func (c *WebhookEndpointConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

func (c *WebhookEndpointConnection) TotalCountIsExact(ctx context.Context) (bool, error) {
	return exact(ctx, c.Exact)
}

func (c *WebhookDeliveryConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

func (c *WebhookDeliveryConnection) TotalCountIsExact(ctx context.Context) (bool, error) {
	return exact(ctx, c.Exact)
}
