package store

import (
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/models"
)

// The objects in webhook bodies: each type's scalar fields as the GraphQL API names them, and
// a reference to another object as {"id": …}, as a query selecting { id } would answer.
// Connections are not included; TestWebhookObjectsFollowTheSchema keeps these in step with
// schema.graphqls.

type objectRef struct {
	ID string `json:"id"`
}

func refTo(id *string) *objectRef {
	if id == nil {
		return nil
	}
	return &objectRef{ID: *id}
}

type contactObject struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	FirstName *string   `json:"firstName"`
	LastName  *string   `json:"lastName"`
	FullName  string    `json:"fullName"`
	Company   *string   `json:"company"`
	Title     *string   `json:"title"`
	Phone     *string   `json:"phone"`
	Tags      []string  `json:"tags"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

func contactObjectOf(c *models.Contact) contactObject {
	tags := []string(c.TagList)
	if tags == nil {
		tags = []string{}
	}
	return contactObject{ID: c.ID, Email: c.Email, FirstName: c.FirstName, LastName: c.LastName(),
		FullName: c.FullName(), Company: c.Company, Title: c.Title, Phone: c.Phone, Tags: tags,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

type listObject struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Description  *string   `json:"description"`
	ContactCount int       `json:"contactCount"`
	CreatedAt    time.Time `json:"createdAt"`
	UpdatedAt    time.Time `json:"updatedAt"`
}

func listObjectOf(l *models.List, contactCount int) listObject {
	return listObject{ID: l.ID, Name: l.Name, Description: l.Description, ContactCount: contactCount,
		CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt}
}

type campaignObject struct {
	ID          string                `json:"id"`
	Name        string                `json:"name"`
	Subject     *string               `json:"subject"`
	Body        *string               `json:"body"`
	Status      models.CampaignStatus `json:"status"`
	List        *objectRef            `json:"list"`
	ScheduledAt *time.Time            `json:"scheduledAt"`
	CreatedAt   time.Time             `json:"createdAt"`
	UpdatedAt   time.Time             `json:"updatedAt"`
}

func campaignObjectOf(c *models.Campaign) campaignObject {
	return campaignObject{ID: c.ID, Name: c.Name, Subject: c.Subject, Body: c.Body, Status: c.Status,
		List: refTo(c.ListID), ScheduledAt: c.ScheduledAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

type dealObject struct {
	ID        string           `json:"id"`
	Title     string           `json:"title"`
	Amount    int64            `json:"amount"`
	Currency  string           `json:"currency"`
	Stage     models.DealStage `json:"stage"`
	Contact   *objectRef       `json:"contact"`
	CloseDate *models.Date     `json:"closeDate"`
	CreatedAt time.Time        `json:"createdAt"`
	UpdatedAt time.Time        `json:"updatedAt"`
}

func dealObjectOf(d *models.Deal) dealObject {
	return dealObject{ID: d.ID, Title: d.Title, Amount: d.Amount, Currency: d.Currency, Stage: d.Stage,
		Contact: refTo(d.ContactID), CloseDate: d.CloseDate, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt}
}

type lexiTaskObject struct {
	ID             string                `json:"id"`
	Title          string                `json:"title"`
	Description    string                `json:"description"`
	Action         models.LexiAction     `json:"action"`
	Status         models.LexiTaskStatus `json:"status"`
	Result         *string               `json:"result"`
	Error          *string               `json:"error"`
	ConversationID *string               `json:"conversationId"`
	CreatedAt      time.Time             `json:"createdAt"`
	DecidedAt      *time.Time            `json:"decidedAt"`
}

func lexiTaskObjectOf(t *models.LexiTask) lexiTaskObject {
	return lexiTaskObject{ID: t.ID, Title: t.Title, Description: t.Description, Action: t.Action,
		Status: t.Status, Result: t.Result, Error: t.Error, ConversationID: t.ConversationID,
		CreatedAt: t.CreatedAt, DecidedAt: t.DecidedAt}
}

type webhookEndpointObject struct {
	ID             string     `json:"id"`
	URL            string     `json:"url"`
	Description    *string    `json:"description"`
	Events         []string   `json:"events"`
	Enabled        bool       `json:"enabled"`
	DisabledReason *string    `json:"disabledReason"`
	FailingSince   *time.Time `json:"failingSince"`
	CreatedAt      time.Time  `json:"createdAt"`
	UpdatedAt      time.Time  `json:"updatedAt"`
}

func webhookEndpointObjectOf(e *models.WebhookEndpoint) webhookEndpointObject {
	return webhookEndpointObject{ID: e.ID, URL: e.URL, Description: e.Description, Events: e.EventList,
		Enabled: e.Enabled, DisabledReason: e.DisabledReason, FailingSince: e.FailingSince, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
}

// What the write methods call, one line each, inside their transactions.

// emitObject announces one object created or deleted.
func emitObject(tx *gorm.DB, typ WebhookEventType, object func() (any, error)) error {
	return emitOne(tx, typ, func() (webhookData, error) {
		o, err := object()
		return webhookData{Object: o}, err
	})
}

// emitUpdate announces an update of the fields that differ between before and after (two
// projections of one object); an update that changed nothing announces nothing.
func emitUpdate[T any](tx *gorm.DB, typ WebhookEventType, before, after T) error {
	changed, err := changedFields(before, after)
	if err != nil || len(changed) == 0 {
		return err
	}
	return emitOne(tx, typ, func() (webhookData, error) { return webhookData{Object: after, Changed: changed}, nil })
}

// emitDealUpdate announces deal.updated, and deal.stage_changed when the stage moved.
func emitDealUpdate(tx *gorm.DB, before dealObject, d *models.Deal) error {
	after := dealObjectOf(d)
	if err := emitUpdate(tx, EventDealUpdated, before, after); err != nil || before.Stage == after.Stage {
		return err
	}
	return emitOne(tx, EventDealStageChanged, func() (webhookData, error) {
		return webhookData{Object: after, Changed: []string{"stage"}, PreviousStage: &before.Stage}, nil
	})
}

// listObjectIn projects a list with its member count as of tx.
func listObjectIn(tx *gorm.DB, l *models.List) (listObject, error) {
	var n int64
	err := tx.Model(&models.ListMembership{}).Where("list_id = ?", l.ID).Count(&n).Error
	return listObjectOf(l, int(n)), err
}

// emitListUpdate announces a list's update; before was projected without its member count,
// which an update does not change.
func emitListUpdate(tx *gorm.DB, before listObject, l *models.List) error {
	changed, err := changedFields(before, listObjectOf(l, 0))
	if err != nil || len(changed) == 0 {
		return err
	}
	return emitOne(tx, EventListUpdated, func() (webhookData, error) {
		o, err := listObjectIn(tx, l)
		return webhookData{Object: o, Changed: changed}, err
	})
}

// emitMembers announces the contacts a list gained or lost; the caller learns which ones
// (membersIn) before the change, and only when targets is not empty.
func emitMembers(tx *gorm.DB, typ WebhookEventType, targets []string, l *models.List, contactIDs []string) error {
	if len(targets) == 0 || len(contactIDs) == 0 {
		return nil
	}
	o, err := listObjectIn(tx, l)
	if err != nil {
		return err
	}
	return writeEvents(tx, typ, targets, webhookData{Object: o, ContactIDs: contactIDs})
}

// membersIn returns which of contactIDs are members of listID.
func membersIn(tx *gorm.DB, listID string, contactIDs []string) (map[string]bool, error) {
	var have []string
	err := tx.Model(&models.ListMembership{}).Where("list_id = ? AND contact_id IN ?", listID, contactIDs).Pluck("contact_id", &have).Error
	out := make(map[string]bool, len(have))
	for _, id := range have {
		out[id] = true
	}
	return out, err
}

func emitLexiTask(tx *gorm.DB, typ WebhookEventType, t *models.LexiTask) error {
	return emitObject(tx, typ, func() (any, error) { return lexiTaskObjectOf(t), nil })
}

// lexiTaskDecided is the event of a decided task's status.
var lexiTaskDecided = map[models.LexiTaskStatus]WebhookEventType{
	models.LexiTaskStatusExecuted: EventLexiTaskExecuted,
	models.LexiTaskStatusRejected: EventLexiTaskRejected,
	models.LexiTaskStatusFailed:   EventLexiTaskFailed,
}

func lexiTaskEvents(tasks []*models.LexiTask) func() ([]webhookData, error) {
	return func() ([]webhookData, error) {
		out := make([]webhookData, len(tasks))
		for i, t := range tasks {
			out[i] = webhookData{Object: lexiTaskObjectOf(t)}
		}
		return out, nil
	}
}

// emitDeleted announces the deletion of row id, read (and locked) before the caller deletes
// it; a row that is not there announces nothing, and the caller's delete reports NOT_FOUND.
func emitDeleted[T any](tx *gorm.DB, typ WebhookEventType, what, id string, object func(*T) (any, error)) error {
	targets, err := webhookTargets(tx, typ)
	if err != nil || len(targets) == 0 {
		return err
	}
	row, err := findByID[T](tx.Clauses(clause.Locking{Strength: "UPDATE"}), what, id)
	if apperr.CodeOf(err) == apperr.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	o, err := object(row)
	if err != nil {
		return err
	}
	return writeEvents(tx, typ, targets, webhookData{Object: o})
}

// membershipTargets returns the endpoints listening to typ and, when there are any, which of
// contactIDs the change concerns: those not yet members (adding) or members (removing).
func membershipTargets(tx *gorm.DB, typ WebhookEventType, listID string, contactIDs []string, members bool) ([]string, []string, error) {
	targets, err := webhookTargets(tx, typ)
	if err != nil || len(targets) == 0 {
		return nil, nil, err
	}
	have, err := membersIn(tx, listID, contactIDs)
	if err != nil {
		return nil, nil, err
	}
	var out []string
	for _, id := range contactIDs {
		if have[id] == members {
			out = append(out, id)
		}
	}
	return targets, out, nil
}
