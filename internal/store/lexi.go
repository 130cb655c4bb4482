package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/ids"
	"github.com/wbk/crm/models"
)

// Lexi's data: conversations, messages and the tasks it proposes. A task's action runs here,
// through the same transaction-level functions the ordinary mutations use (createList,
// addToList, updateContact, SetDealStage, createCampaign, importProspects), so that approving
// a task obeys exactly the rules of doing the same change by hand.

// MaxLexiMessageLen bounds one chat message, in characters.
const MaxLexiMessageLen = 4000

// The parameters of each action, stored as the task's JSON payload. Contact ids are the ones
// matched when the task was proposed, so approval changes exactly the records the task
// described; approval re-validates them (a contact deleted since fails the task).
type (
	LexiCreateList struct {
		Name        string   `json:"name"`
		Description *string  `json:"description,omitempty"`
		ContactIDs  []string `json:"contactIds,omitempty"`
	}
	LexiAddToList struct {
		ListID     string   `json:"listId"`
		ContactIDs []string `json:"contactIds"`
	}
	LexiTagContacts struct {
		Tag        string   `json:"tag"`
		ContactIDs []string `json:"contactIds"`
	}
	LexiDealStage struct {
		DealID string           `json:"dealId"`
		Stage  models.DealStage `json:"stage"`
	}
	LexiCreateCampaign struct {
		Name    string  `json:"name"`
		ListID  *string `json:"listId,omitempty"`
		Subject *string `json:"subject,omitempty"`
	}
	LexiImportProspects struct {
		ProspectIDs []string `json:"prospectIds"`
		ListID      *string  `json:"listId,omitempty"`
	}
)

// LexiProposal is a change an assistant proposes; saving it makes a PENDING task.
type LexiProposal struct {
	Action      models.LexiAction
	Title       string
	Description string
	// Payload is the action's parameters: the Lexi* type matching Action.
	Payload any
}

// LexiExchange is what one chat turn stored.
type LexiExchange struct {
	ConversationID string
	Message        *models.LexiMessage
	Reply          *models.LexiMessage
	Tasks          []*models.LexiTask
}

// LexiConversation returns one conversation of the caller's workspace.
func (s *Store) LexiConversation(ctx context.Context, id string) (*models.LexiConversation, error) {
	c, err := findByID[models.LexiConversation](s.read(ctx), "conversation", id)
	return c, s.translate(err)
}

// LexiHistory returns the last limit messages of a conversation, oldest first.
func (s *Store) LexiHistory(ctx context.Context, conversationID string, limit int) ([]*models.LexiMessage, error) {
	var out []*models.LexiMessage
	err := s.read(ctx).Where("conversation_id = ?", conversationID).Order("id DESC").Limit(limit).Find(&out).Error
	slices.Reverse(out)
	return out, s.translate(err)
}

// SaveLexiExchange stores one chat turn in one transaction: the conversation when new, the
// user's message, the reply and the proposed tasks. Nothing is stored when any part fails, so
// a failed turn leaves no half-written conversation behind.
func (s *Store) SaveLexiExchange(ctx context.Context, conversationID *string, message, reply string, proposals []LexiProposal) (*LexiExchange, error) {
	tasks := make([]*models.LexiTask, len(proposals))
	for i, p := range proposals {
		t, err := newLexiTask(p)
		if err != nil {
			return nil, err
		}
		tasks[i] = t
	}
	out := &LexiExchange{Tasks: tasks}
	err := s.write(ctx, func(tx *gorm.DB) error {
		now := Now()
		if conversationID == nil {
			c := &models.LexiConversation{ID: ids.New(ids.LexiConversation), CreatedAt: now, UpdatedAt: now}
			if err := tx.Create(c).Error; err != nil {
				return err
			}
			out.ConversationID = c.ID
		} else {
			c, err := findByID[models.LexiConversation](s.forUpdate(tx), "conversation", *conversationID)
			if err != nil {
				return withField(err, "input.conversationId")
			}
			if err := tx.Model(c).Update("updated_at", now).Error; err != nil {
				return err
			}
			out.ConversationID = c.ID
		}
		// Separate ids keep the two messages in order: ids are time-ordered.
		out.Message = &models.LexiMessage{ID: ids.New(ids.LexiMessage), ConversationID: out.ConversationID,
			Role: models.LexiRoleUser, Content: message, CreatedAt: now}
		out.Reply = &models.LexiMessage{ID: ids.New(ids.LexiMessage), ConversationID: out.ConversationID,
			Role: models.LexiRoleAssistant, Content: reply, CreatedAt: now}
		if err := tx.Create([]*models.LexiMessage{out.Message, out.Reply}).Error; err != nil {
			return err
		}
		for _, t := range tasks {
			t.ConversationID = &out.ConversationID
			t.CreatedAt = now
		}
		if len(tasks) == 0 {
			return nil
		}
		if err := tx.Create(tasks).Error; err != nil {
			return err
		}
		return emit(tx, EventLexiTaskCreated, lexiTaskEvents(tasks))
	})
	if err != nil {
		return nil, s.translate(err)
	}
	return out, nil
}

func newLexiTask(p LexiProposal) (*models.LexiTask, error) {
	if !p.Action.IsValid() {
		return nil, fmt.Errorf("store: unknown Lexi action %q", p.Action)
	}
	payload, err := json.Marshal(p.Payload)
	if err != nil {
		return nil, fmt.Errorf("store: Lexi payload: %w", err)
	}
	// Round-trip the payload through the action's type so that a task that could never run
	// is refused now, not at approval.
	if _, err := decodeLexiPayload(p.Action, string(payload)); err != nil {
		return nil, err
	}
	title, err := cleanText("title", p.Title, maxNameLen, true)
	if err != nil {
		return nil, err
	}
	desc, err := cleanText("description", p.Description, maxTextLen, true)
	if err != nil {
		return nil, err
	}
	return &models.LexiTask{ID: ids.New(ids.LexiTask), Action: p.Action, Payload: string(payload),
		Status: models.LexiTaskStatusPending, Title: title, Description: desc}, nil
}

func decodeLexiPayload(action models.LexiAction, payload string) (any, error) {
	var v any
	switch action {
	case models.LexiActionCreateList:
		v = &LexiCreateList{}
	case models.LexiActionAddContactsToList:
		v = &LexiAddToList{}
	case models.LexiActionTagContacts:
		v = &LexiTagContacts{}
	case models.LexiActionUpdateDealStage:
		v = &LexiDealStage{}
	case models.LexiActionCreateCampaign:
		v = &LexiCreateCampaign{}
	case models.LexiActionImportProspects:
		v = &LexiImportProspects{}
	default:
		mk, ok := lexiEdits[action]
		if !ok {
			return nil, fmt.Errorf("store: unknown Lexi action %q", action)
		}
		v = mk()
	}
	dec := json.NewDecoder(strings.NewReader(payload))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return nil, fmt.Errorf("store: bad %s payload: %w", action, err)
	}
	return v, nil
}

// LexiTask returns one task of the caller's workspace.
func (s *Store) LexiTask(ctx context.Context, id string) (*models.LexiTask, error) {
	t, err := findByID[models.LexiTask](s.read(ctx), "Lexi task", id)
	return t, s.translate(err)
}

var lexiTaskOrder = ordering[models.LexiTask]{name: "lexi_tasks.created", idCol: "lexi_tasks.id", desc: true,
	id: func(t *models.LexiTask) string { return t.ID }}

// LexiTasks pages through the workspace's tasks, newest first, optionally of one status.
func (s *Store) LexiTasks(ctx context.Context, args PageArgs, status *models.LexiTaskStatus) (*models.LexiTaskConnection, error) {
	if status != nil && !status.IsValid() {
		return nil, apperr.Invalid("status", "unknown status")
	}
	scope := func(q *gorm.DB) *gorm.DB {
		if status != nil {
			q = q.Where("lexi_tasks.status = ?", *status)
		}
		return q
	}
	page, err := paginate(s.read(ctx).Model(&models.LexiTask{}).Scopes(scope), args, lexiTaskOrder)
	if err != nil {
		return nil, s.translate(err)
	}
	edges := edgesOf(page, func(c string, n *models.LexiTask) models.LexiTaskEdge { return models.LexiTaskEdge{Cursor: c, Node: n} })
	conn := &models.LexiTaskConnection{Edges: edges, PageInfo: page.info}
	conn.Count, conn.Exact = s.counter(count{model: &models.LexiTask{}, filter: scope})
	return conn, nil
}

// ApproveLexiTask runs a PENDING task's action and records the outcome, in one transaction.
// The task row is locked first (PostgreSQL; SQLite has one writer), and the final update is
// conditional on PENDING, so that of two simultaneous approvals exactly one runs the action
// and the other gets CONFLICT. When the action is refused by the store's rules (a name taken
// since, a record deleted since) it is rolled back to a savepoint and the task is recorded as
// FAILED with the reason; any other error rolls everything back and the task stays PENDING.
func (s *Store) ApproveLexiTask(ctx context.Context, id, decidedBy string) (*models.LexiTask, error) {
	var task *models.LexiTask
	err := s.write(ctx, func(tx *gorm.DB) error {
		t, err := pendingLexiTask(s.forUpdate(tx), id)
		if err != nil {
			return err
		}
		var result string
		actionErr := tx.Transaction(func(sp *gorm.DB) error {
			var err error
			result, err = s.runLexiAction(sp, t)
			return err
		})
		now := Now()
		t.DecidedAt, t.DecidedBy = &now, &decidedBy
		if actionErr == nil {
			t.Status, t.Result = models.LexiTaskStatusExecuted, &result
		} else {
			actionErr = s.translate(actionErr)
			switch apperr.CodeOf(actionErr) {
			case apperr.EINVALID, apperr.ENOTFOUND, apperr.ECONFLICT:
				msg := apperr.As(actionErr).Message
				t.Status, t.Error = models.LexiTaskStatusFailed, &msg
			default:
				return actionErr
			}
		}
		task = t
		return decideLexiTask(tx, t)
	})
	if err != nil {
		return nil, s.translate(err)
	}
	return task, nil
}

// RejectLexiTask declines a PENDING task; the reason, when given, is kept as its result.
func (s *Store) RejectLexiTask(ctx context.Context, id string, reason *string, decidedBy string) (*models.LexiTask, error) {
	why, err := optionalText("reason", reason, maxTextLen)
	if err != nil {
		return nil, err
	}
	var task *models.LexiTask
	err = s.write(ctx, func(tx *gorm.DB) error {
		t, err := pendingLexiTask(s.forUpdate(tx), id)
		if err != nil {
			return err
		}
		now := Now()
		t.Status, t.Result, t.DecidedAt, t.DecidedBy = models.LexiTaskStatusRejected, why, &now, &decidedBy
		task = t
		return decideLexiTask(tx, t)
	})
	if err != nil {
		return nil, s.translate(err)
	}
	return task, nil
}

func pendingLexiTask(tx *gorm.DB, id string) (*models.LexiTask, error) {
	t, err := findByID[models.LexiTask](tx, "Lexi task", id)
	if err != nil {
		return nil, err
	}
	if t.Status != models.LexiTaskStatusPending {
		return nil, lexiNotPending(t)
	}
	return t, nil
}

func lexiNotPending(t *models.LexiTask) error {
	return apperr.Conflict("Lexi task %q is %s, not PENDING", t.ID, t.Status)
}

// decideLexiTask records a decision, only if the task is still PENDING: the second wall
// against a double decision, should the row lock be missing.
func decideLexiTask(tx *gorm.DB, t *models.LexiTask) error {
	res := tx.Model(&models.LexiTask{}).Where("id = ? AND status = ?", t.ID, models.LexiTaskStatusPending).
		Updates(map[string]any{"status": t.Status, "result": t.Result, "error": t.Error,
			"decided_at": t.DecidedAt, "decided_by": t.DecidedBy})
	if res.Error != nil {
		return res.Error
	}
	if res.RowsAffected != 1 {
		return apperr.Conflict("Lexi task %q is no longer PENDING", t.ID)
	}
	return emitLexiTask(tx, lexiTaskDecided[t.Status], t)
}

// runLexiAction executes a task's action and describes what it did.
func (s *Store) runLexiAction(tx *gorm.DB, t *models.LexiTask) (string, error) {
	p, err := decodeLexiPayload(t.Action, t.Payload)
	if err != nil {
		return "", err
	}
	switch p := p.(type) {
	case *LexiCreateList:
		l, err := createList(tx, models.CreateListInput{Name: p.Name, Description: p.Description})
		if err != nil {
			return "", failed("Could not create list "+p.Name, s.listConflict(err))
		}
		if len(p.ContactIDs) > 0 {
			if _, err := addToList(tx, l.ID, p.ContactIDs); err != nil {
				return "", failed("Could not add the contacts to list "+l.Name, err)
			}
		}
		return fmt.Sprintf("Created list %s with %s", l.Name, countNoun(len(p.ContactIDs), "contact")), nil
	case *LexiAddToList:
		members := func() (int64, error) {
			var n int64
			err := tx.Model(&models.ListMembership{}).Where("list_id = ?", p.ListID).Count(&n).Error
			return n, err
		}
		before, err := members()
		if err != nil {
			return "", err
		}
		l, err := addToList(tx, p.ListID, p.ContactIDs)
		if err != nil {
			return "", failed("Could not add the contacts to the list", err)
		}
		after, err := members()
		if err != nil {
			return "", err
		}
		added := int(after - before)
		msg := fmt.Sprintf("Added %s to list %s", countNoun(added, "contact"), l.Name)
		switch rest := len(dedupe(p.ContactIDs)) - added; {
		case rest == 1:
			msg += " (1 was already in it)"
		case rest > 1:
			msg += fmt.Sprintf(" (%d were already in it)", rest)
		}
		return msg, nil
	case *LexiTagContacts:
		if err := checkIDs("contactIds", p.ContactIDs); err != nil {
			return "", err
		}
		changed := 0
		for _, id := range dedupe(p.ContactIDs) {
			_, err := s.updateContact(tx, id, func(c *models.Contact) *contactPatch {
				if slices.Contains(c.TagList, strings.ToLower(p.Tag)) {
					return nil
				}
				changed++
				return &contactPatch{Tags: append(slices.Clone(c.TagList), p.Tag)}
			})
			if err != nil {
				return "", failed("Could not tag contact "+id+" as "+p.Tag, err)
			}
		}
		return fmt.Sprintf("Tagged %s as %s", countNoun(changed, "contact"), p.Tag), nil
	case *LexiDealStage:
		before, err := findDeal(s.forUpdate(tx), p.DealID)
		if err != nil {
			return "", failed("Could not move the deal", err)
		}
		from := before.Stage
		d, err := SetDealStage(tx, p.DealID, p.Stage)
		if err != nil {
			return "", failed("Could not move deal "+before.Title, err)
		}
		return fmt.Sprintf("Moved deal %s from %s to %s", d.Title, strings.ToLower(string(from)), strings.ToLower(string(d.Stage))), nil
	case *LexiCreateCampaign:
		c, err := createCampaign(tx, models.CreateCampaignInput{Name: p.Name, ListID: p.ListID, Subject: p.Subject})
		if err != nil {
			return "", failed("Could not create campaign "+p.Name, err)
		}
		msg := "Created draft campaign " + c.Name
		if c.ListID != nil {
			l, err := findList(tx, *c.ListID)
			if err != nil {
				return "", err
			}
			msg += " for list " + l.Name
		}
		return msg, nil
	case *LexiImportProspects:
		contacts, err := importProspects(tx, p.ProspectIDs, p.ListID)
		if err != nil {
			return "", failed("Could not import the prospects", err)
		}
		return fmt.Sprintf("Imported %s as contacts", countNoun(len(contacts), "prospect")), nil
	case lexiEdit:
		return p.run(s, tx)
	}
	return "", fmt.Errorf("store: no runner for Lexi action %s", t.Action)
}

// failed prefixes an application error's message with what was being attempted, so that the
// task's error reads on its own; other errors pass through untouched.
func failed(what string, err error) error {
	var e *apperr.Error
	if !errors.As(err, &e) {
		return err
	}
	out := *e
	out.Message = what + ": " + e.Message
	return &out
}

func withField(err error, field string) error {
	if e := apperr.As(err); e != nil {
		e.Field = field
	}
	return err
}

// countNoun spells "1 contact", "3 contacts".
func countNoun(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// MatchContacts returns up to limit contacts of the workspace that match filter, oldest
// first, and how many match in all (up to CountCap when the count is not a kept one).
func (s *Store) MatchContacts(ctx context.Context, filter *models.ContactFilter, limit int) ([]*models.Contact, int, error) {
	scope := s.contactFilter(filter)
	var out []*models.Contact
	if err := s.read(ctx).Model(&models.Contact{}).Scopes(scope).Order("contacts.id").Limit(limit).Find(&out).Error; err != nil {
		return nil, 0, s.translate(err)
	}
	n, _, err := s.countRows(ctx, contactCount(filter, scope))
	return out, n, err
}

// CountDeals counts the workspace's deals, of one stage when stage is set.
func (s *Store) CountDeals(ctx context.Context, stage *models.DealStage) (int, error) {
	var n int64
	q := s.read(ctx).Model(&models.Deal{})
	if stage != nil {
		q = q.Where("stage = ?", *stage)
	}
	err := q.Count(&n).Error
	return int(n), s.translate(err)
}
