// Package lexi is Lexi, the workspace assistant: it answers from the caller's workspace and
// turns every change it proposes into a PENDING task that a key holder approves or rejects.
// The Service owns the flow (store the turn, approve, reject, notify); an Assistant decides
// what to say and what to propose. Builtin is the deterministic default; a model-backed
// assistant implements the same interface.
package lexi

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/wbk/crm/internal/access"
	"github.com/wbk/crm/internal/apperr"
	"github.com/wbk/crm/internal/auth"
	"github.com/wbk/crm/internal/store"
	"github.com/wbk/crm/models"
)

// HistoryLimit is how many earlier messages of a conversation an assistant sees.
const HistoryLimit = 20

// Proposal is a change an assistant proposes; it becomes a PENDING task.
type Proposal = store.LexiProposal

// Assistant answers one message. It reads only through the workspace-scoped store that ctx
// is scoped to and never writes: whatever it wants changed comes back as proposals, which the
// Service stores as tasks together with the turn. An error stores nothing; return an
// *apperr.Error for a message the caller may see.
type Assistant interface {
	Reply(ctx context.Context, history []*models.LexiMessage, message string) (reply string, proposals []Proposal, err error)
}

// Notifier hears about every task that was created or changed status, after its transaction
// committed; ctx is the request's, scoped to the task's workspace. Live subscriptions
// (lexiTaskUpdated) implement it.
type Notifier interface {
	TaskChanged(ctx context.Context, task *models.LexiTask)
}

// Service is Lexi as the API sees it.
type Service struct {
	store     *store.Store
	assistant Assistant
	notifier  Notifier
}

// NewService returns Lexi on st; a nil assistant means Builtin, a nil notifier tells no one.
func NewService(st *store.Store, a Assistant, n Notifier) *Service {
	if a == nil {
		a = &Builtin{Store: st}
	}
	return &Service{store: st, assistant: a, notifier: n}
}

// Chat stores the message, asks the assistant, and stores its reply and proposals as one turn.
func (s *Service) Chat(ctx context.Context, in models.LexiChatInput) (*models.LexiChatPayload, error) {
	msg := strings.TrimSpace(in.Message)
	switch {
	case msg == "":
		return nil, apperr.Invalid("input.message", "message must not be empty")
	case !utf8.ValidString(msg) || strings.ContainsRune(msg, 0):
		return nil, apperr.Invalid("input.message", "message must be valid UTF-8 text")
	case utf8.RuneCountInString(msg) > store.MaxLexiMessageLen:
		return nil, apperr.Invalid("input.message", "message must be at most %d characters", store.MaxLexiMessageLen)
	}
	var history []*models.LexiMessage
	if in.ConversationID != nil {
		if _, err := s.store.LexiConversation(ctx, *in.ConversationID); err != nil {
			if e := apperr.As(err); e != nil {
				e.Field = "input.conversationId"
			}
			return nil, err
		}
		var err error
		if history, err = s.store.LexiHistory(ctx, *in.ConversationID, HistoryLimit); err != nil {
			return nil, err
		}
	}
	// The assistant runs outside any transaction: a model call may take seconds.
	reply, proposals, err := s.assistant.Reply(ctx, history, msg)
	if err != nil {
		return nil, err
	}
	ex, err := s.store.SaveLexiExchange(ctx, in.ConversationID, msg, reply, proposals)
	if err != nil {
		return nil, err
	}
	for _, t := range ex.Tasks {
		s.notify(ctx, t)
	}
	return &models.LexiChatPayload{ConversationID: ex.ConversationID, Reply: ex.Reply, Tasks: ex.Tasks}, nil
}

// Task returns one task of the caller's workspace.
func (s *Service) Task(ctx context.Context, id string) (*models.LexiTask, error) {
	return s.store.LexiTask(ctx, id)
}

// Tasks pages through the workspace's tasks, newest first.
func (s *Service) Tasks(ctx context.Context, status *models.LexiTaskStatus, first *int, after *string) (*models.LexiTaskConnection, error) {
	return s.store.LexiTasks(ctx, store.PageArgs{First: first, After: after}, status)
}

// writesData reports whether running action changes CRM data, which makes approving it need
// WRITE on top of LEXI: a lexi-only key may talk to Lexi but not change data through it.
// Every action today creates or changes records; a read-only action would return false here.
func writesData(models.LexiAction) bool { return true }

// Approve runs a PENDING task's action.
func (s *Service) Approve(ctx context.Context, id string) (*models.LexiTask, error) {
	t, err := s.store.LexiTask(ctx, id)
	if err != nil {
		return nil, err
	}
	if writesData(t.Action) {
		if err := access.Require(ctx, models.PermissionWrite); err != nil {
			return nil, err
		}
	}
	t, err = s.store.ApproveLexiTask(ctx, id, decider(ctx))
	if err != nil {
		return nil, err
	}
	s.notify(ctx, t)
	return t, nil
}

// Reject declines a PENDING task.
func (s *Service) Reject(ctx context.Context, id string, reason *string) (*models.LexiTask, error) {
	t, err := s.store.RejectLexiTask(ctx, id, reason, decider(ctx))
	if err != nil {
		return nil, err
	}
	s.notify(ctx, t)
	return t, nil
}

func decider(ctx context.Context) string {
	if p := auth.PrincipalFrom(ctx); p != nil && p.Key != nil {
		return p.Key.ID
	}
	return ""
}

// notify announces a task's change once it is committed: inside a request transaction (an
// idempotent mutation) only after that transaction commits, and not at all if it rolls back.
func (s *Service) notify(ctx context.Context, t *models.LexiTask) {
	if s.notifier != nil {
		store.AfterCommit(ctx, func(ctx context.Context) { s.notifier.TaskChanged(ctx, t) })
	}
}
