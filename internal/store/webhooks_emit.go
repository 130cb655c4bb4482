package store

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"gorm.io/gorm"

	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/models"
)

// The outbox. Every write method that changes something integrations hear about calls emit
// (or webhookTargets and writeEvents) inside its transaction: the event and one delivery per
// subscribed endpoint are rows of that transaction, so a change that rolls back leaves no
// event and a committed change cannot lose its event, whatever happens to the process next.
// The transaction-level functions (insertContact, updateContact, createList, addToList, …)
// emit, so Lexi's approvals, imports, REST and GraphQL announce the same events.

// WebhookEventType names a kind of change, as the webhook body's "type" says it.
type WebhookEventType string

// The event types endpoints subscribe to (docs/webhooks.md).
const (
	EventContactCreated     WebhookEventType = "contact.created"
	EventContactUpdated     WebhookEventType = "contact.updated"
	EventContactDeleted     WebhookEventType = "contact.deleted"
	EventListCreated        WebhookEventType = "list.created"
	EventListUpdated        WebhookEventType = "list.updated"
	EventListDeleted        WebhookEventType = "list.deleted"
	EventListMembersAdded   WebhookEventType = "list.members_added"
	EventListMembersRemoved WebhookEventType = "list.members_removed"
	EventCampaignCreated    WebhookEventType = "campaign.created"
	EventCampaignUpdated    WebhookEventType = "campaign.updated"
	EventCampaignDeleted    WebhookEventType = "campaign.deleted"
	EventDealCreated        WebhookEventType = "deal.created"
	EventDealUpdated        WebhookEventType = "deal.updated"
	EventDealDeleted        WebhookEventType = "deal.deleted"
	EventDealStageChanged   WebhookEventType = "deal.stage_changed"
	EventLexiTaskCreated    WebhookEventType = "lexi_task.created"
	EventLexiTaskExecuted   WebhookEventType = "lexi_task.executed"
	EventLexiTaskRejected   WebhookEventType = "lexi_task.rejected"
	EventLexiTaskFailed     WebhookEventType = "lexi_task.failed"
	// EventWebhookTest is sent by sendTestWebhook to one endpoint; nobody subscribes to it.
	EventWebhookTest WebhookEventType = "webhook.test"
)

// WebhookEventTypes are the types an endpoint can subscribe to, in documentation order.
var WebhookEventTypes = []WebhookEventType{
	EventContactCreated, EventContactUpdated, EventContactDeleted,
	EventListCreated, EventListUpdated, EventListDeleted, EventListMembersAdded, EventListMembersRemoved,
	EventCampaignCreated, EventCampaignUpdated, EventCampaignDeleted,
	EventDealCreated, EventDealUpdated, EventDealDeleted, EventDealStageChanged,
	EventLexiTaskCreated, EventLexiTaskExecuted, EventLexiTaskRejected, EventLexiTaskFailed,
}

// webhookData is an event's "data": the object as the GraphQL API names its fields, and for
// an update the names of the fields that changed.
type webhookData struct {
	Object  any      `json:"object"`
	Changed []string `json:"changed"`
	// ContactIDs are the contacts a list membership event added or removed.
	ContactIDs []string `json:"contact_ids,omitempty"`
	// PreviousStage is where a deal came from, on deal.stage_changed.
	PreviousStage *models.DealStage `json:"previous_stage,omitempty"`
}

// WebhookBody is the JSON body every delivery of an event sends.
type WebhookBody struct {
	ID          string           `json:"id"`
	Type        WebhookEventType `json:"type"`
	CreatedAt   time.Time        `json:"created_at"`
	WorkspaceID string           `json:"workspace_id"`
	Data        json.RawMessage  `json:"data"`
}

// webhookTarget is an enabled endpoint subscribed to the event being written.
type webhookTarget struct {
	ID        string
	EventList models.StringList `gorm:"column:events"`
}

// webhookTargets returns the enabled endpoints of tx's workspace that subscribe to typ.
func webhookTargets(tx *gorm.DB, typ WebhookEventType) ([]string, error) {
	var eps []webhookTarget
	if err := tx.Model(&models.WebhookEndpoint{}).Select("id", "events").Where("enabled = ?", true).Find(&eps).Error; err != nil {
		return nil, err
	}
	var out []string
	for _, e := range eps {
		if slices.Contains(e.EventList, string(typ)) {
			out = append(out, e.ID)
		}
	}
	return out, nil
}

// emit records events of type typ for every subscribed endpoint; build, which describes the
// change, runs only when some endpoint listens.
func emit(tx *gorm.DB, typ WebhookEventType, build func() ([]webhookData, error)) error {
	targets, err := webhookTargets(tx, typ)
	if err != nil || len(targets) == 0 {
		return err
	}
	data, err := build()
	if err != nil {
		return err
	}
	return writeEvents(tx, typ, targets, data...)
}

// emitOne is emit for a single object.
func emitOne(tx *gorm.DB, typ WebhookEventType, build func() (webhookData, error)) error {
	return emit(tx, typ, func() ([]webhookData, error) {
		d, err := build()
		return []webhookData{d}, err
	})
}

// writeEvents writes one event per data and one PENDING delivery per event and target.
func writeEvents(tx *gorm.DB, typ WebhookEventType, targets []string, data ...webhookData) error {
	if len(targets) == 0 || len(data) == 0 {
		return nil
	}
	ctx := tx.Statement.Context
	ws, _ := WorkspaceFrom(ctx)
	now := Now()
	events := make([]models.WebhookEvent, len(data))
	deliveries := make([]models.WebhookDelivery, 0, len(data)*len(targets))
	for i, d := range data {
		if d.Changed == nil {
			d.Changed = []string{}
		}
		raw, err := json.Marshal(d)
		if err != nil {
			return err
		}
		id := ids.New(ids.WebhookEvent)
		body, err := json.Marshal(WebhookBody{ID: id, Type: typ, CreatedAt: now, WorkspaceID: ws, Data: raw})
		if err != nil {
			return err
		}
		events[i] = models.WebhookEvent{ID: id, Type: string(typ), Body: string(body), CreatedAt: now}
		for _, ep := range targets {
			due := now
			deliveries = append(deliveries, models.WebhookDelivery{ID: ids.New(ids.WebhookDelivery),
				EndpointID: ep, EventID: id, EventType: string(typ), Status: models.WebhookDeliveryStatusPending,
				NextAttemptAt: &due, CreatedAt: now, UpdatedAt: now})
		}
	}
	if err := tx.CreateInBatches(&events, 200).Error; err != nil {
		return err
	}
	if err := tx.CreateInBatches(&deliveries, 200).Error; err != nil {
		return err
	}
	markQueued(tx)
	return nil
}

// outboxMark tells write that its transaction queued deliveries, so that the worker of this
// instance is woken once the transaction commits instead of at its next poll.
type outboxMark struct{ wrote atomic.Bool }

type outboxKey struct{}

// OnWebhooksQueued sets what runs after a transaction that queued webhook deliveries
// commits: the delivery worker's wake-up. Set once, before serving.
func (s *Store) OnWebhooksQueued(fn func()) { s.webhooksQueued.Store(&fn) }

func (s *Store) announceQueued(ctx context.Context, m *outboxMark) {
	if !m.wrote.Load() {
		return
	}
	if fn := s.webhooksQueued.Load(); fn != nil {
		AfterCommit(ctx, func(context.Context) { (*fn)() })
	}
}

// changedFields names, in the object's field order, the fields whose JSON differs between two
// projections of one object (structs of one type), updatedAt aside: it changes with every update.
func changedFields(before, after any) ([]string, error) {
	a, b := reflect.ValueOf(before), reflect.ValueOf(after)
	out := []string{}
	for i := 0; i < b.NumField(); i++ {
		name, _, _ := strings.Cut(b.Type().Field(i).Tag.Get("json"), ",")
		if name == "updatedAt" || name == "-" {
			continue
		}
		x, err := json.Marshal(a.Field(i).Interface())
		if err != nil {
			return nil, err
		}
		y, err := json.Marshal(b.Field(i).Interface())
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(x, y) {
			out = append(out, name)
		}
	}
	return out, nil
}
